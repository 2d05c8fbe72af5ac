"""Validators shared by the forms, the API and the search boxes.

``no_control_characters`` is installed on every text field of every form and
every API serializer (``install_text_field_checks``, called from
``core.apps``); it is the one definition of "control character" that the
search boxes (``core.search``) and the NUL check at the door
(``core.middleware``) use too.
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils import timezone
from django.utils.deconstruct import deconstructible
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


# -- control characters -------------------------------------------------------

NUL = "\x00"
# Tab and the line breaks a textarea sends (CR LF): the only controls typed
# text has.
TEXT_CONTROLS = frozenset("\t\n\r")
# Unicode's own line and paragraph separators are invisible on the page and
# split a line in some programs but not others (a log viewer, a spreadsheet,
# old JavaScript), so what was typed is not what is read: they count as
# control characters too.
SEPARATORS = frozenset("\u2028\u2029")


def is_control_character(char: str) -> bool:
    """C0 and C1 controls (NUL, ESC, DEL, U+0080..U+009F...) and U+2028/U+2029."""
    return unicodedata.category(char) == "Cc" or char in SEPARATORS


def first_control_character(value: str, *, allowed: frozenset[str] = TEXT_CONTROLS) -> int | None:
    """The index of the first control character in ``value`` not in ``allowed``, or None."""
    for index, char in enumerate(value):
        if char not in allowed and is_control_character(char):
            return index
    return None


@deconstructible
class NoControlCharactersValidator:
    """Refuses a control character other than tab and the line breaks, saying
    where it is (counting from 1), since most of them cannot be seen."""

    message = _("Remove the control character at position %(position)s.")
    code = "control_character"

    def __call__(self, value) -> None:
        if not isinstance(value, str):
            return  # a UUID or JSON field's parsed value: its own checks apply
        index = first_control_character(value)
        if index is not None:
            raise ValidationError(self.message, code=self.code, params={"position": index + 1})

    def __eq__(self, other) -> bool:
        return isinstance(other, NoControlCharactersValidator)


no_control_characters = NoControlCharactersValidator()


def _with_control_character_check(init):
    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.validators = [
            no_control_characters if isinstance(validator, ProhibitNullCharactersValidator) else validator
            for validator in self.validators
        ]

    __init__.installed = True
    return __init__


def install_text_field_checks() -> None:
    """Make every Django form ``CharField`` and every DRF ``CharField`` (and
    their subclasses: textareas, hidden and password inputs, email, slug,
    regex and JSON fields) refuse control characters.

    Both classes give each field a ``ProhibitNullCharactersValidator`` in
    their ``__init__``; it is swapped for ``no_control_characters``, which
    refuses NUL as well, so a field says one thing about one character, and
    a subclass with its own ``default_validators`` cannot drop the check.
    Fields are built when a form or serializer class is defined, so this
    runs in ``CoreConfig.ready()`` and ``core`` comes first in
    ``INSTALLED_APPS``, before the admin imports any form.
    """
    from django import forms
    from rest_framework import fields

    for field_class in (forms.CharField, fields.CharField):
        if not getattr(field_class.__init__, "installed", False):
            field_class.__init__ = _with_control_character_check(field_class.__init__)
