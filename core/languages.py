"""Which language a text is written in, when a stored code chooses it (a
user's or a participant's preferred language): the code if the interface has
that language (``settings.LANGUAGES``), else the site's (``LANGUAGE_CODE``).

Not for choosing a request's language: that is LocaleMiddleware's, a
signed-in user's profile (``accounts.middleware.UserLanguageMiddleware``) and,
under /api/, ``core.api_language``."""

from __future__ import annotations

from django.conf import settings


def is_interface_language(code: str | None) -> bool:
    return bool(code) and code in dict(settings.LANGUAGES)


def interface_language(code: str | None) -> str:
    return code if code and is_interface_language(code) else settings.LANGUAGE_CODE
