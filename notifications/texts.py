"""What an email or SMS says: that a notice is waiting, and the case number
(the referral's, for a decision on a referral that has no case yet).

Never the survivor, never the person's name, never the facts: the detail is
behind sign-in. Rendered in the recipient's interface language.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from casework.models import Case
from core.languages import interface_language
from referrals.models import Referral


def case_number(case_id: int) -> str:
    return Case(pk=case_id).number


def outgoing_message(*, case_id: int | None, language: str, referral_id: int | None = None) -> tuple[str, str]:
    """(subject, body) of the email; the SMS is the body. A notice about a
    referral with no case yet (the provider's decision) names the referral."""
    with translation.override(interface_language(language)):
        if case_id is None:
            reference = Referral(pk=referral_id).reference
            subject = _("Notice about referral %(referral)s") % {"referral": reference}
            body = _("A notice about referral %(referral)s is waiting. Please sign in.") % {"referral": reference}
        else:
            number = case_number(case_id)
            subject = _("Safety notice about case %(case)s") % {"case": number}
            body = _("A safety notice about case %(case)s is waiting. Please sign in.") % {"case": number}
        site = settings.NOTIFY_SITE_URL.rstrip("/")
        if site:
            body = f"{body} {site}{reverse('notifications:inbox')}"
    return subject, body
