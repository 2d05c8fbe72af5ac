from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from accounts.models import Country, Language, Organisation
from core.crypto import EncryptedCharField, EncryptedTextField
from core.shipped import shown
from core.validators import plausible_birth_date, valid_phone

INCIDENT_MAX_LENGTH = 4000
NOTE_MAX_LENGTH = 8000


class Source(models.TextChoices):
    POLICE = "police", _("Police")
    COURT = "court", _("Court")
    CHILD_RIGHTS = "child_rights", _("Child-rights commission")
    WOMENS_CENTRE = "womens_centre", _("Women's resource centre")
    SELF = "self", _("Self-referral")
    OTHER = "other", _("Other")


class RiskFlag(models.TextChoices):
    WEAPON = "weapon", _("Weapon used or threatened")
    THREAT_TO_KILL = "threat_to_kill", _("Threat to kill")
    STRANGULATION = "strangulation", _("Strangulation or choking")
    EARLIER_ORDERS = "earlier_orders", _("Earlier protection orders")
    CHILDREN_PRESENT = "children_present", _("Children present during violence")
    ESCALATION = "escalation", _("Violence escalating in frequency or severity")
    SEPARATION = "separation", _("Recent or planned separation")
    PREGNANCY = "pregnancy", _("Survivor pregnant or recently gave birth")
    SEXUAL_VIOLENCE = "sexual_violence", _("Sexual violence")
    STALKING = "stalking", _("Stalking or controlling behaviour")
    SUBSTANCE_ABUSE = "substance_abuse", _("Alcohol or drug abuse")
    ORDER_BREACH = "order_breach", _("Breach of a protection order")


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Relationship(models.TextChoices):
    PARTNER = "partner", _("Partner / spouse")
    EX_PARTNER = "ex_partner", _("Ex-partner")
    DAUGHTER_IN_LAW = "daughter_in_law", _("Daughter-in-law")
    PARENT = "parent", _("Parent")
    CHILD = "child", _("Child")
    OTHER = "other", _("Other relative or household member")


