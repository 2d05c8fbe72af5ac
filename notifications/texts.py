"""What an email or SMS says: that a notice is waiting, and the case number.

Never the survivor, never the person's name, never the facts: the detail is
behind sign-in. Rendered in the recipient's interface language.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from casework.models import Case


def case_number(case_id: int) -> str:
    return Case(pk=case_id).number


def outgoing_message(*, case_id: int, language: str) -> tuple[str, str]:
    """(subject, body) of the email; the SMS is the body."""
    number = case_number(case_id)
    language = language if language in {code for code, _label in settings.LANGUAGES} else settings.LANGUAGE_CODE
    with translation.override(language):
        subject = _("Safety notice about case %(case)s") % {"case": number}
        body = _("A safety notice about case %(case)s is waiting. Please sign in.") % {"case": number}
        site = settings.NOTIFY_SITE_URL.rstrip("/")
        if site:
            body = f"{body} {site}{reverse('notifications:inbox')}"
    return subject, body
