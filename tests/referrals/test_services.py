import datetime as dt
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from referrals import services
from referrals import timeline as referrals_timeline
from referrals.models import Referral
from tests import factories as f


def test_police_officer_creates_referral_with_timeline_entry(users, orgs):
    referral = f.make_referral(police=users["police"], provider=orgs["provider"])
    assert referral.status == Referral.Status.RECEIVED
    assert referral.referring_body == orgs["police"]
    assert referral.survivors.count() == 1
    assert referral.survivors.get().phone == "+996700987654"
    assert list(referral.timeline.values_list("kind", flat=True)) == [referrals_timeline.REFERRAL_RECEIVED]


def test_repeated_submission_returns_the_same_referral(users, orgs):
    key = uuid.uuid4()
    first = f.make_referral(police=users["police"], provider=orgs["provider"], submission_key=key)
    second = f.make_referral(police=users["police"], provider=orgs["provider"], submission_key=key)
    assert first.pk == second.pk
    assert Referral.objects.count() == 1


def test_it_rejects_expiry_before_issue(users, orgs):
    today = dt.date.today()
    with pytest.raises(ValidationError) as exc:
        f.make_referral(
            police=users["police"],
            provider=orgs["provider"],
            order=f.order_data(order_issued_on=today, order_expires_on=today - dt.timedelta(days=1)),
        )
    assert exc.value.message_dict["order_expires_on"] == ["The order cannot expire before it was issued."]
    assert Referral.objects.count() == 0


def test_it_rejects_future_birth_date_and_bad_survivor_phone(users, orgs):
    with pytest.raises(ValidationError) as exc:
        f.make_referral(
            police=users["police"],
            provider=orgs["provider"],
            person=f.person_data(birth_date=dt.date.today() + dt.timedelta(days=1)),
            survivors=[f.survivor_data(phone="12ab")],
        )
    errors = exc.value.message_dict
    assert errors["person.birth_date"] == ["This date is in the future."]
    assert errors["survivors.0.phone"] == ["Enter a valid phone number, e.g. +996 555 123 456."]


def test_it_rejects_a_provider_that_is_not_a_programme_provider(users, orgs):
    with pytest.raises(ValidationError) as exc:
        f.make_referral(police=users["police"], provider=orgs["survivor_service"])
    assert exc.value.message_dict["provider"] == ["Choose a programme provider from the list."]


def test_only_police_enter_referrals(users, orgs):
    with pytest.raises(PermissionDenied):
        f.make_referral(police=users["psychologist"], provider=orgs["provider"])


def test_decline_without_reason_is_refused(referral, users):
    with pytest.raises(ValidationError) as exc:
        services.referral_decline(referral=referral, by=users["psychologist"], reason="")
    assert exc.value.message_dict["reason"] == ["Give the reason for declining."]
    referral.refresh_from_db()
    assert referral.status == Referral.Status.RECEIVED


def test_accept_requires_every_criterion_met(referral, users):
    services.screening_save(referral=referral, by=users["psychologist"], answers={"no_addiction": "not_met"})
    with pytest.raises(ValidationError) as exc:
        services.referral_accept(referral=referral, by=users["psychologist"])
    assert "Cannot accept" in exc.value.message_dict["__all__"][0]
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SCREENING


def test_accept_after_screening(referral, users):
    f.accept(referral, users["psychologist"])
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED


def test_another_provider_cannot_screen(referral, users):
    with pytest.raises(PermissionDenied):
        services.screening_save(referral=referral, by=users["other_psychologist"], answers={})


def test_a_submission_key_used_by_another_unit_neither_returns_nor_blocks(users, orgs):
    key = uuid.uuid4()
    theirs = f.make_referral(police=users["other_police"], provider=orgs["other_provider"], submission_key=key)
    ours = f.make_referral(police=users["police"], provider=orgs["provider"], submission_key=key)
    assert ours.pk != theirs.pk
    assert ours.referring_body == orgs["police"]
    assert ours.submission_key is None


def test_incident_description_and_survivor_names_are_required(users, orgs):
    with pytest.raises(ValidationError) as exc:
        f.make_referral(
            police=users["police"],
            provider=orgs["provider"],
            incident_description="",
            survivors=[f.survivor_data(given_name="", family_name="")],
        )
    errors = exc.value.message_dict
    assert errors["incident_description"] == ["This field cannot be blank."]
    assert errors["survivors.0.given_name"] == ["This field cannot be blank."]
    assert Referral.objects.count() == 0
