"""enrolment_discharge, enrolment_transfer and enrolment_move_group."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from casework.models import Case
from core.models import TimelineEntry
from programmes import selectors, services
from programmes import timeline as K
from programmes.models import Enrolment
from referrals.models import Referral
from tests import factories as f
from tests.programmes.conftest import days, group_session, log


@pytest.fixture
def ayalzat_person(ayalzat, group_of, case, enrol):
    group = group_of(ayalzat, starts_on=days(-24))
    return group, enrol(case, ayalzat, group)


def _attend(users, group, person, group_marks):
    for session in person.individual_sessions.all():
        log(session, users["psychologist"], {person: "present"})
    for number, mark in enumerate(group_marks, start=1):
        log(group_session(group, number), users["psychologist"], {person: mark})


# --- enrolment_discharge ------------------------------------------------------------


def test_completion_is_refused_while_requirements_are_missing(users, ayalzat_person):
    group, person = ayalzat_person
    _attend(users, group, person, ["present"] * 6 + ["unexcused"])
    with pytest.raises(ValidationError) as exc:
        services.enrolment_discharge(enrolment=person, kind="completed", by=users["psychologist"], on=days(0))
    assert exc.value.message_dict == {
        "__all__": ["Cannot record completion: 1 group session and 2.0 hours still missing."]
    }
    person.refresh_from_db()
    assert person.status == "active"


def test_completion_when_the_requirements_are_met(users, ayalzat_person):
    group, person = ayalzat_person
    _attend(users, group, person, ["present"] * 6 + ["late"])
    with mock.patch("programmes.services.endings._on_enrolment_ended") as hook:
        services.enrolment_discharge(enrolment=person, kind="completed", by=users["psychologist"], on=days(0))
    hook.assert_called_once()
    person.refresh_from_db()
    assert (person.status, person.ended_on) == ("completed", days(0))
    referral = Referral.objects.get(pk=person.case.referral_id)
    assert referral.status == Referral.Status.COMPLETED
    entry = referral.timeline.last()
    assert (entry.kind, entry.params, entry.detail_text) == (K.DISCHARGED, {"status": "completed"}, "Completed")


@pytest.mark.parametrize("kind", ["dropped_out", "expelled", "deselected"])
def test_other_endings_need_a_reason_and_leave_the_referral_dropped_out(users, past_group, men, case, enrol, kind):
    # Started six days ago: the second individual session (day 7) is tomorrow,
    # whatever the time of day the test runs.
    person = enrol(case, men, past_group, starts_on=days(-6))
    with pytest.raises(ValidationError) as exc:
        services.enrolment_discharge(enrolment=person, kind=kind, by=users["social_worker"], on=days(0))
    assert exc.value.message_dict == {"reason": ["Give the reason."]}

    services.enrolment_discharge(
        enrolment=person,
        kind=kind,
        by=users["social_worker"],
        on=days(0),
        reason="Stopped coming",
        notes="Said the programme is for weak men.",
    )
    person.refresh_from_db()
    assert (person.status, person.end_reason, person.end_notes) == (
        kind,
        "Stopped coming",
        "Said the programme is for weak men.",
    )
    assert Referral.objects.get(pk=case.referral_id).status == Referral.Status.DROPPED_OUT
    # His second individual session, still ahead, is cancelled; the first (past) is left to be logged.
    assert list(person.individual_sessions.order_by("number").values_list("status", flat=True)) == [
        "planned",
        "cancelled",
    ]
    entry = TimelineEntry.objects.filter(referral_id=case.referral_id).last()
    assert entry.kind == K.DISCHARGED
    assert "weak" not in entry.detail_text and "Stopped" not in entry.detail_text
    assert "weak" not in str(entry.params) and "Stopped" not in str(entry.params)


def test_discharge_refuses_a_future_date_and_an_unknown_kind(users, past_group, men, case, enrol):
    person = enrol(case, men, past_group)
    with pytest.raises(ValidationError) as exc:
        services.enrolment_discharge(
            enrolment=person, kind="dropped_out", by=users["psychologist"], on=days(1), reason="x"
        )
    assert exc.value.message_dict == {"on": ["This date is in the future."]}
    with pytest.raises(ValidationError) as exc:
        services.enrolment_discharge(enrolment=person, kind="transferred", by=users["psychologist"], on=days(0))
    assert exc.value.message_dict == {"kind": ["Choose how the programme ended."]}


def test_an_ended_enrolment_is_not_discharged_again(users, past_group, men, case, enrol):
    person = enrol(case, men, past_group)
    services.enrolment_discharge(
        enrolment=person, kind="expelled", by=users["psychologist"], on=days(0), reason="New violence"
    )
    with pytest.raises(ValidationError) as exc:
        services.enrolment_discharge(
            enrolment=person, kind="dropped_out", by=users["psychologist"], on=days(0), reason="x"
        )
    assert exc.value.message_dict == {"__all__": ["This enrolment has already ended."]}


def test_an_expulsion_for_violence_is_stored_and_only_an_expulsion_can_be(users, past_group, men, case, enrol):
    person = enrol(case, men, past_group)
    with pytest.raises(ValidationError) as exc:
        services.enrolment_discharge(
            enrolment=person, kind="dropped_out", by=users["psychologist"], on=days(0), reason="x", for_violence=True
        )
    assert exc.value.message_dict == {"for_violence": ["Only an expulsion can be because of new violence."]}
    ended = services.enrolment_discharge(
        enrolment=person, kind="expelled", by=users["psychologist"], on=days(0), reason="Hit her", for_violence=True
    )
    person.refresh_from_db()
    assert (ended.for_violence, person.for_violence, person.status) == (True, True, "expelled")


def test_the_check_refuses_what_the_discharge_refuses_and_writes_nothing(users, past_group, men, case, enrol):
    person = enrol(case, men, past_group)
    with pytest.raises(ValidationError) as exc:
        services.enrolment_discharge_check(
            enrolment=person, kind="deselected", by=users["psychologist"], on=days(1), for_violence=True
        )
    assert exc.value.message_dict == {
        "reason": ["Give the reason."],
        "for_violence": ["Only an expulsion can be because of new violence."],
        "on": ["This date is in the future."],
    }
    services.enrolment_discharge_check(
        enrolment=person, kind="expelled", by=users["psychologist"], on=days(0), reason="x", for_violence=True
    )
    with pytest.raises(PermissionDenied):
        services.enrolment_discharge_check(
            enrolment=person, kind="expelled", by=users["manager"], on=days(0), reason="x"
        )
    assert (person.status, person.for_violence) == ("active", False)
    person.refresh_from_db()
    assert (person.status, person.for_violence, person.ended_on) == ("active", False, None)


@pytest.mark.parametrize("who", ["manager", "police", "survivor_worker", "other_psychologist"])
def test_only_clinical_staff_discharge(users, past_group, men, case, enrol, who):
    person = enrol(case, men, past_group)
    with pytest.raises(PermissionDenied):
        services.enrolment_discharge(enrolment=person, kind="dropped_out", by=users[who], on=days(0), reason="x")


def test_an_ended_person_is_expected_only_at_sessions_before_the_end(users, past_group, men, case, new_case, enrol):
    leaver = enrol(case, men, past_group)
    stayer = enrol(new_case(), men, past_group)
    services.enrolment_discharge(
        enrolment=leaver, kind="dropped_out", by=users["psychologist"], on=days(-7), reason="Left"
    )
    before, last_day, after = group_session(past_group, 7), group_session(past_group, 8), group_session(past_group, 9)
    expected = selectors.expected_by_session([before, last_day, after])
    assert {e.pk for e in expected[before.pk]} == {leaver.pk, stayer.pk}
    assert [e.pk for e in expected[last_day.pk]] == [stayer.pk]
    assert [e.pk for e in expected[after.pk]] == [stayer.pk]
    # A session before the end, logged late, still takes his mark.
    log(before, users["psychologist"], {leaver: "unexcused", stayer: "present"})
    assert selectors.progress(leaver).unexcused_total == 1


def test_discharge_cancels_planned_individual_sessions_after_the_last_day(users, past_group, men, case, enrol):
    person = enrol(case, men, past_group, starts_on=days(-10))  # individual sessions 10 and 3 days ago
    services.enrolment_discharge(
        enrolment=person, kind="dropped_out", by=users["psychologist"], on=days(-5), reason="Stopped coming"
    )
    assert list(person.individual_sessions.order_by("number").values_list("status", "cancel_reason")) == [
        ("planned", ""),
        ("cancelled", "The enrolment ended"),
    ]


# --- enrolment_transfer --------------------------------------------------------------


def test_transfer_ends_the_enrolment_and_moves_the_case(users, orgs, past_group, men, case, enrol):
    person = enrol(case, men, past_group, starts_on=days(-6))
    services.enrolment_transfer(
        enrolment=person, provider=orgs["other_provider"], by=users["manager"], reason="Moved to Khujand"
    )
    person.refresh_from_db()
    assert (person.status, person.transferred_to, person.ended_on, person.end_reason) == (
        "transferred",
        orgs["other_provider"],
        days(0),
        "Moved to Khujand",
    )
    future = person.individual_sessions.get(number=2)
    assert (future.status, future.cancel_reason) == ("cancelled", "Transferred to another provider")
    case = Case.objects.select_related("referral").get(pk=case.pk)
    assert case.provider == orgs["other_provider"] == case.referral.provider
    assert case.referral.status == Referral.Status.ENROLLED
    entry = case.referral.timeline.last()
    assert (entry.kind, entry.detail_text) == (K.TRANSFERRED, f"to {orgs['other_provider'].name}")
    assert past_group.enrolments.filter(status="active").count() == 0


def test_the_new_provider_enrols_a_transferred_person_again(users, orgs, past_group, men, case, enrol):
    person = enrol(case, men, past_group)
    services.enrolment_transfer(
        enrolment=person, provider=orgs["other_provider"], by=users["psychologist"], reason="Moved"
    )
    tj = f.shipped_template("tj-consultation-room")
    social_worker = f.make_user(orgs["other_provider"], "social_worker")
    group, _warnings = services.group_create(
        provider=orgs["other_provider"],
        template=tj,
        by=users["other_psychologist"],
        name="Khujand men",
        sex="male",
        capacity=10,
        psychologist=users["other_psychologist"],
        social_worker=social_worker,
        location="Room 1",
        language="ru",
        starts_on=days(3),
    )
    again = services.enrol(
        case=Case.objects.get(pk=case.pk),
        template=tj,
        group=group,
        psychologist=users["other_psychologist"],
        starts_on=days(0),
        by=users["other_psychologist"],
    )
    assert (again.provider, again.status, again.individual_sessions.count()) == (orgs["other_provider"], "active", 10)


def test_transfer_needs_another_active_provider_and_a_reason(users, orgs, past_group, men, case, enrol):
    person = enrol(case, men, past_group)
    with pytest.raises(ValidationError) as exc:
        services.enrolment_transfer(enrolment=person, provider=orgs["provider"], by=users["manager"], reason="")
    assert exc.value.message_dict == {
        "provider": ["Choose another active programme provider."],
        "reason": ["Give the reason for the transfer."],
    }
    with pytest.raises(ValidationError) as exc:
        services.enrolment_transfer(
            enrolment=person, provider=orgs["survivor_service"], by=users["manager"], reason="x"
        )
    assert exc.value.message_dict == {"provider": ["Choose another active programme provider."]}
    person.refresh_from_db()
    assert person.status == "active"


@pytest.mark.parametrize("who", ["police", "survivor_worker", "other_psychologist"])
def test_others_cannot_transfer(users, orgs, past_group, men, case, enrol, who):
    person = enrol(case, men, past_group)
    with pytest.raises(PermissionDenied):
        services.enrolment_transfer(enrolment=person, provider=orgs["other_provider"], by=users[who], reason="x")


# --- enrolment_move_group --------------------------------------------------------------


def test_moving_to_another_group(users, men, past_group, group_of, case, enrol):
    person = enrol(case, men, past_group)
    log(group_session(past_group, 1), users["psychologist"], {person: "present"})
    evening = group_of(men, starts_on=days(-20), name="Evening men")
    services.enrolment_move_group(enrolment=person, group=evening, by=users["manager"])
    person.refresh_from_db()
    # Expected from the new group's first session he can be told of in time.
    told_in_time = evening.sessions.filter(starts_at__gte=timezone.now() + dt.timedelta(hours=24)).first()
    assert (person.group, person.group_from) == (evening, told_in_time.local_date)
    assert selectors.progress(person).group_attended == 1
    entry = TimelineEntry.objects.filter(referral_id=case.referral_id).last()
    assert (entry.kind, entry.detail_text) == (K.MOVED_GROUP, "from group Tuesday men to group Evening men")
    upcoming = told_in_time
    past = evening.sessions.filter(starts_at__lt=timezone.now()).first()
    expected = selectors.expected_by_session([upcoming, past])
    assert person.pk in [e.pk for e in expected[upcoming.pk]]
    assert person.pk not in [e.pk for e in expected[past.pk]]


def test_moving_keeps_a_later_first_group_day(users, men, past_group, group_of, case, enrol):
    person = enrol(case, men, past_group, starts_on=days(0))  # in the group from day 14
    other = group_of(men, starts_on=days(-20), name="Evening men")
    services.enrolment_move_group(enrolment=person, group=other, by=users["psychologist"])
    person.refresh_from_db()
    # The other group's first session on or after his first group day.
    assert person.group_from == other.sessions.filter(starts_at__date__gte=days(14)).first().local_date
    assert person.group_from - days(14) < dt.timedelta(days=7)


def test_moving_into_a_full_group_is_refused(users, men, past_group, group_of, case, new_case, enrol):
    person = enrol(case, men, past_group)
    full = group_of(men, starts_on=days(7), capacity=1, name="Full")
    enrol(new_case(), men, full)
    with pytest.raises(ValidationError) as exc:
        services.enrolment_move_group(enrolment=person, group=full, by=users["manager"])
    assert exc.value.message_dict == {"group": ["The group is full."]}


def test_a_man_is_never_moved_into_a_womens_group(users, any_sex, group_of, case, enrol):
    mens = group_of(any_sex, sex="male", starts_on=days(7))
    womens = group_of(any_sex, sex="female", starts_on=days(7))
    person = enrol(case, any_sex, mens)
    with pytest.raises(ValidationError) as exc:
        services.enrolment_move_group(enrolment=person, group=womens, by=users["manager"])
    assert exc.value.message_dict == {"group": ["Men and women are never in one group."]}


def test_moving_into_a_started_closed_group_is_refused(users, men, past_group, group_of, case, enrol):
    person = enrol(case, men, past_group)
    closed = group_of(men, starts_on=days(-7), intake="closed", name="Closed")
    with pytest.raises(ValidationError) as exc:
        services.enrolment_move_group(enrolment=person, group=closed, by=users["manager"])
    assert exc.value.message_dict == {"group": ["The group has closed intake and has already started."]}


def test_moving_into_the_same_group_is_refused(users, men, past_group, case, enrol):
    person = enrol(case, men, past_group)
    with pytest.raises(ValidationError) as exc:
        services.enrolment_move_group(enrolment=person, group=past_group, by=users["manager"])
    assert exc.value.message_dict == {"group": ["The person is already in this group."]}


def test_moving_an_ended_enrolment_is_refused(users, men, past_group, group_of, case, enrol):
    person = enrol(case, men, past_group)
    services.enrolment_discharge(enrolment=person, kind="dropped_out", by=users["psychologist"], on=days(0), reason="x")
    other = group_of(men, starts_on=days(7))
    with pytest.raises(ValidationError) as exc:
        services.enrolment_move_group(enrolment=person, group=other, by=users["manager"])
    assert exc.value.message_dict == {"__all__": ["This enrolment has already ended."]}
    assert Enrolment.objects.get(pk=person.pk).group == past_group
