"""The timeline entries the casework app writes (``core.timeline``)."""

from django.utils.translation import gettext_lazy as _

from accounts.models import organisation_name
from casework.models import RiskLevel
from core.shipped import shown
from core.timeline import choice, kind

CASE_OPENED = kind("case_opened", _("Case opened at intake"), referrer=True)
INTAKE_RECORDED = kind("intake_recorded", _("Intake interview recorded"))
CONSENT_RECORDED = kind("consent_recorded", _("Consent recorded"))
RISK_ASSESSED = kind(
    "risk_assessed",
    _("Risk assessed"),
    detail=_("%(instrument)s: %(level)s"),
    # The instrument's name: a shipped one's in the reader's language.
    values={"instrument": shown, "level": choice(RiskLevel)},
)
SURVIVOR_CONTACTED = kind("survivor_contacted", _("Survivor contact logged"))
# The service's name, as its organisation has it.
SURVIVOR_SERVICE_REFERRED = kind(
    "survivor_service_referred",
    _("Referred to a survivor service"),
    detail="%(organisation)s",
    values={"organisation": organisation_name},
)
SAFETY_PLAN_UPDATED = kind("safety_plan_updated", _("Safety plan updated"))
