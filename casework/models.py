from __future__ import annotations

from typing import Any

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Language, Organisation
from core.crypto import EncryptedTextField
from core.shipped import shown
from referrals.models import NOTE_MAX_LENGTH, Referral, Survivor


class Case(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="case")
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(auto_now_add=True, db_index=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    current_risk_level = models.CharField(_("current risk level"), max_length=10, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"K-{self.pk:04d}" if self.pk else "K-new"


class SurvivorServiceReferral(models.Model):
    """The survivor was referred to a crisis centre, which from then on is a
    party to the case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="survivor_services")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="survivor_cases")
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    referred_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "organisation"], name="one_referral_per_service")]

    def __str__(self) -> str:
        # Never survivor data or notes: str() reaches logs and the admin.
        return f"{self.case} → organisation #{self.organisation_id}"


class IntakeInterview(models.Model):
    class Acknowledgement(models.TextChoices):
        YES = "yes", _("Acknowledges having been violent")
        PARTLY = "partly", _("Partly, minimises or blames others")
        NO = "no", _("Denies")

    class Level(models.TextChoices):
        NONE = "none", _("None")
        SOME = "some", _("Some, not dependent")
        DEPENDENT = "dependent", _("Dependent")

    class Motivation(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="intake")
    interviewed_on = models.DateField(_("interview date"))
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    language = models.CharField(_("language of the interview"), max_length=2, choices=Language.choices)
    acknowledges_violence = models.CharField(
        _("acknowledgement of violence"), max_length=10, choices=Acknowledgement.choices
    )
    violence_within_family_only = models.BooleanField(_("violence only or mostly within the family"), default=True)
    substance_use = models.CharField(_("alcohol or drug use"), max_length=10, choices=Level.choices)
    mental_health_concern = models.BooleanField(_("signs of acute mental illness"), default=False)
    motivation = models.CharField(_("motivation to change"), max_length=10, choices=Motivation.choices)
    violence_history = EncryptedTextField(_("history of violence"), max_length=NOTE_MAX_LENGTH)
    notes = EncryptedTextField(_("interview notes"), max_length=NOTE_MAX_LENGTH)
    recorded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        # Never survivor data or notes: str() reaches logs and the admin.
        return f"Intake of {self.case}"


class Consent(models.Model):
    class Kind(models.TextChoices):
        PERSON_RELEASE = "person_release", _("Referred person: release of information to partner agencies")
        SURVIVOR_CONTACT = "survivor_contact", _("Survivor: agrees to be contacted")
        SURVIVOR_SHARING = "survivor_sharing", _("Survivor: agrees that her details go to a survivor service")

    class Decision(models.TextChoices):
        GIVEN = "given", _("Given")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    survivor = models.ForeignKey(Survivor, on_delete=models.CASCADE, null=True, blank=True, related_name="consents")
    kind = models.CharField(_("consent"), max_length=20, choices=Kind.choices)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="person_release", survivor__isnull=True)
                | (~Q(kind="person_release") & Q(survivor__isnull=False)),
                name="consent_subject_matches_kind",
            )
        ]

    def __str__(self) -> str:
        # Never survivor data or notes: str() reaches logs and the admin.
        return f"{self.case}: {self.kind} {self.decision}"


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    SEVERE = "severe", _("Severe")


RISK_LEVEL_ORDER = {RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2, RiskLevel.SEVERE: 3}


class RiskInstrument(models.Model):
    """A risk instrument as data: items with weights and level thresholds.

    The shipped one is a plain checklist built from the referral risk flags.
    Licensed instruments are loaded by an organisation that holds a licence
    (``manage.py load_risk_instrument``); ``organisation`` then limits who
    may use it."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="risk_instruments"
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("risk instrument")
        verbose_name_plural = _("risk instruments")

    def __str__(self) -> str:
        return self.name

    def level_for(self, score: int) -> str:
        level = RiskLevel.LOW
        for threshold in sorted(self.thresholds.all(), key=lambda t: t.min_score):
            if score >= threshold.min_score:
                level = threshold.level
        return level


class RiskItem(models.Model):
    instrument = models.ForeignKey(RiskInstrument, on_delete=models.CASCADE, related_name="items")
    code = models.SlugField(_("code"), max_length=50)
    text_en = models.CharField(_("text (English)"), max_length=300)
    text_ru = models.CharField(_("text (Russian)"), max_length=300)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    # An item answered "yes" on its own makes the level at least this.
    forces_level = models.CharField(_("forces at least"), max_length=10, choices=RiskLevel.choices, blank=True)
    # A referral risk flag that pre-ticks this item.
    referral_flag = models.CharField(_("referral risk flag"), max_length=32, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["instrument", "code"], name="risk_item_code_unique")]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """Its own Russian for a Russian reader; else the English, in the
        reader's language when it is a shipped item's (``core.shipped``)."""
        from django.utils.translation import get_language

        return self.text_ru if (get_language() or "ru").startswith("ru") else shown(self.text_en)


class RiskThreshold(models.Model):
    instrument = models.ForeignKey(RiskInstrument, on_delete=models.CASCADE, related_name="thresholds")
    level = models.CharField(_("level"), max_length=10, choices=RiskLevel.choices)
    min_score = models.PositiveSmallIntegerField(_("from score"))

    class Meta:
        ordering = ["min_score"]
        constraints = [models.UniqueConstraint(fields=["instrument", "level"], name="risk_threshold_unique")]

    def __str__(self) -> str:
        # Never survivor data or notes: str() reaches logs and the admin.
        return f"{self.level} from {self.min_score}"


class RiskAssessment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="risk_assessments")
    instrument = models.ForeignKey(RiskInstrument, on_delete=models.PROTECT, related_name="+")
    # {item code: true/false}, as answered.
    answers = models.JSONField(default=dict)
    score = models.PositiveSmallIntegerField()
    level = models.CharField(max_length=10, choices=RiskLevel.choices)
    is_initial = models.BooleanField(default=False)
    notes = EncryptedTextField(_("notes"), max_length=NOTE_MAX_LENGTH)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField(auto_now_add=True)
    # Made when the form is shown: a resend of the same page returns this row
    # (core.submission).
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-assessed_at", "-id"]

    def __str__(self) -> str:
        # Never survivor data or notes: str() reaches logs and the admin.
        return f"{self.case}: {self.level} ({self.score})"


