"""A service's refusal, shown where the user typed.

Services raise Django's ``ValidationError`` keyed by the argument at fault
(``{"starts_at": [...]}``, ``{"__all__": [...]}``, or a bare message). The
web form and the API show the same refusal:

- ``add_service_errors(form, exc)``: a key that names a field of the form
  goes to that field, anything else is a non-field error;
- ``api_validation_error(exc)``: a DRF ``ValidationError`` with the same
  keys, ``__all__`` becoming ``non_field_errors``.

A page with several forms (or an API body with nested objects) routes keys
with ``service_error_dict``; no view reads ``message_dict`` itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms import BaseForm
from rest_framework import exceptions
from rest_framework.settings import api_settings

FieldFor = Mapping[str, str | None] | Callable[[str], str | None]


def service_error_dict(exc: ValidationError) -> dict[str, list[str]]:
    """``{key: [message, ...]}``; an error without keys is under ``__all__``."""
    if hasattr(exc, "error_dict"):
        return {key: [str(m) for m in messages] for key, messages in exc.message_dict.items()}
    return {NON_FIELD_ERRORS: [str(m) for m in exc.messages]}


def service_error_messages(exc: ValidationError) -> list[str]:
    """Every message, in order, for a page that shows them as one list."""
    return [message for messages in service_error_dict(exc).values() for message in messages]


def _field_for(fields: FieldFor | None, key: str) -> str | None:
    if fields is None:
        return key
    if callable(fields):
        return fields(key)
    return fields.get(key, key)


def add_service_errors(form: BaseForm, exc: ValidationError, fields: FieldFor | None = None) -> None:
    """Put a service's errors onto ``form``. ``fields`` renames a service key
    to a form field (a mapping, missing keys kept as they are, or a
    function); a key that is not a field of the form (``__all__`` included)
    becomes a non-field error."""
    for key, messages in service_error_dict(exc).items():
        name = _field_for(fields, key)
        form.add_error(name if name in form.fields else None, messages)


def api_error_dict(exc: ValidationError) -> dict[str, list[str]]:
    errors = service_error_dict(exc)
    if NON_FIELD_ERRORS in errors:
        errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
    return errors


def api_validation_error(exc: ValidationError) -> exceptions.ValidationError:
    """The same refusal as a 400 from the API: field keys kept,
    ``__all__`` under ``non_field_errors``."""
    return exceptions.ValidationError(api_error_dict(exc))
