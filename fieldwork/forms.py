"""Parsing what a device sends to the sync endpoint. It parses only: the
service decides. Each entry is checked on its own, and a bad one is
answered with errors keyed by its fields, while the others go ahead."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fieldwork.services import Base, Entry
from programmes.models import Attendance
from referrals.models import NOTE_MAX_LENGTH

# Entries in one request: a week of a practitioner's sessions fits many times.
MAX_ENTRIES = 50
MAX_MARKS = 100


class AwareDateTimeField(forms.Field):
    """An ISO 8601 time with its offset ("2025-05-01T10:30:00+05:00" or "...Z")."""

    default_error_messages = {
        "invalid": gettext_lazy("Give a date and time in ISO 8601 with its time zone."),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        moment = parse_datetime(value) if isinstance(value, str) else None
        if moment is None or timezone.is_naive(moment):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return moment


class EntryForm(forms.Form):
    key = forms.UUIDField()
    session = forms.IntegerField(min_value=1)
    recorded_at = AwareDateTimeField()
    base_starts_at = AwareDateTimeField()
    base_location = forms.CharField(required=False, max_length=200, strip=False)
    base_logged_at = AwareDateTimeField(required=False)
    topic_covered = forms.CharField(required=False, max_length=200)
    notes = forms.CharField(required=False, max_length=NOTE_MAX_LENGTH, strip=False)

    def __init__(self, data: dict[str, Any]):
        # The JSON body's lists and objects are checked by hand below, their
        # errors kept under keys such as "marks.<enrolment id>".
        self.raw = data
        self.more_errors: dict[str, list[str]] = {}
        super().__init__({k: v for k, v in data.items() if isinstance(v, str | int | float | bool)})

    def clean(self):
        cleaned = super().clean()
        cleaned["marks"] = self._marks()
        cleaned["confirmed"] = self._confirmed()
        return cleaned

    def is_valid(self) -> bool:
        valid = super().is_valid()
        return valid and not self.more_errors

    def error_dict(self) -> dict[str, list[str]]:
        """Every error, by field (``non_field_errors`` for the entry as a whole)."""
        errors = {key: [str(m) for m in messages] for key, messages in self.errors.items()}
        if "__all__" in errors:
            errors["non_field_errors"] = errors.pop("__all__")
        return errors | self.more_errors

    def _error(self, key: str, message: str) -> None:
        self.more_errors.setdefault(key, []).append(message)

    def _marks(self) -> dict[int, str]:
        marks = self.raw.get("marks")
        if not isinstance(marks, dict) or not marks or len(marks) > MAX_MARKS:
            self._error("marks", _("Mark every participant."))
            return {}
        cleaned: dict[int, str] = {}
        for key, mark in marks.items():
            if not str(key).isdigit():
                self._error("marks", _("A participant is given by a number."))
            elif mark not in Attendance.Mark.values:
                self._error(f"marks.{key}", _("Choose present, late, excused or unexcused."))
            else:
                cleaned[int(key)] = mark
        return cleaned

    def _confirmed(self) -> frozenset[int]:
        confirmed = self.raw.get("confirmed", [])
        if not isinstance(confirmed, list) or not all(type(c) is int for c in confirmed):
            self._error("confirmed", _("Give the confirmed participants as numbers."))
            return frozenset()
        return frozenset(confirmed)

    def entry(self) -> Entry:
        data = self.cleaned_data
        return Entry(
            key=data["key"],
            session_id=data["session"],
            recorded_at=data["recorded_at"],
            base=Base(
                starts_at=data["base_starts_at"],
                location=data["base_location"] or "",
                logged_at=data["base_logged_at"],
            ),
            marks=data["marks"],
            topic_covered=data["topic_covered"] or "",
            notes=data["notes"] or "",
            confirmed=data["confirmed"],
        )


def entries_of(body: Any) -> list[Any]:
    """The list of entries of a request body, or a ValidationError."""
    if not isinstance(body, dict) or not isinstance(body.get("entries"), list):
        raise ValidationError({"entries": [_("Send the entries as a list.")]})
    entries = body["entries"]
    if len(entries) > MAX_ENTRIES:
        raise ValidationError({"entries": [_("Send at most %(n)d entries at a time.") % {"n": MAX_ENTRIES}]})
    return entries


def key_of(raw: Any) -> str | None:
    """The entry's key when it is one, to label its answer."""
    try:
        return str(uuid.UUID(str(raw.get("key")))) if isinstance(raw, dict) else None
    except ValueError:
        return None
