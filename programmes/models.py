"""Programme templates, groups, enrolments, sessions and attendance.

A template is data: counts, span, cadence, curriculum, follow-up plan and
dropout rule. Templates are versioned: a version with enrolments is never
changed; an edit makes the next version.

A survivor is never a session participant: attendance links a session to an
enrolment, and an enrolment belongs to a case (the referred person). There
is no way to put a survivor in a session.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Country, Language, Organisation
from casework.models import Case
from core.crypto import EncryptedTextField
from core.localnames import names_field, pick
from referrals.models import NOTE_MAX_LENGTH


class TemplateSex(models.TextChoices):
    MALE = "male", _("Men")
    FEMALE = "female", _("Women")
    ANY = "any", _("Men or women (separate groups)")


class QualificationFamily(models.TextChoices):
    """The families of programmes a facilitator is trained and qualified
    for (seed 001: each country's programmes came with their own training:
    the five-day training of the Tajik consultation rooms, the OSCE's
    trainers for the Kyrgyz Annex 3 programmes and the crisis centres, the
    "Alternative to Violence" package in Kazakhstan, Oydin Nur's online
    training for its correctional programme). A template may name the one
    its facilitators need (``ProgrammeTemplate.required_qualification``)."""

    TJ_CONSULTATION_ROOM = "tj_consultation_room", _("Tajik consultation-room programme")
    KG_ANNEX3 = "kg_annex3", _("Kyrgyz programmes under Decree 390, Annex 3")
    KZ_ALTERNATIVE = "kz_alternative", _('Kazakh programmes (the "Alternative to Violence" method)')
    UZ_CORRECTIONAL = "uz_correctional", _("Uzbek correctional programmes")
    OTHER = "other", _("Other behaviour-change programmes")


class Facilitation(models.TextChoices):
    """Who leads a template's group sessions. A pair is one woman and one man
    (DOMAIN: gender-balanced teams); Chance's groups are led by one trainer
    of the participants' sex (seed 001: "a man training groups of men, and a
    woman training groups of women")."""

    PAIR = "pair", _("A pair: a woman and a man")
    WOMAN = "woman", _("One facilitator, a woman")
    MAN = "man", _("One facilitator, a man")


# The kinds of organisation that may monitor a person after the programme.
MONITORING_BODY_CHOICES = [
    (Organisation.Kind.SOCIAL_DEVELOPMENT.value, Organisation.Kind.SOCIAL_DEVELOPMENT.label),
    (Organisation.Kind.LOCAL_GOVERNMENT.value, Organisation.Kind.LOCAL_GOVERNMENT.label),
    (Organisation.Kind.POLICE_UNIT.value, Organisation.Kind.POLICE_UNIT.label),
]


