"""The timeline entries the casework app writes (``core.timeline``)."""

from django.utils.translation import gettext_lazy as _

from core.timeline import kind

CASE_OPENED = kind("case_opened", _("Case opened at intake"), referrer=True)
INTAKE_RECORDED = kind("intake_recorded", _("Intake interview recorded"))
CONSENT_RECORDED = kind("consent_recorded", _("Consent recorded"))
RISK_ASSESSED = kind("risk_assessed", _("Risk assessed"))
SURVIVOR_CONTACTED = kind("survivor_contacted", _("Survivor contact logged"))
SURVIVOR_SERVICE_REFERRED = kind("survivor_service_referred", _("Referred to a survivor service"))
SAFETY_PLAN_UPDATED = kind("safety_plan_updated", _("Safety plan updated"))
