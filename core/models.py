"""Cross-cutting records: the append-only log of sensitive reads, the
heartbeats of the background processes, and the timeline of every referral."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.timeline import detail_text, label_for


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


class TimelineEntry(models.Model):
    """One meaningful change to a referral or its case: who, when, what.

    ``kind`` is a code declared by the app that writes it (``core.timeline``);
    its label is looked up when the entry is shown, in the reader's language.
    ``params`` is what the entry says beyond its kind, in no language (codes,
    numbers, ISO dates, names users typed; never a survivor detail or a note);
    the kind's declared detail turns it into text when the entry is shown
    (``detail_text``). ``detail`` is the legacy column: the English text that
    entries carried before params existed, kept as written; new entries
    leave it empty, and it is shown only for an old entry whose text the
    migration could not read into params. The table is append-only for the
    application's database role (``core.dbroles``)."""

    referral = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    actor_organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    # Legacy: the text of entries written before params (see above).
    detail = models.CharField(max_length=300, blank=True)
    # Survivor-side entries are hidden from perpetrator-facing staff and police.
    survivor_side = models.BooleanField(default=False)

    class Meta:
        # The table keeps the name it had when the model lived in referrals.
        db_table = "referrals_timelineentry"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        # Never survivor data or notes: str() reaches logs and the admin.
        return f"{self.referral} {self.kind} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def kind_label(self):
        return label_for(self.kind)

    @property
    def detail_text(self) -> str:
        """What the entry says beyond its kind, in the active language."""
        return detail_text(self.kind, self.params, self.detail)