class Person(models.Model):
    """The person referred to a programme (never a survivor)."""

    family_name = models.CharField(_("family name"), max_length=100)
    given_name = models.CharField(_("given name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"), validators=[plausible_birth_date])
    phone = PhoneNumberField(_("phone"), blank=True)
    address = EncryptedTextField(_("address"), max_length=500)
    preferred_language = models.CharField(_("preferred language"), max_length=2, choices=Language.choices)
    household = EncryptedTextField(_("household"), max_length=1000, help_text=_("Who lives in the household."))
    # Lower-cased "family|given|birth date", for duplicate warnings.
    match_key = models.CharField(max_length=250, db_index=True, editable=False)

    class Meta:
        verbose_name = _("referred person")
        verbose_name_plural = _("referred persons")
        indexes = [
            # The duplicate warnings look a person up by phone as well as by
            # match_key (the referred person's phone is not encrypted; a
            # survivor's is, and is never indexed). Blank phones match
            # nothing and are left out.
            models.Index(fields=["phone"], condition=~Q(phone=""), name="person_phone"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in [self.family_name, self.given_name, self.patronymic] if p)

    @staticmethod
    def make_match_key(family_name: str, given_name: str, birth_date: dt.date) -> str:
        return f"{family_name.strip().casefold()}|{given_name.strip().casefold()}|{birth_date.isoformat()}"


class Referral(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        SCREENING = "screening", _("Screening")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        ENROLLED = "enrolled", _("Enrolled")
        COMPLETED = "completed", _("Completed")
        DROPPED_OUT = "dropped_out", _("Dropped out")

    class DeclineReason(models.TextChoices):
        NOT_ELIGIBLE = "not_eligible", _("Does not meet the eligibility criteria")
        BASIC_THERAPY_FIRST = "basic_therapy_first", _("Basic therapy (addiction or mental health) first")
        NO_CAPACITY = "no_capacity", _("No capacity")
        OUT_OF_AREA = "out_of_area", _("Outside the provider's area")
        DUPLICATE = "duplicate", _("Duplicate referral")
        OTHER = "other", _("Other")

    referring_body = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="referrals_made",
        verbose_name=_("referring organisation"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_entered")
    provider = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="referrals_received",
        verbose_name=_("programme provider"),
    )
    source = models.CharField(_("referral source"), max_length=20, choices=Source.choices)
    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="referral")
    incident_description = EncryptedTextField(_("incident description"), max_length=INCIDENT_MAX_LENGTH, blank=False)
    risk_flags = ArrayField(
        models.CharField(max_length=32, choices=RiskFlag.choices),
        verbose_name=_("risk flags"),
        default=list,
        blank=True,
    )

    # Protection order
    order_number = models.CharField(_("protection order number"), max_length=50, blank=True)
    order_issuing_authority = models.CharField(_("issuing authority"), max_length=200, blank=True)
    order_issued_on = models.DateField(_("issued on"), null=True, blank=True)
    order_expires_on = models.DateField(_("expires on"), null=True, blank=True)
    order_obliges_programme = models.BooleanField(_("obliges attendance of a programme"), default=False)

    # A court referral: the decision that orders the programme.
    court_decision_number = models.CharField(_("court decision number"), max_length=50, blank=True)
    court_decision_date = models.DateField(_("court decision date"), null=True, blank=True)

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    status_changed_at = models.DateTimeField(auto_now_add=True)
    decline_reason = models.CharField(_("decline reason"), max_length=32, choices=DeclineReason.choices, blank=True)
    decline_explanation = models.CharField(_("explanation"), max_length=500, blank=True)

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # A repeated submission of the same form (or API request) carries the same key.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    external_id = models.CharField(_("police system reference"), max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            # A provider's referrals still to decide (the incoming list and
            # its count), newest first: not a walk over every referral it
            # ever received.
            models.Index(
                fields=["provider", "-created_at", "-id"],
                condition=Q(status__in=["received", "screening"]),
                name="referral_incoming",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["referring_body", "external_id"],
                condition=~Q(external_id=""),
                name="referral_external_id_unique",
            ),
            models.CheckConstraint(
                condition=Q(order_expires_on__isnull=True)
                | Q(order_issued_on__isnull=True)
                | Q(order_expires_on__gte=models.F("order_issued_on")),
                name="referral_order_expiry_after_issue",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"R-{self.pk:05d}" if self.pk else "R-new"

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.order_issued_on and self.order_expires_on and self.order_expires_on < self.order_issued_on:
            errors["order_expires_on"] = _("The order cannot expire before it was issued.")
        if self.order_issued_on and self.order_issued_on > timezone.localdate():
            errors["order_issued_on"] = _("This date is in the future.")
        if self.order_number and not (self.order_issued_on and self.order_expires_on):
            errors.setdefault("order_expires_on", _("Enter the issue and expiry dates of the order."))
        if self.court_decision_date and self.court_decision_date > timezone.localdate():
            errors["court_decision_date"] = _("This date is in the future.")
        if self.order_obliges_programme and not self.order_number:
            errors["order_number"] = _("An obligation to attend a programme needs the protection order number.")
        if self.provider_id and self.provider.kind != Organisation.Kind.PROGRAMME_PROVIDER:
            errors["provider"] = _("Choose a programme provider.")
        if errors:
            raise ValidationError(errors)

    @property
    def order_current_expiry(self) -> dt.date | None:
        """The expiry the latest extension set (a court may also shorten an
        order), or the order's own."""
        extensions = sorted(self.order_extensions.all(), key=lambda e: e.pk)  # in the order recorded
        if extensions:
            return extensions[-1].new_expiry
        return self.order_expires_on

    @property
    def is_mandatory(self) -> bool:
        return self.order_obliges_programme


class ProtectionOrderExtension(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="order_extensions")
    extended_on = models.DateField(_("extended on"))
    new_expiry = models.DateField(_("new expiry date"))
    obliges_programme = models.BooleanField(_("obliges attendance of a programme"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["extended_on", "id"]

    def __str__(self) -> str:
        # Never survivor data or notes: str() reaches logs and the admin.
        return f"{self.referral} extended to {self.new_expiry}"


class Survivor(models.Model):
    """A person harmed. Name, phone and address are encrypted at rest and
    shown only to survivor-service workers on the case and to the officer
    who entered them; every read is recorded."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="survivors")
    family_name = EncryptedCharField(_("family name"), max_length=100, blank=False)
    given_name = EncryptedCharField(_("given name"), max_length=100, blank=False)
    relationship = models.CharField(
        _("relationship to the referred person"), max_length=20, choices=Relationship.choices
    )
    phone = EncryptedCharField(_("phone"), max_length=32, validators=[valid_phone])
    address = EncryptedTextField(_("address"), max_length=500)
    children_in_household = models.PositiveSmallIntegerField(_("children in the household"), default=0)
    consents_to_contact = models.BooleanField(
        _("agrees to be contacted by the programme or a crisis centre"), default=False
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("survivor")
        verbose_name_plural = _("survivors")

    def __str__(self) -> str:
        # Never the name: str() ends up in logs and admin breadcrumbs.
        return f"Survivor #{self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.family_name} {self.given_name}".strip()


class EligibilityCriterion(models.Model):
    """A screening question. Rows without an organisation are the shipped
    defaults for a country; a provider's own rows replace them."""

    class Effect(models.TextChoices):
        REQUIRED = "required", _("Must be met to be accepted")
        BASIC_THERAPY_FIRST = "basic_therapy_first", _("If not met: basic therapy first")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="eligibility_criteria"
    )
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    code = models.SlugField(_("code"), max_length=50)
    text_en = models.CharField(_("text (English)"), max_length=300)
    text_ru = models.CharField(_("text (Russian)"), max_length=300)
    effect = models.CharField(_("effect"), max_length=24, choices=Effect.choices, default=Effect.REQUIRED)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("eligibility criterion")
        verbose_name_plural = _("eligibility criteria")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="criterion_code_per_org"),
            models.UniqueConstraint(
                fields=["country", "code"], condition=Q(organisation__isnull=True), name="criterion_code_per_country"
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """Its own Russian for a Russian reader; else the English, in the
        reader's language when it is a shipped criterion's (``core.shipped``)."""
        from django.utils.translation import get_language

        return self.text_ru if (get_language() or "ru").startswith("ru") else shown(self.text_en)


class Screening(models.Model):
    class Answer(models.TextChoices):
        MET = "met", _("Met")
        NOT_MET = "not_met", _("Not met")
        UNKNOWN = "unknown", _("Not known yet")

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="screening")
    # {criterion code: answer}. Empty when the provider has no criteria (no
    # defaults are shipped for its country and it has set up none).
    answers = models.JSONField(default=dict, blank=True)
    notes = EncryptedTextField(_("screening notes"), max_length=NOTE_MAX_LENGTH)
    # A decline reason and explanation typed before "Save screening": kept
    # as a draft for the provider only. The referral's own decline fields,
    # which the police see, are set only when it is declined.
    decline_reason = models.CharField(
        _("decline reason"), max_length=32, choices=Referral.DeclineReason.choices, blank=True
    )
    decline_explanation = models.CharField(_("explanation"), max_length=500, blank=True)
    screened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        # Never survivor data or notes: str() reaches logs and the admin.
        return f"Screening of {self.referral}"
