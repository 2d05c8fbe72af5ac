"""How the JSON API answers errors.

DRF's own handler does the work; this one makes Django's exceptions and
malformed bodies answer with a clear ``{"detail": ...}`` and never echoes
what was sent (a request body may carry survivor data). Anything else that
escapes a view is still Django's plain 500, reported without request data
(``core.reporting``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers, status
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import api_validation_error

JSON_ERROR_PREFIX = "JSON parse error - "


class BadRequest(exceptions.APIException):
    """A 400 about the request itself (a header, the body as a whole)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("The request is not valid.")
    default_code = "bad_request"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "too_large"


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, but a body nested deeper than Python's parser goes
    (a few thousand brackets) is a 400 like any other malformed JSON, not a
    RecursionError and a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(JSON_ERROR_PREFIX + "nested too deeply") from None


def _clear_parse_error(exc: exceptions.ParseError) -> exceptions.ParseError:
    detail = str(exc.detail)
    if detail.startswith(JSON_ERROR_PREFIX):
        # The reason from the json module names a position, never content.
        reason = detail[len(JSON_ERROR_PREFIX) :]
        return exceptions.ParseError(
            _("The request body is not valid JSON (%(reason)s).") % {"reason": reason}, code="invalid_json"
        )
    return exc


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        # Http404's own message may name the object; outsiders learn nothing.
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    elif isinstance(exc, DjangoValidationError):
        # A service refusal that a view did not map: still a 400, not a 500.
        exc = api_validation_error(exc)
    elif isinstance(exc, exceptions.ParseError):
        exc = _clear_parse_error(exc)
    return drf_exception_handler(exc, context)
