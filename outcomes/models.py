"""Questionnaires as data, their administrations and scores, and the
follow-up points of an enrolment.

An instrument is data: scales (with subscales), items (number, subscale,
perspective), answer categories with their scoring values, and a scoring
method. Item wording is never shipped: ``ItemText`` rows come only from
``manage.py import_instrument_text`` run by an organisation that holds a
licence.

An administration is one questionnaire filled in, by the referred person, a
survivor (only with her agreement, entered by her survivor service and never
visible to perpetrator-facing staff or police) or a close relation. Its raw
answers are encrypted; its scores are plain numeric rows (``ScaleScore``) so
that figures can be aggregated in the database.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Language, Organisation
from casework.models import Case
from core.crypto import EncryptedTextField
from outcomes import scoring
from referrals.models import NOTE_MAX_LENGTH, Relationship, Survivor

ITEM_TEXT_MAX_LENGTH = 1000


class Perspective(models.TextChoices):
    SELF = "self", _("respondent's own act")
    PARTNER = "partner", _("partner's act")


class ScaleRule(models.TextChoices):
    FREQUENCY = "frequency", _("Annual frequency (CTS2 categories)")
    SUM = "sum", _("Sum of the item values")
    MEAN = "mean", _("Mean of the item values")
    COUNT = "count", _("Number of acts")
    PREVALENCE = "prevalence", _("Any act (prevalence)")


class Instrument(models.Model):
    class ScoringMethod(models.TextChoices):
        # Prevalence, ever-prevalence and annual frequency from the answer
        # categories' midpoints (the CTS2 family).
        FREQUENCY = "frequency", _("Frequency categories (prevalence, ever, annual frequency)")
        # Each scale scored by its own rule (sum, mean, count of acts,
        # prevalence) from the answer categories' values; loaded from a file
        # (``outcomes.instrument_file``).
        RULES = "rules", _("Scale rules (sum, mean, count of acts, prevalence)")

    code = models.SlugField(_("code"), max_length=30)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=200)
    citation = models.CharField(_("source"), max_length=500, blank=True)
    licence_note = models.TextField(_("licence"), blank=True)
    scoring_method = models.CharField(_("scoring method"), max_length=20, choices=ScoringMethod.choices)
    # [{"code": 0, "label": "Never", "midpoint": 0, "past_year": false, "ever": false}, ...]
    response_options = models.JSONField(_("answer categories"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    # A questionnaire loaded from a file: its name per language ({"en": ...}).
    names = models.JSONField(_("names"), default=dict, blank=True)
    # Empty: offered to every organisation (shipped, or loaded by the
    # management command); else only to the organisation that uploaded it.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("organisation")
    )
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    loaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="instrument_code_version_unique")]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    @property
    def label(self) -> str:
        """The name in the interface language: a loaded questionnaire's own
        translation, else the shipped name through gettext."""
        return localized(self.names) or gettext(self.name)


def localized(texts: dict | str | None) -> str:
    """A text given per language ({"en": ..., "ru": ...}) in the interface
    language, else English, else the first one given; "" for none."""
    if not texts:
        return ""
    if isinstance(texts, str):
        return gettext(texts)
    language = (get_language() or "ru")[:2]
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")


class Scale(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="scales")
    code = models.SlugField(_("code"), max_length=60)
    # Stored in English; shown through gettext (the names are in outcomes/cts2.py).
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="subscales")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # How the scale is scored (``outcomes.scoring``): "frequency" for the
    # CTS2 family, else sum, mean, count or prevalence.
    rule = models.CharField(_("scoring rule"), max_length=12, choices=ScaleRule.choices, default=ScaleRule.FREQUENCY)
    # A loaded questionnaire's scale name per language.
    names = models.JSONField(_("names"), default=dict, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["instrument", "code"], name="scale_code_unique")]

    def __str__(self) -> str:
        return self.code


class Item(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField(_("item"))
    # The subscale (or the scale, for a scale without subscales).
    scale = models.ForeignKey(Scale, on_delete=models.PROTECT, related_name="items")
    perspective = models.CharField(_("whose act"), max_length=8, choices=Perspective.choices)
    pair = models.PositiveSmallIntegerField(_("pair"), null=True, blank=True)
    # Scored the other way round (the highest value counts as the lowest).
    reversed = models.BooleanField(_("reversed"), default=False)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["instrument", "number"], name="item_number_unique")]

    def __str__(self) -> str:
        return f"{self.instrument.code} item {self.number}"


class ItemText(models.Model):
    """Licensed wording of an item in one language, imported by an
    organisation that holds a licence. ``organisation`` empty: the wording
    is for every organisation of this installation."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    text = models.CharField(_("wording"), max_length=ITEM_TEXT_MAX_LENGTH)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "language", "organisation"], name="item_text_unique_per_org"),
            models.UniqueConstraint(
                fields=["item", "language"], condition=Q(organisation__isnull=True), name="item_text_unique_global"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} [{self.language}]"


