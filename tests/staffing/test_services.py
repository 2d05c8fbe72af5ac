"""The staff-record services: who may write, what each record must hold,
and errors keyed by field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from staffing import services
from staffing.models import Qualification, Supervision, Training

pytestmark = pytest.mark.django_db


def _training(users, orgs, by="manager", **overrides):
    data = {
        "provider": orgs["provider"],
        "by": users[by],
        "staff": users["psychologist"],
        "course": "Working with perpetrators of domestic violence",
        "trainer": "OSCE Programme Office in Bishkek",
        "starts_on": dt.date(2026, 5, 4),
        "ends_on": dt.date(2026, 5, 8),
        "hours": Decimal("40"),
        "certificate_number": "OSCE-2026-014",
        "certificate_issuer": "OSCE Programme Office in Bishkek",
    }
    return services.training_save(**{**data, **overrides})


@pytest.mark.parametrize("by", ["manager", "provider_admin"])
def test_a_manager_or_administrator_records_a_training(users, orgs, by):
    training = _training(users, orgs, by=by)
    stored = Training.objects.get()
    assert (stored.staff, stored.organisation, stored.recorded_by) == (
        users["psychologist"],
        orgs["provider"],
        users[by],
    )
    assert (stored.course, stored.hours, stored.certificate_number) == (
        "Working with perpetrators of domestic violence",
        Decimal("40.0"),
        "OSCE-2026-014",
    )
    assert training.pk == stored.pk


@pytest.mark.parametrize("by", ["psychologist", "social_worker", "other_psychologist", "police"])
def test_nobody_else_records_one(users, orgs, by):
    with pytest.raises(PermissionDenied, match="keep its staff records"):
        _training(users, orgs, by=by)
    assert not Training.objects.exists()


def test_only_the_providers_own_facilitators_have_records(users, orgs):
    for stranger in ("other_psychologist", "manager"):
        with pytest.raises(PermissionDenied, match="psychologists and social workers"):
            _training(users, orgs, staff=users[stranger])


def test_a_training_cannot_end_before_it_starts(users, orgs):
    with pytest.raises(ValidationError) as caught:
        _training(users, orgs, ends_on=dt.date(2026, 5, 1))
    assert caught.value.message_dict == {"ends_on": ["The last day cannot be before the first."]}


def test_a_correction_changes_the_same_row(users, orgs):
    training = _training(users, orgs)
    corrected = _training(users, orgs, staff=None, training=training, hours=Decimal("36"), by="provider_admin")
    assert corrected.pk == training.pk
    training.refresh_from_db()
    assert (training.hours, training.recorded_by) == (Decimal("36.0"), users["provider_admin"])


def test_another_providers_record_is_not_corrected(users, orgs):
    training = _training(users, orgs)
    with pytest.raises(PermissionDenied):
        _training(users, orgs, provider=orgs["other_provider"], training=training, by="manager")


def test_supervision_hours_are_recorded_and_checked(users, orgs):
    supervision = services.supervision_save(
        provider=orgs["provider"],
        by=users["manager"],
        staff=users["social_worker"],
        held_on=dt.date(2026, 6, 1),
        hours=Decimal("2"),
        supervisor="Clinical supervisor, Sezim",
    )
    assert Supervision.objects.get() == supervision
    with pytest.raises(ValidationError) as caught:
        services.supervision_save(
            provider=orgs["provider"],
            by=users["manager"],
            supervision=supervision,
            held_on=dt.date(2026, 6, 1),
            hours=Decimal("0"),
            supervisor="  ",
        )
    assert set(caught.value.message_dict) == {"hours", "supervisor"}


def test_a_qualification_must_be_valid_after_it_is_granted(users, orgs):
    with pytest.raises(ValidationError) as caught:
        services.qualification_save(
            provider=orgs["provider"],
            by=users["manager"],
            staff=users["psychologist"],
            family="kg_annex3",
            granted_on=dt.date(2026, 9, 1),
            expires_on=dt.date(2026, 9, 1),
            granted_by="OSCE",
        )
    assert caught.value.message_dict == {
        "expires_on": ["The qualification must be valid after the day it was granted."]
    }
    with pytest.raises(ValidationError) as caught:
        services.qualification_save(
            provider=orgs["provider"],
            by=users["manager"],
            staff=users["psychologist"],
            family="astrology",
            granted_on=dt.date(2026, 9, 1),
            granted_by="OSCE",
        )
    assert list(caught.value.message_dict) == ["family"]
    assert not Qualification.objects.exists()
