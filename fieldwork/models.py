"""What arrived from a device in the field: one row per entry (one
session's log), keyed by the idempotency key the device gave it.

The row is the promise of "exactly once": it is written in the same
transaction as the attendance it applied, so an entry sent again (a retry,
a send cut off half-way, a second tab) finds it and gets the first answer
back without changing anything. It keeps the answer as codes, ids and
times (never names, never the note: the note is on the session, encrypted),
when the entry was recorded on the device and when it arrived.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from programmes.models import Session


class FieldEntry(models.Model):
    class Outcome(models.TextChoices):
        APPLIED = "applied", _("Applied")
        # Nothing was applied: the session changed on the server since the
        # device was prepared (``result["conflicts"]`` says how).
        CONFLICT = "conflict", _("Conflict")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    key = models.UUIDField(_("idempotency key"))
    session = models.ForeignKey(Session, on_delete=models.SET_NULL, null=True, related_name="field_entries")
    # When the practitioner saved it on her device (the device's clock).
    recorded_at = models.DateTimeField(_("recorded on the device at"))
    # When it reached the server and was applied (or found in conflict).
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    # The answer given the first time, as codes, ids and ISO times.
    result = models.JSONField(default=dict)
    # A keyed hash of what was sent, to tell a true repeat from a key reused
    # for different content (neither changes anything).
    digest = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("entry from the field")
        verbose_name_plural = _("entries from the field")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="field_entry_key_once_per_user")]

    def __str__(self) -> str:
        return f"field entry {self.key} ({self.outcome})"
