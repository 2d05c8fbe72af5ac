"""The language of the API's answers: the ``Accept-Language`` header alone,
English when it names no language of the interface.

The web pages keep Django's choice (the switcher's cookie, the browser's
language, then ``LANGUAGE_CODE``, Russian) and a signed-in user's profile
language (``accounts.middleware.UserLanguageMiddleware``). A partner system
is no browser: it sends no cookie it means as a choice, and a program that
reads error messages is more likely written for English than for the site's
default. So under ``/api/`` (the endpoints, the OpenAPI document and its
reference page) a cookie, a session or a profile language count for nothing:
the header picks one of ``settings.LANGUAGES`` (weights and regional variants
as a browser sends them: ``ky-KG, ru;q=0.8``), else English. The answer's
``Content-Language`` says which; LocaleMiddleware adds ``Vary:
Accept-Language``.

Not for: the web pages' language (``LocaleMiddleware``,
``accounts.middleware.UserLanguageMiddleware``), or the schema's parameter
that documents this rule (``accounts.api_schema``).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

API_PREFIX = "/api/"
# The language of an API answer when the request names none the interface has.
API_DEFAULT_LANGUAGE = "en"


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def api_language(request: HttpRequest) -> str:
    """The first language of ``settings.LANGUAGES`` that the request's
    ``Accept-Language`` names, by weight; English if none (or ``*``)."""
    for code, _weight in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return API_DEFAULT_LANGUAGE


class ApiLanguageMiddleware:
    """Under ``/api/``, answer in ``api_language``. After LocaleMiddleware
    and UserLanguageMiddleware, whose choice it replaces there."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_api_request(request):
            return self.get_response(request)
        language = api_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers["Content-Language"] = language
        return response
