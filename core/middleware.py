"""Refuse NUL characters at the door.

PostgreSQL cannot store a NUL (``\\x00``) in text, so one that reaches a query
is a 500; one kept in a session (a search term) used to make a list a 500
for the rest of the session. No page or API endpoint has a use for one, so a
NUL in the path, a query string, a form field's name or a JSON body is
answered here with a 400 that says why, before any view runs.

Only NUL is refused here: other control characters can be stored, and one
in a field's *value* (a form's or the API's) is refused by that field with an
error that says which box is wrong and where (``core.validators``). A line
break in a note is not hostile, so a body cannot be judged whole at the door.
Search boxes check their own term (``core.search``).

``PlainNotFoundMiddleware`` keeps Django's DEBUG 404 page (a list of every
URL pattern) from a development server.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, get_resolver, resolve
from django.utils.translation import gettext as _

from core.validators import NUL


def _nul_place(value, place: str = "") -> str | None:
    """Where a parsed JSON value holds a NUL, in any string or key, as a dotted
    path ("entries.1.notes"; "" for the whole body), or None."""
    if isinstance(value, str):
        return place if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            if NUL in key:
                return place
            found = _nul_place(item, f"{place}.{key}" if place else key)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_place(item, f"{place}.{index}" if place else str(index))
            if found is not None:
                return found
    return None


def _query_has_nul(querydict) -> bool:
    return any(NUL in key or any(NUL in v for v in values) for key, values in querydict.lists())


def _json_nul_place(request: HttpRequest) -> str | None:
    if request.method not in {"POST", "PUT", "PATCH"}:
        return None
    if not (request.content_type or "").endswith("json"):
        return None
    try:
        return _nul_place(json.loads(request.body))
    except (ValueError, UnicodeDecodeError, RecursionError, RequestDataTooBig):
        # A body that is no JSON, nested past what Python can walk, or larger
        # than Django reads: the view (or the API's parser) answers it itself.
        return None


def _form_keys_have_nul(request: HttpRequest) -> bool:
    # The API parses its own bodies (JSON only; a form body is its 415).
    if request.method != "POST" or request.path.startswith("/api/"):
        return False
    if request.content_type not in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        return False
    return any(NUL in key for key in request.POST)


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if NUL in request.path or _query_has_nul(request.GET) or _form_keys_have_nul(request):
            return self._refuse(request)
        place = _json_nul_place(request)
        if place is not None:
            return self._refuse(request, place=place)
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest, place: str | None = None) -> HttpResponse:
        message = _("The request contains a NUL character, which is not allowed.")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=400)
        if place is not None:
            # A JSON body outside the API (the field sync): say which field, as its own errors do.
            return JsonResponse({"detail": message, "errors": {place or "non_field_errors": [message]}}, status=400)
        if "json" in request.headers.get("Accept", ""):
            return JsonResponse({"detail": message}, status=400)
        return render(request, "400.html", {"message": message}, status=400)


class PlainNotFoundMiddleware:
    """Under DEBUG (``make run``), answer a 404 with the site's own page.

    Django's DEBUG 404 page lists every URL pattern of the project and the
    settings to whoever asks, signed in or not. Production never runs with
    DEBUG (config/settings/production.py refuses to start); on a developer's
    machine this keeps the same page from anyone who can reach the port, and
    a probe of ``make run`` sees what production shows. DEBUG's traceback
    page for a 500 is kept: it is what a developer needs.

    Last in ``MIDDLEWARE``: the 404 still passes back through the slash and
    language redirects. Not used at all when DEBUG is off.
    """

    def __init__(self, get_response):
        if not settings.DEBUG:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404 as exc:
            return self._not_found(request, exc)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404):
            return self._not_found(request, exception)
        return None

    @staticmethod
    def _not_found(request: HttpRequest, exception: Http404) -> HttpResponse:
        handler = get_resolver(getattr(request, "urlconf", None)).resolve_error_handler(404)
        return handler(request, exception)
