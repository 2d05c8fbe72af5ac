"""Writes of the staff records: a training, supervision hours, a
qualification, added or corrected by the provider's managers and
administrators (``require_staff_records``). Each write validates the whole
record and raises one ``ValidationError`` keyed by field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Membership, Organisation, User
from accounts.permissions import require_staff_records
from accounts.scope import CLINICAL_STAFF
from core.validation import validated
from staffing.models import Qualification, StaffRecord, Supervision, Training

R = TypeVar("R", bound=StaffRecord)


def _require_staff_member(provider: Organisation, staff: User) -> None:
    if not Membership.objects.filter(user=staff, organisation=provider, role__in=CLINICAL_STAFF).exists():
        raise PermissionDenied(_("Only the records of the provider's psychologists and social workers are kept here."))


def _save(record: R, *, provider: Organisation, staff: User | None, by: User, **values) -> R:
    """Check who writes, set ``values`` on ``record`` (new when it has no
    pk, for ``staff``) and save it, or raise every error at once."""
    require_staff_records(provider.pk, by)
    if record.pk is None:
        if staff is None:
            raise PermissionDenied(_("Say whose record this is."))
        _require_staff_member(provider, staff)
        record.organisation = provider
        record.staff = staff
    elif record.organisation_id != provider.pk:
        raise PermissionDenied(_("Only the provider's own records can be changed."))
    for name, value in values.items():
        setattr(record, name, value.strip() if isinstance(value, str) else value)
    record.recorded_by = by
    errors: dict[str, list] = {}
    validated(record, errors, "", exclude=["organisation", "staff", "recorded_by"])
    if errors:
        raise ValidationError(errors)
    record.save()
    return record


@transaction.atomic
def training_save(
    *,
    provider: Organisation,
    by: User,
    course: str,
    trainer: str,
    starts_on: dt.date,
    ends_on: dt.date,
    hours: Decimal,
    certificate_number: str = "",
    certificate_issuer: str = "",
    staff: User | None = None,
    training: Training | None = None,
) -> Training:
    """Record a training ``staff`` attended, or correct ``training``."""
    return _save(
        training or Training(),
        provider=provider,
        staff=staff,
        by=by,
        course=course,
        trainer=trainer,
        starts_on=starts_on,
        ends_on=ends_on,
        hours=hours,
        certificate_number=certificate_number,
        certificate_issuer=certificate_issuer,
    )


@transaction.atomic
def supervision_save(
    *,
    provider: Organisation,
    by: User,
    held_on: dt.date,
    hours: Decimal,
    supervisor: str,
    staff: User | None = None,
    supervision: Supervision | None = None,
) -> Supervision:
    """Record supervision hours ``staff`` received, or correct them."""
    return _save(
        supervision or Supervision(),
        provider=provider,
        staff=staff,
        by=by,
        held_on=held_on,
        hours=hours,
        supervisor=supervisor,
    )


@transaction.atomic
def qualification_save(
    *,
    provider: Organisation,
    by: User,
    family: str,
    granted_on: dt.date,
    granted_by: str,
    expires_on: dt.date | None = None,
    staff: User | None = None,
    qualification: Qualification | None = None,
) -> Qualification:
    """Record that ``staff`` is qualified to facilitate a family of
    programmes, or correct (for example extend) a qualification."""
    return _save(
        qualification or Qualification(),
        provider=provider,
        staff=staff,
        by=by,
        family=family,
        granted_on=granted_on,
        granted_by=granted_by,
        expires_on=expires_on,
    )
