"""Submission keys: a form that creates something carries a key made when
the empty form is shown, and the service that creates the thing stores it
in a unique column. A double click or a resend of the same page then
returns what the first submission recorded instead of recording it again
(and so never makes a second event, notice or message).

This module has the form side (``SubmissionKeyMixin``) and the service side
(``known_submission`` and ``save_once``). It does not decide who may create
what: the services do that before they look at a key.
"""

from __future__ import annotations

import uuid
from typing import TypeVar

from django import forms
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

FIELD = "submission_key"
EXPIRED = _("This form has expired. Check the details and submit again.")

M = TypeVar("M", bound=models.Model)


class SubmissionKeyField(forms.UUIDField):
    widget = forms.HiddenInput
    default_error_messages = {"required": EXPIRED, "invalid": EXPIRED}


class SubmissionKeyMixin:
    """Adds a hidden ``submission_key``: a fresh UUID each time the empty
    form is shown, the posted one when the page comes back with errors.

    A post without a key, or with one that is not a UUID, is refused with a
    field error (nothing is recorded, since without a key a resend could
    not be recognised) and the page comes back with a fresh key, so the
    next submission goes through. Put the mixin before the form class."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields[FIELD] = SubmissionKeyField()
        self.fields[FIELD].initial = uuid.uuid4()
        self.key_refused = False
        if self.is_bound:
            name = self.add_prefix(FIELD)
            try:
                uuid.UUID(str(self.data.get(name) or "").strip())
            except ValueError:
                self.key_refused = True
                self.data = self.data.copy()
                self.data[name] = str(uuid.uuid4())

    def clean(self):
        data = super().clean()
        if self.key_refused:
            self.add_error(FIELD, EXPIRED)
        return data


def known_submission(scope: models.QuerySet[M], key: uuid.UUID | None) -> tuple[M | None, uuid.UUID | None]:
    """What a key already recorded, within ``scope`` (the caller's case and
    author). Returns (existing, key to store). A key recorded outside the
    scope is neither returned nor revealed: the new row is stored without
    a key instead."""
    if not key:
        return None, None
    existing = scope.model._default_manager.filter(**{FIELD: key}).first()
    if existing is None:
        return None, key
    if scope.filter(pk=existing.pk).exists():
        return existing, key
    return None, None


def already_submitted(scope: models.QuerySet[M], raw: object) -> M | None:
    """The row a posted key (as sent, unparsed) already recorded within
    ``scope``, for a view whose form would refuse the resend before the
    service sees it (a follow-up point that the first submission closed is
    no longer a choice)."""
    try:
        key = uuid.UUID(str(raw or "").strip())
    except ValueError:
        return None
    return scope.filter(**{FIELD: key}).first()


def save_once(obj: M, scope: models.QuerySet[M]) -> tuple[M, bool]:
    """Insert ``obj``; if the same key was stored at the same moment by
    another request (the unique constraint refuses this one), return that
    row instead. Returns (row, created). Call it for the first row the
    service writes, before any event or timeline entry."""
    key = getattr(obj, FIELD)
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        existing = scope.filter(**{FIELD: key}).first() if key else None
        if existing is None:
            raise
        return existing, False
    return obj, True
