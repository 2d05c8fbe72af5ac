from __future__ import annotations

import datetime as dt

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The range of dates any date field accepts: a year like 0001 or 9999 is a
# typing slip, and PostgreSQL and Python disagree about the far ends.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2099, 12, 31)


def not_before_1900(value: dt.date) -> None:
    if value and value < EARLIEST_DATE:
        raise ValidationError(_("Enter a date in 1900 or later."), code="too_early")


def not_after_2099(value: dt.date) -> None:
    if value and value > LATEST_DATE:
        raise ValidationError(_("Enter a date before the year 2100."), code="too_late")


def plausible_date(value: dt.date) -> None:
    """A date within ``EARLIEST_DATE``..``LATEST_DATE`` (every date field)."""
    not_before_1900(value)
    not_after_2099(value)


def not_in_future(value: dt.date) -> None:
    if value and value > timezone.localdate():
        raise ValidationError(_("This date is in the future."), code="future")


def plausible_birth_date(value: dt.date) -> None:
    not_in_future(value)
    if value and value < dt.date(1900, 1, 1):
        raise ValidationError(_("Enter a date of birth after 1900."), code="too_old")


def normalise_phone(value: str, region: str | None = None) -> str:
    """Return the number in E.164, or raise a field-level ValidationError."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, region or settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("Enter a valid phone number, e.g. +996 555 123 456."), code="invalid_phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Enter a valid phone number, e.g. +996 555 123 456."), code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def valid_phone(value: str) -> None:
    normalise_phone(value)