class Respondent(models.TextChoices):
    PERSON = "person", _("Referred person")
    SURVIVOR = "survivor", _("Survivor")
    CLOSE_RELATION = "close_relation", _("Close relation")


class Occasion(models.TextChoices):
    INTAKE = "intake", _("Intake (before the programme)")
    MID = "mid", _("Mid-programme")
    END = "end", _("End of the programme")
    AFTER_END = "after_end", _("Follow-up after the end")
    OTHER = "other", _("Other")


class Administration(models.Model):
    """One questionnaire filled in. ``answers`` holds {item number: code or
    null} as encrypted JSON; read it through ``answer_map``."""

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="administrations")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="questionnaires")
    respondent = models.CharField(_("respondent"), max_length=16, choices=Respondent.choices)
    survivor = models.ForeignKey(
        Survivor, on_delete=models.CASCADE, null=True, blank=True, related_name="questionnaires"
    )
    # A close relation is never named: only the relationship is kept.
    relation = models.CharField(_("relationship"), max_length=20, choices=Relationship.choices, blank=True)
    occasion = models.CharField(_("occasion"), max_length=10, choices=Occasion.choices)
    months = models.PositiveSmallIntegerField(_("months after the end"), null=True, blank=True)
    administered_on = models.DateField(_("date"))
    respondent_consented = models.BooleanField(_("the respondent agreed to answer"), default=False)
    answers = EncryptedTextField(_("answers"), blank=False)
    items_answered = models.PositiveSmallIntegerField(default=0)
    items_missing = models.PositiveSmallIntegerField(default=0)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    # Made when the form is shown: a resend of the same page returns this row
    # (core.submission).
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["administered_on", "id"]
        verbose_name = _("questionnaire filled in")
        verbose_name_plural = _("questionnaires filled in")
        constraints = [
            models.CheckConstraint(
                condition=Q(respondent="survivor", survivor__isnull=False)
                | (~Q(respondent="survivor") & Q(survivor__isnull=True)),
                name="administration_survivor_matches_respondent",
            )
        ]
        indexes = [models.Index(fields=["case", "respondent", "occasion"])]

    def __str__(self) -> str:
        # Never answers or survivor data: str() reaches logs and the admin.
        return f"Questionnaire #{self.pk} on {self.case}"

    def answer_map(self) -> dict[int, int | None]:
        raw = json.loads(self.answers or "{}")
        return {int(number): code for number, code in raw.items()}


class ScaleScore(models.Model):
    """The scores of one administration for one scale or subscale and one
    perspective. Null: not computable (see ``outcomes.scoring``)."""

    administration = models.ForeignKey(Administration, on_delete=models.CASCADE, related_name="scores")
    scale = models.ForeignKey(Scale, on_delete=models.PROTECT, related_name="+")
    perspective = models.CharField(max_length=8, choices=Perspective.choices)
    prevalence = models.BooleanField(null=True)
    ever = models.BooleanField(null=True)
    annual_frequency = models.PositiveIntegerField(null=True)
    # The scale's score by its rule (the annual frequency for the CTS2
    # family); null when not computable.
    value = models.FloatField(null=True)
    items_missing = models.PositiveSmallIntegerField(default=0)
    # Computed by the prorating rule (one unanswered item) rather than
    # from every item.
    prorated = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["administration", "scale", "perspective"], name="one_score_per_scale")
        ]

    def __str__(self) -> str:
        return f"{self.administration_id}/{self.scale_id}/{self.perspective}"

    @property
    def shown(self) -> int | float | None:
        """The score as the pages show it (``scoring.shown``)."""
        return scoring.shown(self.value)


