"""The timeline entries the referrals app writes (``core.timeline``)."""

from django.utils.translation import gettext_lazy as _

from core.timeline import kind

REFERRAL_RECEIVED = kind("referral_received", _("Referral received"), referrer=True)
ORDER_EXTENDED = kind("order_extended", _("Protection order extended"), referrer=True)
SCREENING_STARTED = kind("screening_started", _("Screening started"), referrer=True)
SCREENING_SAVED = kind("screening_saved", _("Screening answers saved"))
ACCEPTED = kind("accepted", _("Referral accepted"), referrer=True)
DECLINED = kind("declined", _("Referral declined"), referrer=True)
STATUS_CHANGED = kind("status_changed", _("Status changed"), referrer=True)
