from __future__ import annotations

from binascii import unhexlify

from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.crypto import EncryptedTextField
from core.localnames import names_field, pick


class Country(models.TextChoices):
    KYRGYZSTAN = "KG", _("Kyrgyzstan")
    TAJIKISTAN = "TJ", _("Tajikistan")
    KAZAKHSTAN = "KZ", _("Kazakhstan")
    UZBEKISTAN = "UZ", _("Uzbekistan")
    TURKMENISTAN = "TM", _("Turkmenistan")


class Language(models.TextChoices):
    RUSSIAN = "ru", _("Russian")
    KYRGYZ = "ky", _("Kyrgyz")
    TAJIK = "tg", _("Tajik")
    UZBEK = "uz", _("Uzbek")
    KAZAKH = "kk", _("Kazakh")
    TURKMEN = "tk", _("Turkmen")
    ENGLISH = "en", _("English")


class Organisation(models.Model):
    class Kind(models.TextChoices):
        POLICE_UNIT = "police_unit", _("Police unit")
        PROGRAMME_PROVIDER = "programme_provider", _("Programme provider")
        SURVIVOR_SERVICE = "survivor_service", _("Survivor service")
        MONITORING_BODY = "monitoring_body", _("Monitoring body")
        COURT = "court", _("Court")
        PROBATION_SERVICE = "probation_service", _("Probation service")
        # The commission on children's rights.
        CHILD_PROTECTION = "child_protection", _("Child-protection body")
        # A hukumat, an aiyl okmotu or a mahalla committee.
        LOCAL_GOVERNMENT = "local_government", _("Local government")
        # The state social-development department (Kyrgyzstan: it monitors after a programme).
        SOCIAL_DEVELOPMENT = "social_development", _("State social-development department")
        PRISON = "prison", _("Prison or correctional facility")
        # A ministry's department that refers (Interior, Labour, ...).
        MINISTRY_DEPARTMENT = "ministry_department", _("Ministry department")

    name = models.CharField(_("name"), max_length=200, unique=True)
    # The name in other languages (``core.localnames``); ``name`` is the name as typed.
    name_translations = names_field(_("name in other languages"))
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    region = models.CharField(_("region"), max_length=120)
    languages = ArrayField(
        models.CharField(max_length=2, choices=Language.choices), verbose_name=_("languages"), default=list, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.shown_name

    @property
    def shown_name(self) -> str:
        """The name in the reader's language, else as typed."""
        return pick(self.name, self.name_translations)

    def name_in(self, language: str) -> str:
        """The name in ``language`` (a participant's), else as typed."""
        return pick(self.name, self.name_translations, language)


def organisation_name(name: str) -> str:
    """An organisation's name as a record stored it (its name as typed then),
    in the reader's language if the organisation still has that name."""
    names = Organisation.objects.filter(name=name).values_list("name_translations", flat=True).first()
    return pick(name, names)


class Role(models.TextChoices):
    POLICE_OFFICER = "police_officer", _("Police officer")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    SURVIVOR_WORKER = "survivor_worker", _("Survivor-service worker")
    PROGRAMME_MANAGER = "programme_manager", _("Programme manager")
    MONITORING_VIEWER = "monitoring_viewer", _("Monitoring viewer")
    ORG_ADMIN = "org_admin", _("Organisation administrator")
    JUDGE = "judge", _("Judge")
    COURT_CLERK = "court_clerk", _("Court clerk")
    PROBATION_OFFICER = "probation_officer", _("Probation officer")
    CHILD_PROTECTION_SPECIALIST = "child_protection_specialist", _("Child-protection specialist")
    SOCIAL_OFFICER = "social_officer", _("Local-government social officer")
    MONITORING_OFFICER = "monitoring_officer", _("Social-development monitoring officer")
    FACILITY_OFFICER = "facility_officer", _("Facility officer")
    MINISTRY_OFFICER = "ministry_officer", _("Ministry officer")


# Which roles make sense in which kind of organisation.
ROLES_BY_KIND: dict[str, set[str]] = {
    Organisation.Kind.POLICE_UNIT: {Role.POLICE_OFFICER, Role.ORG_ADMIN},
    Organisation.Kind.PROGRAMME_PROVIDER: {
        Role.PSYCHOLOGIST,
        Role.SOCIAL_WORKER,
        Role.PROGRAMME_MANAGER,
        Role.ORG_ADMIN,
    },
    Organisation.Kind.SURVIVOR_SERVICE: {Role.SURVIVOR_WORKER, Role.PROGRAMME_MANAGER, Role.ORG_ADMIN},
    Organisation.Kind.MONITORING_BODY: {Role.MONITORING_VIEWER, Role.ORG_ADMIN},
    Organisation.Kind.COURT: {Role.JUDGE, Role.COURT_CLERK, Role.ORG_ADMIN},
    Organisation.Kind.PROBATION_SERVICE: {Role.PROBATION_OFFICER, Role.ORG_ADMIN},
    Organisation.Kind.CHILD_PROTECTION: {Role.CHILD_PROTECTION_SPECIALIST, Role.ORG_ADMIN},
    Organisation.Kind.LOCAL_GOVERNMENT: {Role.SOCIAL_OFFICER, Role.ORG_ADMIN},
    Organisation.Kind.SOCIAL_DEVELOPMENT: {Role.MONITORING_OFFICER, Role.ORG_ADMIN},
    Organisation.Kind.PRISON: {Role.FACILITY_OFFICER, Role.ORG_ADMIN},
    Organisation.Kind.MINISTRY_DEPARTMENT: {Role.MINISTRY_OFFICER, Role.ORG_ADMIN},
}


class User(AbstractUser):
    """A staff account. Every account belongs to exactly one organisation."""

    # Blank: the language of the browser or of the switcher's cookie. Set by
    # the language switcher; a signed-in user's pages, emails and SMS follow it.
    preferred_language = models.CharField(
        _("interface language"), max_length=2, choices=Language.choices, blank=True, default=""
    )
    # Only to warn when a facilitator pair is not gender-balanced.
    gender = models.CharField(
        _("gender"), max_length=6, choices=[("male", _("Male")), ("female", _("Female"))], blank=True
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Membership(models.Model):
    """A user's place in an organisation, with the role that decides access."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="membership", verbose_name=_("user"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.organisation}"

    def clean(self):
        from django.core.exceptions import ValidationError

        allowed = ROLES_BY_KIND.get(self.organisation.kind, set()) if self.organisation_id else set()
        if self.organisation_id and self.role not in allowed:
            raise ValidationError(
                {"role": _("This role does not exist in an organisation of this kind.")}, code="role_kind"
            )


class EnrolmentCode(models.Model):
    """A single-use, expiring code that lets one user enrol an authenticator
    app. Issued by an administrator and handed over out of band (in person,
    or printed to the operator's terminal). Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolment_codes", verbose_name=_("user"))
    code_hash = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("issued by")
    )
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment code")
        verbose_name_plural = _("enrolment codes")

    def __str__(self) -> str:
        return f"{self.user} — {self.created_at:%Y-%m-%d %H:%M}"


class TwoFactorEvent(models.Model):
    """Audit of second-factor changes: who did what for whom, and when. No
    secret is ever recorded. ``seen_at`` is set when the user was told at
    sign-in."""

    class Kind(models.TextChoices):
        CODE_ISSUED = "code_issued", _("Enrolment code issued")
        ENROLLED = "enrolled", _("Authenticator app enrolled")
        RESET = "reset", _("Authenticator app reset")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="two_factor_events", verbose_name=_("user"))
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    kind = models.CharField(_("what"), max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("two-factor event")
        verbose_name_plural = _("two-factor events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.user}"


class ApiToken(models.Model):
    """An API token of a user with a confirmed authenticator. Only its
    SHA-256 is stored: the token is shown once, when it is made. Tokens
    expire (API_TOKEN_DAYS) and are revoked by name, or one by one on the
    organisation's token page."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    # Who issued and who revoked it, on the organisation's token page (empty
    # for a token made or revoked by ``manage.py create_api_token``).
    issued_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("issued by")
    )
    revoked_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("revoked by")
    )

    class Meta:
        ordering = ["user", "name"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"], condition=models.Q(revoked_at=None), name="one_live_api_token_per_name"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.name}"


# -- authenticator seeds, encrypted at rest ------------------------------------
# django-otp keeps a TOTP seed in clear hex in ``TOTPDevice.key``: anyone with
# a backup could make every user's codes. The seed is kept here instead,
# encrypted with the field encryption keys (rotated by
# ``rotate_encryption_keys`` like survivor data), and the device's own column
# holds SEALED_KEY. That marker is not hex, so any code that read a device's
# key the django-otp way would fail rather than use a known key.
SEALED_KEY = "sealed"


class TOTPSecret(models.Model):
    """The seed (hex) of one authenticator device, encrypted."""

    device = models.OneToOneField(
        TOTPDevice, on_delete=models.CASCADE, primary_key=True, related_name="sealed_secret", verbose_name=_("device")
    )
    key = EncryptedTextField(_("secret key"), blank=False)

    class Meta:
        verbose_name = _("authenticator secret")
        verbose_name_plural = _("authenticator secrets")

    def __str__(self) -> str:
        return f"{self.device_id}"


class SealedTOTPDevice(TOTPDevice):
    """A TOTP device that reads its seed from ``TOTPSecret``. Every sign-in,
    verification and enrolment goes through this class (accounts.services)."""

    class Meta:
        proxy = True
        verbose_name = _("authenticator")

    @property
    def bin_key(self) -> bytes:
        return unhexlify(self.sealed_secret.key.encode("ascii"))