class ScheduledMeeting(models.Model):
    """What a follow-up point and a monitoring meeting share: a point due on
    a date, its status, and when it was met and recorded by whom. Abstract:
    each keeps its own table, and its own fields of what was recorded."""

    class Status(models.TextChoices):
        DUE = "due", _("Due")
        DONE = "done", _("Done")
        MISSED = "missed", _("Missed")
        CANCELLED = "cancelled", _("No longer due")

    due_on = models.DateField(_("due on"), db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DUE)
    met_on = models.DateField(_("meeting date"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["due_on", "id"]


class FollowUp(ScheduledMeeting):
    """A point at which the person (or a close relation) is due for a
    questionnaire or a monitoring meeting: intake, end of the programme and
    the template's months after the end (see ``services.follow_ups_schedule``)."""

    class Kind(models.TextChoices):
        INTAKE = "intake", _("Intake")
        MID = "mid", _("Mid-programme")
        END = "end", _("End of the programme")
        AFTER_END = "after_end", _("Months after the end")

    enrolment = models.ForeignKey("programmes.Enrolment", on_delete=models.CASCADE, related_name="follow_ups")
    kind = models.CharField(_("point"), max_length=10, choices=Kind.choices)
    months = models.PositiveSmallIntegerField(_("months after the end"), default=0)
    respondent = models.CharField(
        _("respondent"),
        max_length=16,
        choices=[
            (Respondent.PERSON, Respondent.PERSON.label),
            (Respondent.CLOSE_RELATION, Respondent.CLOSE_RELATION.label),
        ],
        default=Respondent.PERSON,
    )
    # A mid-programme point: the session after which it is due.
    after_session = models.PositiveSmallIntegerField(_("after session"), null=True, blank=True)
    administration = models.ForeignKey(
        Administration, on_delete=models.SET_NULL, null=True, blank=True, related_name="follow_ups"
    )
    # A monitoring meeting, recorded like a session.
    attended = models.BooleanField(_("the person came"), null=True, blank=True)
    meeting_notes = EncryptedTextField(_("meeting notes"), max_length=NOTE_MAX_LENGTH)

    class Meta(ScheduledMeeting.Meta):
        verbose_name = _("follow-up point")
        verbose_name_plural = _("follow-up points")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "kind", "months", "respondent"], name="one_follow_up_per_point"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}+{self.months} of enrolment {self.enrolment_id}"

    @property
    def label(self) -> str:
        from django.utils.translation import gettext

        if self.kind == self.Kind.AFTER_END:
            text = gettext("%(months)d months after the end") % {"months": self.months}
        elif self.kind == self.Kind.MID and self.after_session:
            text = gettext("Mid-programme, after session %(number)d") % {"number": self.after_session}
        else:
            text = str(self.get_kind_display())
        if self.respondent == Respondent.CLOSE_RELATION:
            text = gettext("%(point)s, close relation") % {"point": text}
        return text


class ScoringSettings(models.Model):
    """How a provider scores questionnaires with unanswered items. The
    conservative rule (no score for a scale with a hole in it) unless the
    provider chose the prorating rule of the CTS literature: a scale with
    at most one unanswered item is scored from the mean of its answered
    items, and the score is marked as prorated wherever it is shown."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="scoring_settings", verbose_name=_("organisation")
    )
    prorate_missing = models.BooleanField(
        _("prorate a scale with one unanswered item"),
        default=False,
        help_text=_(
            "Off: a scale with any unanswered item has no score. On: a scale with at most one unanswered item "
            "is scored from the mean of its answered items, and marked as prorated."
        ),
    )
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("questionnaire scoring settings")
        verbose_name_plural = _("questionnaire scoring settings")

    def __str__(self) -> str:
        return f"scoring settings of {self.organisation_id}"


# --- Monitoring after the programme by bodies outside the provider --------------


class MonitoringAssignment(models.Model):
    """The concrete organisation that monitors one enrolment for one of the
    kinds its programme names (``ProgrammeTemplate.monitoring_bodies``),
    chosen by the provider."""

    enrolment = models.ForeignKey(
        "programmes.Enrolment", on_delete=models.CASCADE, related_name="monitoring_assignments"
    )
    body_kind = models.CharField(_("monitoring body"), max_length=32, choices=Organisation.Kind.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["enrolment", "body_kind"]
        verbose_name = _("monitoring body of an enrolment")
        verbose_name_plural = _("monitoring bodies of enrolments")
        constraints = [models.UniqueConstraint(fields=["enrolment", "body_kind"], name="one_monitoring_body_per_kind")]

    def __str__(self) -> str:
        return f"{self.body_kind} of enrolment {self.enrolment_id}"


class MonitoringMeeting(ScheduledMeeting):
    """One meeting a monitoring body is due to hold with the person after
    completion (``months`` after the end), and what it recorded: the date,
    whether contact was made, whether new violence was reported, and a note
    (encrypted; never shown to the provider or written to a log).

    A meeting still "due" after its due date is overdue: it counts as missed
    (``is_missed``) until it is recorded."""

    enrolment = models.ForeignKey("programmes.Enrolment", on_delete=models.CASCADE, related_name="monitoring_meetings")
    body_kind = models.CharField(_("monitoring body"), max_length=32, choices=Organisation.Kind.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="monitoring_meetings", verbose_name=_("organisation")
    )
    months = models.PositiveSmallIntegerField(_("months after completion"))
    contact_made = models.BooleanField(_("contact made"), null=True, blank=True)
    new_violence = models.BooleanField(_("new violence reported"), null=True, blank=True)
    note = EncryptedTextField(_("note"), max_length=NOTE_MAX_LENGTH)

    class Meta(ScheduledMeeting.Meta):
        verbose_name = _("monitoring meeting")
        verbose_name_plural = _("monitoring meetings")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "body_kind", "months"], name="one_monitoring_meeting_per_point"
            )
        ]
        indexes = [models.Index(fields=["organisation", "status", "due_on"])]

    def __str__(self) -> str:
        # Never the note: str() reaches logs and the admin.
        return f"monitoring +{self.months} of enrolment {self.enrolment_id}"

    def is_missed_on(self, today) -> bool:
        """Recorded without contact, or still due after its due date."""
        return self.status == self.Status.MISSED or (self.status == self.Status.DUE and self.due_on < today)
