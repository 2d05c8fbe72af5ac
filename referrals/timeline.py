"""The timeline entries the referrals app writes (``core.timeline``)."""

from django.utils.translation import gettext_lazy as _

from core.timeline import as_date, choice, kind
from referrals.models import Referral


def _accepted(params) -> str:
    # Said only when nothing was checked, so the timeline does not suggest
    # that criteria were met.
    return str(_("No eligibility criteria were set up")) if params.get("criteria") is False else ""


REFERRAL_RECEIVED = kind("referral_received", _("Referral received"), referrer=True)
ORDER_EXTENDED = kind(
    "order_extended",
    _("Protection order extended"),
    referrer=True,
    detail=_("until %(until)s"),
    values={"until": as_date},
)
SCREENING_STARTED = kind("screening_started", _("Screening started"), referrer=True)
SCREENING_SAVED = kind("screening_saved", _("Screening answers saved"))
ACCEPTED = kind("accepted", _("Referral accepted"), referrer=True, detail=_accepted)
DECLINED = kind(
    "declined",
    _("Referral declined"),
    referrer=True,
    detail="%(reason)s",
    values={"reason": choice(Referral.DeclineReason)},
)
STATUS_CHANGED = kind("status_changed", _("Status changed"), referrer=True)
