"""Where a group runs, and a participant's stay at a residential centre.

A group runs in a setting (``Group.Setting``): the provider's consultation
room, a prison or correctional facility (named: its officer sees the
group's attendance), or a residential centre (seed 001, Turkistan), where
each participant's stay is recorded: the arrival, whether the police
brought them and from which unit, the departure.

Not here: opening and changing a group (``groups``), enrolling
(``enrolment``); they ask ``setting_errors`` about the setting, and
``enrol_with_stay`` enrols and records the stay in one transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from accounts.permissions import require_clinical
from core.timeline import timeline_add
from core.validation import validated
from programmes import timeline as K
from programmes.models import Enrolment, Group, ResidentialStay

from ._common import MAX_AHEAD_DAYS
from .enrolment import enrol

# How far back an arrival may be entered: people at the centre when the
# system is introduced, and a stay that began well before the enrolment.
MAX_ARRIVAL_BACK_DAYS = 366


def setting_errors(*, provider: Organisation, setting: str, facility: Organisation | None) -> dict[str, list]:
    """What is wrong with running a group of ``provider`` in ``setting`` at
    ``facility``: a prison setting names an active prison or correctional
    facility of the provider's country; the other settings name none."""
    errors: dict[str, list] = {}
    if setting not in Group.Setting.values:
        errors["setting"] = [_("Choose where the group runs.")]
    elif setting == Group.Setting.PRISON:
        if facility is None:
            errors["facility"] = [_("Choose the prison or correctional facility where the sessions are held.")]
        elif facility.kind != Organisation.Kind.PRISON:
            errors["facility"] = [_("Choose a prison or correctional facility.")]
        elif facility.country != provider.country:
            errors["facility"] = [_("Choose a facility in your organisation's country.")]
        elif not facility.is_active:
            errors["facility"] = [_("This facility is no longer active.")]
    elif facility is not None:
        errors["facility"] = [_("Only a group in a prison or correctional facility names a facility.")]
    return errors


class StayDetails(NamedTuple):
    """A stay as entered: the arrival, the police who brought the person
    (``police_unit`` optional, only when ``brought_by_police``) and the
    departure (blank until known)."""

    arrival_on: dt.date | None
    brought_by_police: bool = False
    police_unit: Organisation | None = None
    departure_on: dt.date | None = None


def stay_errors(*, group: Group | None, provider: Organisation, stay: StayDetails | None) -> dict[str, list]:
    """What is wrong with ``stay`` for a participant of ``group``: a group
    at a residential centre needs the arrival date; other groups take no
    stay; the departure comes after the arrival; the police unit is a
    police unit of the provider's country, named only when the police
    brought the person."""
    residential = group is not None and group.setting == Group.Setting.RESIDENTIAL
    if not residential:
        if stay is not None and (stay.arrival_on or stay.departure_on or stay.brought_by_police or stay.police_unit):
            return {"arrival_on": [_("Stay dates are recorded only for a group at a residential centre.")]}
        return {}
    errors: dict[str, list] = {}
    if stay is None or stay.arrival_on is None:
        errors["arrival_on"] = [_("Enter the date the person arrived at the centre.")]
    else:
        today = timezone.localdate()
        if stay.arrival_on < today - dt.timedelta(days=MAX_ARRIVAL_BACK_DAYS) or stay.arrival_on > today + dt.timedelta(
            days=MAX_AHEAD_DAYS
        ):
            errors["arrival_on"] = [_("Choose an arrival date within the last year or the next year.")]
        elif stay.departure_on is not None and stay.departure_on <= stay.arrival_on:
            errors["departure_on"] = [_("The departure must be after the arrival.")]
    if stay is not None and stay.police_unit is not None:
        if not stay.brought_by_police:
            errors["police_unit"] = [_("Name a police unit only when the police brought the person.")]
        elif stay.police_unit.kind != Organisation.Kind.POLICE_UNIT:
            errors["police_unit"] = [_("Choose a police unit.")]
        elif stay.police_unit.country != provider.country:
            errors["police_unit"] = [_("Choose a police unit in your organisation's country.")]
    return errors


def _save_stay(*, enrolment: Enrolment, stay: StayDetails, by) -> ResidentialStay:
    assert stay.arrival_on is not None  # stay_errors said so
    row = ResidentialStay.objects.filter(enrolment=enrolment).first() or ResidentialStay(enrolment=enrolment)
    row.arrival_on = stay.arrival_on
    row.brought_by_police = stay.brought_by_police
    row.police_unit = stay.police_unit if stay.brought_by_police else None
    row.departure_on = stay.departure_on
    row.recorded_by = by
    errors: dict[str, list] = {}
    validated(row, errors, "", exclude=["enrolment", "police_unit", "recorded_by"])
    if errors:
        raise ValidationError(errors)
    row.save()
    timeline_add(
        referral=enrolment.case.referral,
        by=by,
        kind=K.STAY_RECORDED,
        # Dates only: no names, no notes.
        params={"arrival": row.arrival_on, "departure": row.departure_on},
    )
    return row


@transaction.atomic
def stay_record(*, enrolment: Enrolment, by, stay: StayDetails | None) -> ResidentialStay:
    """Record (or correct) the stay of a participant of a group at a
    residential centre, e.g. the departure once it is known. Psychologists
    and social workers of the provider, while the enrolment is active."""
    require_clinical(enrolment.provider_id, by)
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("group", "provider", "case__referral")
        .get(pk=enrolment.pk)
    )
    if enrolment.status != Enrolment.Status.ACTIVE:
        raise ValidationError({"__all__": [_("This enrolment has already ended.")]})
    if enrolment.group is None or enrolment.group.setting != Group.Setting.RESIDENTIAL:
        raise ValidationError({"__all__": [_("Stay dates are recorded only for a group at a residential centre.")]})
    errors = stay_errors(group=enrolment.group, provider=enrolment.provider, stay=stay)
    if errors or stay is None:
        raise ValidationError(errors)
    return _save_stay(enrolment=enrolment, stay=stay, by=by)


@transaction.atomic
def enrol_with_stay(*, stay: StayDetails | None, **enrol_kwargs) -> Enrolment:
    """``enrol``, and for a group at a residential centre the stay with it:
    both are written or neither. Every message of both at once: what is
    wrong with the stay is said together with what ``enrol`` refuses."""
    group = enrol_kwargs.get("group")
    case = enrol_kwargs["case"]
    require_clinical(case.provider_id, enrol_kwargs["by"])
    ours = group is None or group.provider_id == case.provider_id
    errors = stay_errors(group=group, provider=case.provider, stay=stay) if ours else {}
    try:
        enrolment = enrol(**enrol_kwargs)
    except ValidationError as exc:
        raise ValidationError({**errors, **exc.message_dict}) from exc
    if errors:
        raise ValidationError(errors)
    if stay is not None and enrolment.group is not None and enrolment.group.setting == Group.Setting.RESIDENTIAL:
        _save_stay(enrolment=enrolment, stay=stay, by=enrol_kwargs["by"])
    return enrolment