class ProgrammeTemplate(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")

    code = models.SlugField(_("code"), max_length=60)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=200)
    # Null: shipped with the system, for every provider of the country to copy.
    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="programme_templates"
    )
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    source = models.CharField(_("source"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    mandatory = models.BooleanField(_("mandatory (ordered by police or court)"), default=False)
    sex = models.CharField(_("for"), max_length=6, choices=TemplateSex.choices)
    individual_sessions = models.PositiveSmallIntegerField(
        _("individual sessions"), validators=[MaxValueValidator(200)]
    )
    group_sessions = models.PositiveSmallIntegerField(_("group sessions"), validators=[MaxValueValidator(200)])
    span_weeks = models.PositiveSmallIntegerField(
        _("span in weeks"), validators=[MinValueValidator(1), MaxValueValidator(156)]
    )
    # Cadence: days between individual sessions, between group sessions, and
    # when the first group session comes (counted from the start).
    individual_interval_days = models.PositiveSmallIntegerField(
        _("days between individual sessions"), default=7, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    group_interval_days = models.PositiveSmallIntegerField(
        _("days between group sessions"), default=7, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    individual_first = models.BooleanField(_("all individual sessions before the first group session"), default=False)
    group_offset_days = models.PositiveSmallIntegerField(_("first group session on day"), default=0)
    individual_minutes = models.PositiveSmallIntegerField(
        _("individual session length (minutes)"), default=60, validators=[MinValueValidator(15), MaxValueValidator(480)]
    )
    group_minutes = models.PositiveSmallIntegerField(
        _("group session length (minutes)"), default=120, validators=[MinValueValidator(15), MaxValueValidator(480)]
    )
    facilitation = models.CharField(
        _("group sessions led by"), max_length=5, choices=Facilitation.choices, default=Facilitation.PAIR
    )
    hours_required = models.DecimalField(
        _("hours required"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    # Blank at the field level so that clean() can say what is missing.
    curriculum = ArrayField(
        models.CharField(max_length=200), verbose_name=_("curriculum (ordered topics)"), default=list, blank=True
    )
    follow_up_months = ArrayField(
        models.PositiveSmallIntegerField(),
        verbose_name=_("follow-up points (months after the end)"),
        default=list,
        blank=True,
    )
    follow_up_close_relations = models.BooleanField(
        _("follow-up questionnaire also for close relations"), default=False
    )
    # A questionnaire point in the middle of the programme (Turkistan's
    # "questionnaire for progress"): due after this session of the person's.
    mid_programme_session = models.PositiveSmallIntegerField(
        _("mid-programme questionnaire after session"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty for no mid-programme point."),
    )
    # Monitoring after the programme by bodies outside the provider (seed 001:
    # the State Department for Social Development meets a man who completed
    # Chance's programme every 3 months for 18 months; in Tajikistan the
    # district police and the hukumat's women's and family department). The
    # kinds are organisation kinds (``accounts.permissions.POST_MONITOR_ROLES``);
    # the provider names the concrete organisation of each kind per enrolment.
    monitoring_bodies = ArrayField(
        models.CharField(max_length=32, choices=MONITORING_BODY_CHOICES),
        verbose_name=_("monitored after completion by"),
        default=list,
        blank=True,
    )
    monitoring_interval_months = models.PositiveSmallIntegerField(
        _("a monitoring meeting every (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )
    monitoring_months = models.PositiveSmallIntegerField(
        _("monitored for (months after completion)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    # Dropout: N consecutive or M total unexcused absences (either may be off).
    dropout_consecutive = models.PositiveSmallIntegerField(
        _("dropout after consecutive unexcused absences"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    dropout_total = models.PositiveSmallIntegerField(
        _("dropout after total unexcused absences"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    languages = ArrayField(
        models.CharField(max_length=2, choices=Language.choices), verbose_name=_("languages"), default=list, blank=True
    )
    # Blank: any trained staff member may facilitate; otherwise assigning a
    # facilitator without this qualification warns (``staffing``).
    required_qualification = models.CharField(
        _("facilitators need the qualification"),
        max_length=32,
        choices=QualificationFamily.choices,
        blank=True,
        default="",
    )
    notes = models.TextField(_("notes"), blank=True)
    parent = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["country", "name", "-version"]
        verbose_name = _("programme template")
        verbose_name_plural = _("programme templates")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="template_code_version_unique"),
            models.CheckConstraint(
                condition=Q(individual_sessions__gt=0) | Q(group_sessions__gt=0), name="template_has_sessions"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    @property
    def total_sessions(self) -> int:
        return self.individual_sessions + self.group_sessions

    @property
    def span_days(self) -> int:
        return self.span_weeks * 7

    @property
    def planned_hours(self) -> float:
        return (self.individual_sessions * self.individual_minutes + self.group_sessions * self.group_minutes) / 60

    def individual_offsets(self) -> list[int]:
        """Days after the start of each individual session."""
        return [i * self.individual_interval_days for i in range(self.individual_sessions)]

    def group_offsets(self) -> list[int]:
        """Days after the start of each group session."""
        if self.individual_first and self.individual_sessions:
            first = (self.individual_sessions - 1) * self.individual_interval_days + max(
                self.group_offset_days, self.individual_interval_days
            )
        else:
            first = self.group_offset_days
        return [first + j * self.group_interval_days for j in range(self.group_sessions)]

    def first_group_offset(self) -> int | None:
        """Day (after the start) of a participant's first group session."""
        offsets = self.group_offsets()
        return offsets[0] if offsets else None

    def schedule_errors(self) -> list[str]:
        """Why this cadence cannot fit the span (empty when it fits)."""
        last = max(self.individual_offsets() + self.group_offsets(), default=0)
        if last >= self.span_days:
            return [
                str(
                    _("The sessions need %(days)d days but the span is %(span)d days.")
                    % {"days": last + 1, "span": self.span_days}
                )
            ]
        return []

    def monitoring_schedule(self) -> list[int]:
        """Months after completion of each monitoring meeting: every
        interval up to the duration (3, 6, ..., 18); none without bodies."""
        if not (self.monitoring_bodies and self.monitoring_interval_months and self.monitoring_months):
            return []
        return list(range(self.monitoring_interval_months, self.monitoring_months + 1, self.monitoring_interval_months))

    def _check_monitoring(self, errors: dict[str, list]) -> None:
        known = {code for code, _label in MONITORING_BODY_CHOICES}
        if set(self.monitoring_bodies or []) - known:
            errors["monitoring_bodies"] = [_("Choose among the bodies offered.")]
        if not self.monitoring_bodies:
            return
        if not self.monitoring_interval_months:
            errors["monitoring_interval_months"] = [_("Say how often the monitoring bodies meet the person.")]
        if not self.monitoring_months:
            errors["monitoring_months"] = [_("Say for how many months the person is monitored.")]
        elif self.monitoring_interval_months and self.monitoring_interval_months > self.monitoring_months:
            errors["monitoring_interval_months"] = [
                _("The interval is longer than the monitoring itself (%(months)d months).")
                % {"months": self.monitoring_months}
            ]

    def clean(self):
        from django.core.exceptions import ValidationError

        errors: dict[str, list] = {}
        if not (self.individual_sessions or self.group_sessions):
            errors["group_sessions"] = [_("A programme needs at least one session.")]
        if not [t for t in self.curriculum or [] if t and t.strip()]:
            errors["curriculum"] = [_("Enter at least one topic.")]
        if not self.languages:
            errors["languages"] = [_("Choose at least one language.")]
        self._check_monitoring(errors)
        if (
            self.span_weeks
            and self.individual_interval_days
            and self.group_interval_days
            and self.individual_sessions is not None
            and self.group_sessions is not None
        ):
            for message in self.schedule_errors():
                errors.setdefault("span_weeks", []).append(message)
            planned = Decimal(str(round(self.planned_hours, 1)))
            if self.hours_required and self.individual_minutes and self.group_minutes and self.hours_required > planned:
                errors.setdefault("hours_required", []).append(
                    _("The sessions add up to %(planned)s hours, fewer than the %(required)s hours required.")
                    % {"planned": planned, "required": self.hours_required}
                )
        if errors:
            raise ValidationError(errors)


class Group(models.Model):
    # "Intake" is also the intake interview (casework): a context keeps the
    # group's intake mode apart in the translations.
    class Intake(models.TextChoices):
        ROLLING = "rolling", pgettext_lazy("group intake mode", "Rolling (people join at any time)")
        CLOSED = "closed", pgettext_lazy("group intake mode", "Closed (everyone starts together)")

    class LocationKind(models.TextChoices):
        ROOM = "room", _("Room")
        MOBILE = "mobile", _("Mobile, temporary location")

    # Where the group runs (issue 13, seed 001): the provider's consultation
    # room; a prison or correctional facility (the facility's officer sees
    # its attendance, to bring the people to the room); a residential centre
    # (Turkistan), where each participant's stay is recorded.
    class Setting(models.TextChoices):
        CONSULTATION_ROOM = "room", _("Consultation room")
        PRISON = "prison", _("Prison or correctional facility")
        RESIDENTIAL = "residential", _("Residential centre")

    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="programme_groups")
    template = models.ForeignKey(ProgrammeTemplate, on_delete=models.PROTECT, related_name="groups")
    name = models.CharField(_("name"), max_length=120)
    sex = models.CharField(_("for"), max_length=6, choices=[("male", _("Men")), ("female", _("Women"))])
    capacity = models.PositiveSmallIntegerField(_("capacity"), validators=[MinValueValidator(1), MaxValueValidator(40)])
    intake = models.CharField(
        pgettext_lazy("group intake mode", "intake"), max_length=8, choices=Intake.choices, default=Intake.ROLLING
    )
    psychologist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="groups_as_psychologist",
        verbose_name=_("psychologist"),
    )
    # None only when the template's groups are led by one facilitator
    # (``ProgrammeTemplate.facilitation``): a pair needs both.
    social_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="groups_as_social_worker",
        verbose_name=_("social worker"),
    )
    location_kind = models.CharField(_("place"), max_length=8, choices=LocationKind.choices, default=LocationKind.ROOM)
    location = models.CharField(_("room, or village and district"), max_length=200)
    # The place in other languages (``core.localnames``); each session takes a copy.
    location_translations = names_field(_("place in other languages"))
    setting = models.CharField(_("setting"), max_length=12, choices=Setting.choices, default=Setting.CONSULTATION_ROOM)
    # The prison or correctional facility the sessions are held at (prison setting only).
    facility = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programme_groups_held",
        verbose_name=_("facility"),
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    starts_on = models.DateField(_("first session"))
    time_of_day = models.TimeField(_("time"), default=dt.time(10, 0))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        constraints = [
            models.CheckConstraint(
                condition=Q(setting="prison", facility__isnull=False)
                | (~Q(setting="prison") & Q(facility__isnull=True)),
                name="group_facility_only_in_prison_setting",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def shown_location(self) -> str:
        """The place in the reader's language, else as typed."""
        return pick(self.location, self.location_translations)


class Enrolment(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        DROPPED_OUT = "dropped_out", _("Dropped out")
        EXPELLED = "expelled", _("Expelled")
        DESELECTED = "deselected", _("De-selected")
        TRANSFERRED = "transferred", _("Transferred")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="enrolments")
    template = models.ForeignKey(ProgrammeTemplate, on_delete=models.PROTECT, related_name="enrolments")
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="enrolments")
    group = models.ForeignKey(Group, on_delete=models.PROTECT, null=True, blank=True, related_name="enrolments")
    psychologist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="enrolments_as_psychologist",
        verbose_name=_("psychologist for individual sessions"),
    )
    starts_on = models.DateField(_("start"))
    # The day from which the person is expected at the group's sessions (the
    # template's first group day after the start, or the day of a move).
    group_from = models.DateField(_("in the group from"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # When the enrolment was made (and the person learnt of his sessions).
    enrolled_at = models.DateTimeField(default=timezone.now)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    # A short, non-clinical reason shown to partner agencies; details go in notes.
    end_reason = models.CharField(_("reason"), max_length=300, blank=True)
    end_notes = EncryptedTextField(_("notes"), max_length=NOTE_MAX_LENGTH)
    # An expulsion because of new violence: an urgent notice.
    for_violence = models.BooleanField(_("expelled because of new violence"), default=False)
    transferred_to = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(status="active"), name="one_active_enrolment_per_case")
        ]

    def __str__(self) -> str:
        return f"{self.case} in {self.template.code} v{self.template.version}"


class ResidentialStay(models.Model):
    """A participant's stay at a residential centre (a group in the
    residential setting): when they arrived, whether the police brought them
    (and which unit), when they left or are to leave."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE, related_name="stay")
    arrival_on = models.DateField(_("arrival date"))
    brought_by_police = models.BooleanField(_("brought by the police"), default=False)
    police_unit = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("police unit"),
    )
    departure_on = models.DateField(_("departure date"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("residential stay")
        verbose_name_plural = _("residential stays")
        constraints = [
            models.CheckConstraint(
                condition=Q(departure_on__isnull=True) | Q(departure_on__gt=models.F("arrival_on")),
                name="stay_departure_after_arrival",
            ),
            models.CheckConstraint(
                condition=Q(brought_by_police=True) | Q(police_unit__isnull=True),
                name="stay_police_unit_only_when_brought",
            ),
        ]

    def __str__(self) -> str:
        return f"stay of enrolment {self.enrolment_id} from {self.arrival_on}"


class Session(models.Model):
    # "Group" is also a programme group: a context keeps the session kind
    # apart in the translations.
    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", pgettext_lazy("session kind", "Individual")
        GROUP = "group", pgettext_lazy("session kind", "Group")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        # Logged, and nobody came: no topic was covered.
        NOT_HELD = "not_held", _("Not held (nobody came)")
        CANCELLED = "cancelled", _("Cancelled")

    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="programme_sessions")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    group = models.ForeignKey(Group, on_delete=models.CASCADE, null=True, blank=True, related_name="sessions")
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, null=True, blank=True, related_name="individual_sessions"
    )
    number = models.PositiveSmallIntegerField(_("session number"))
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("length (minutes)"), validators=[MinValueValidator(15), MaxValueValidator(480)]
    )
    location = models.CharField(_("place"), max_length=200, blank=True)
    # The group's place in other languages, copied with ``location``.
    location_translations = names_field(_("place in other languages"))
    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sessions_led")
    co_facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions_co_led"
    )
    planned_topic = models.CharField(_("planned topic"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    # The first planned time, kept when a session is moved.
    rescheduled_from = models.DateTimeField(_("originally planned for"), null=True, blank=True)
    reschedule_reason = models.CharField(_("reason for rescheduling"), max_length=300, blank=True)
    # When its current time was set (planned or rescheduled): the earliest
    # the participants can have been told of it. Null for sessions planned
    # before this was kept.
    planned_at = models.DateTimeField(_("time set on"), null=True, blank=True)
    topic_covered = models.CharField(_("topic covered"), max_length=200, blank=True)
    notes = EncryptedTextField(_("session notes"), max_length=NOTE_MAX_LENGTH)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    logged_at = models.DateTimeField(null=True, blank=True)
    # When the log was recorded on a practitioner's device in the field
    # (``fieldwork``), before it reached the server at ``logged_at``; null
    # for a log saved online.
    logged_in_field_at = models.DateTimeField(_("recorded in the field at"), null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="group", group__isnull=False, enrolment__isnull=True))
                | (Q(kind="individual", enrolment__isnull=False, group__isnull=True)),
                name="session_belongs_to_group_or_enrolment",
            )
        ]
        indexes = [
            # The sessions not yet logged (Today, the start page): the few
            # planned sessions of a provider before now, oldest first, and
            # not a walk past every session ever held.
            models.Index(
                fields=["provider", "starts_at"],
                condition=Q(status="planned"),
                name="session_planned_by_provider",
            ),
            # A provider's sessions of one day (Today): read among the
            # provider's, not among every provider's sessions of that day.
            models.Index(fields=["provider", "starts_at"], name="session_by_provider_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.number} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def shown_location(self) -> str:
        """The place in the reader's language, else as typed."""
        return pick(self.location, self.location_translations)

    def location_in(self, language: str) -> str:
        """The place in ``language`` (a participant's), else as typed."""
        return pick(self.location, self.location_translations, language)

    @property
    def is_logged(self) -> bool:
        """Attendance was logged: held, or not held because nobody came."""
        return self.status in LOGGED_STATUSES

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def local_date(self) -> dt.date:
        from django.utils import timezone

        return timezone.localtime(self.starts_at).date()


# A session whose attendance was logged: its marks count in progress.
LOGGED_STATUSES = (Session.Status.HELD, Session.Status.NOT_HELD)


class Attendance(models.Model):
    class Mark(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        EXCUSED = "excused", _("Excused absence")
        UNEXCUSED = "unexcused", _("Unexcused absence")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendance")
    mark = models.CharField(_("attendance"), max_length=10, choices=Mark.choices)
    # The session was planned at shorter notice than PROGRAMME_MIN_NOTICE_HOURS
    # before the person could know of it (or after its own start): an
    # unexcused absence here counts only when ``absence_confirmed``.
    short_notice = models.BooleanField(_("short notice"), default=False)
    absence_confirmed = models.BooleanField(_("absence confirmed despite short notice"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "enrolment"], name="one_mark_per_person_per_session")]

    def __str__(self) -> str:
        return f"{self.enrolment_id}@{self.session_id}: {self.mark}"

    @property
    def attended(self) -> bool:
        return self.mark in (self.Mark.PRESENT, self.Mark.LATE)

    @property
    def counts_as_absence(self) -> bool:
        """An unexcused absence that counts towards the dropout rule and
        non-compliance."""
        return self.mark == self.Mark.UNEXCUSED and (not self.short_notice or self.absence_confirmed)


# --- Calendar feed ------------------------------------------------------------


class CalendarFeed(models.Model):
    """A staff member's personal .ics feed. The link carries a token signed
    with SECRET_KEY and this row's ``salt``; a new salt ("new link") makes
    every earlier link stop working. The salt alone does not give the link."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    salt = models.CharField(max_length=64)
    rotated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"calendar feed of user {self.user_id}"
