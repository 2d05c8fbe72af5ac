"""The timeline entries the notifications app writes (``core.timeline``).

What followed a notice (``notifications.sanctions``): one kind per outcome,
so the label says what it was and the params hold only its parameter (an
amount and currency code, a number of hours, an ISO date). The provider sees
them on the case's timeline and the referring body on its referral's.
"""

from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext_lazy as _

from core.timeline import as_date, kind
from referrals.timeline import ORDER_EXTENDED


def _fine(params) -> str:
    amount = formats.number_format(Decimal(params["amount"]), decimal_pos=2)
    return f"{amount} {params['currency']}".strip()


SANCTION_WARNING = kind("sanction_warning", _("After the notice: warning given"), police=True)
SANCTION_FINE = kind("sanction_fine", _("After the notice: administrative fine"), police=True, detail=_fine)
SANCTION_COMMUNITY_SERVICE = kind(
    "sanction_community_service",
    _("After the notice: community service (hours)"),
    police=True,
    detail="%(hours)s",
)
# Read as the extension it recorded on the referral reads.
SANCTION_ORDER_EXTENSION = kind(
    "sanction_order_extension",
    _("After the notice: order extended"),
    police=True,
    detail=ORDER_EXTENDED.detail,
    values=ORDER_EXTENDED.values,
)
SANCTION_COURT_HEARING = kind(
    "sanction_court_hearing",
    _("After the notice: court hearing set"),
    police=True,
    detail="%(on)s",
    values={"on": as_date},
)
SANCTION_NO_ACTION = kind("sanction_no_action", _("After the notice: no action"), police=True)
