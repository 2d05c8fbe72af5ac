"""A provider's records of its staff as facilitators: trainings attended,
supervision received, and qualifications to facilitate a family of
programmes (``programmes.models.QualificationFamily``).

Seed 001: "there is no established specialized training for psychologists
or social workers on how to work with violent individuals"; the
consultation rooms' staff completed five days of training, the OSCE trained
14 trainers who then did a four-month internship. These records let a
manager see who is trained for what, and until when.

Nothing here is about participants or survivors. A certificate is kept as
its number and issuer, never as an uploaded file.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from programmes.models import QualificationFamily


class StaffRecord(models.Model):
    """What every staff record has: whose it is, which provider keeps it,
    who wrote it last and when."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # "trainings", "supervisions", "qualifications" of a user.
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="%(class)ss")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Training(StaffRecord):
    """A training a staff member attended."""

    course = models.CharField(_("course"), max_length=200)
    trainer = models.CharField(_("training provider"), max_length=200)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("2000"))],
    )
    certificate_number = models.CharField(_("certificate number"), max_length=100, blank=True)
    certificate_issuer = models.CharField(_("certificate issued by"), max_length=200, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="training_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"training {self.pk} of user {self.staff_id}"

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": [_("The last day cannot be before the first.")]})


class Supervision(StaffRecord):
    """Hours of clinical supervision a staff member received on one day (or
    in one block ending that day)."""

    held_on = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("200"))],
    )
    supervisor = models.CharField(_("supervisor"), max_length=200)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("supervision")
        verbose_name_plural = _("supervision")

    def __str__(self) -> str:
        return f"supervision {self.pk} of user {self.staff_id}"


class Qualification(StaffRecord):
    """Qualified to facilitate a family of programmes, from a day, until a
    day (or without end)."""

    family = models.CharField(_("programmes"), max_length=32, choices=QualificationFamily.choices)
    granted_on = models.DateField(_("qualified from"))
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    granted_by = models.CharField(_("granted by"), max_length=200)

    class Meta:
        ordering = ["family", "-granted_on", "-id"]
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=models.F("granted_on")),
                name="qualification_expires_after_grant",
            )
        ]

    def __str__(self) -> str:
        return f"qualification {self.pk} ({self.family}) of user {self.staff_id}"

    def clean(self):
        if self.granted_on and self.expires_on and self.expires_on <= self.granted_on:
            raise ValidationError({"expires_on": [_("The qualification must be valid after the day it was granted.")]})

    def valid_on(self, day: dt.date) -> bool:
        return self.granted_on <= day and (self.expires_on is None or day <= self.expires_on)


def valid_on(day: dt.date, prefix: str = "") -> Q:
    """Qualifications valid on ``day`` (``prefix``: the path to them)."""
    return Q(**{f"{prefix}granted_on__lte": day}) & (
        Q(**{f"{prefix}expires_on__isnull": True}) | Q(**{f"{prefix}expires_on__gte": day})
    )