class SurvivorContact(models.Model):
    class Method(models.TextChoices):
        PHONE = "phone", _("Phone")
        IN_PERSON = "in_person", _("In person")
        MESSAGE = "message", _("Message")

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached")
        NOT_REACHED = "not_reached", _("Not reached")
        DECLINED = "declined", _("Declined further contact")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="survivor_contacts")
    survivor = models.ForeignKey(Survivor, on_delete=models.CASCADE, related_name="contacts")
    contacted_on = models.DateField(_("date"))
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    informed_about_programme = models.BooleanField(_("informed about the programme"), default=False)
    notes = EncryptedTextField(_("notes"), max_length=NOTE_MAX_LENGTH)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    # Made when the form is shown: a resend of the same page returns this row
    # (core.submission).
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-contacted_on", "-id"]

    def __str__(self) -> str:
        # Never survivor data or notes: str() reaches logs and the admin.
        return f"Contact #{self.pk} on {self.case}"


class SafetyPlan(models.Model):
    """Kept by the survivor-service worker. Every field is encrypted; every
    read is recorded.

    Every save is kept as a ``SafetyPlanVersion`` (below)."""

    survivor = models.OneToOneField(Survivor, on_delete=models.CASCADE, related_name="safety_plan")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="safety_plans")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    risks = EncryptedTextField(_("risks"), max_length=NOTE_MAX_LENGTH)
    safe_contacts = EncryptedTextField(_("safe contacts"), max_length=NOTE_MAX_LENGTH)
    safe_places = EncryptedTextField(_("safe places"), max_length=NOTE_MAX_LENGTH)
    code_word = EncryptedTextField(_("code word"), max_length=100)
    children_safety = EncryptedTextField(_("children's safety"), max_length=NOTE_MAX_LENGTH)
    next_review_on = models.DateField(_("next review date"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        # Never survivor data or notes: str() reaches logs and the admin.
        return f"Safety plan #{self.pk} on {self.case}"


# Every save of a safety plan, written by database triggers (django-pghistory)
# from the row as stored: the same ciphertext as the plan, never clear text,
# whichever route wrote the row. Append-only: a trigger refuses UPDATE and
# DELETE. "created" is the first save, "changed" every later one.
SafetyPlanVersion: Any = pghistory.create_event_model(
    SafetyPlan,
    pghistory.InsertEvent("created"),
    pghistory.UpdateEvent("changed"),
    model_name="SafetyPlanVersion",
    abstract=False,
    obj_field=pghistory.ObjForeignKey(related_name="versions"),
    # No pghistory context column: the version row itself says who saved it and when.
    context_field=None,  # type: ignore[arg-type]  # pghistory accepts None; its annotation omits it
    append_only=True,
)
