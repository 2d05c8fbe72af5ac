"""Cross-cutting records: the append-only log of sensitive reads."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SensitiveRead(models.Model):
    """One row per read of a survivor record, safety plan or therapy note.

    The table is append-only: a database trigger (migration 0002) rejects
    UPDATE, DELETE and TRUNCATE, whoever asks.
    """

    class RecordType(models.TextChoices):
        SURVIVOR = "survivor", _("Survivor record")
        SAFETY_PLAN = "safety_plan", _("Safety plan")
        SURVIVOR_CONTACTS = "survivor_contacts", _("Survivor contact log")
        THERAPY_NOTES = "therapy_notes", _("Therapy notes")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    record_type = models.CharField(max_length=32, choices=RecordType.choices)
    record_id = models.BigIntegerField()
    view = models.CharField(max_length=100)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["record_type", "record_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.record_type}#{self.record_id} via {self.view}"


class Heartbeat(models.Model):
    """When a background process last proved it was alive (``/healthz``).

    "worker": the relay loop in the Celery worker's main process, each
    round (it needs the database only). "beat": a task that beat sends
    through the broker and a worker runs, so a fresh "beat" row proves
    beat, the broker and the worker's consumer together.
    """

    name = models.CharField(max_length=32, primary_key=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"
