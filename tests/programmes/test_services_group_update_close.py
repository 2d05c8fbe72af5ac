"""group_update and group_close: what may change in a running group, what
happens to its sessions (never the past ones), and the decision closing a
group needs while people are still in it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Role
from programmes import services
from programmes import timeline as programmes_timeline
from programmes.models import Enrolment, Group, Session
from programmes.selectors import local_midnight
from tests import factories as f
from tests.programmes.conftest import days, group_session, log


def _update(group, by, **overrides):
    data = {
        "name": group.name,
        "capacity": group.capacity,
        "psychologist": group.psychologist,
        "social_worker": group.social_worker,
        "location_kind": group.location_kind,
        "location": group.location,
        "time_of_day": group.time_of_day,
    }
    data.update(overrides)
    return services.group_update(group=group, by=by, **data)


def _snapshot(sessions) -> list[tuple]:
    return [(s.pk, s.starts_at, s.facilitator_id, s.co_facilitator_id, s.location, s.status) for s in sessions]


@pytest.fixture
def second_pair(orgs):
    psychologist = f.make_user(orgs["provider"], Role.PSYCHOLOGIST, "psychologist2")
    psychologist.gender = "female"
    psychologist.save(update_fields=["gender"])
    social_worker = f.make_user(orgs["provider"], Role.SOCIAL_WORKER, "social_worker2")
    social_worker.gender = "male"
    social_worker.save(update_fields=["gender"])
    f.qualify(psychologist)
    f.qualify(social_worker)
    return psychologist, social_worker


# --- group_update -----------------------------------------------------------------


def test_update_changes_the_group_and_only_the_sessions_still_to_come(
    users, past_group, second_pair, new_case, enrol, men
):
    """GIVEN a group 8 weeks in (session 1 held, 2-8 past, 9 today, 10-24 ahead)
    WHEN the name, capacity, pair, place and time change
    THEN only sessions from tomorrow move to the new time, sessions after now
    take the new pair and place, and the past stays as it was."""
    person = enrol(new_case(), men, past_group)
    log(group_session(past_group, 1), users["psychologist"], {person: "present"})
    past = list(past_group.sessions.filter(starts_at__lt=timezone.now()).order_by("number"))
    today = [s for s in past_group.sessions.order_by("number") if s.local_date == days(0)]
    ahead = list(past_group.sessions.filter(starts_at__gte=local_midnight(days(1))).order_by("number"))
    assert [s.number for s in ahead] == list(range(10, 25))
    before_past = _snapshot(past)
    before_today = [s.starts_at for s in today]

    result = _update(
        past_group,
        users["manager"],
        name="  Thursday men  ",
        capacity=8,
        psychologist=second_pair[0],
        social_worker=second_pair[1],
        location_kind="mobile",
        location="Kara-Suu, Alamedin",
        time_of_day=dt.time(18, 15),
    )

    group = Group.objects.get(pk=past_group.pk)
    assert (group.name, group.capacity, group.location_kind, group.location, group.time_of_day) == (
        "Thursday men",
        8,
        "mobile",
        "Kara-Suu, Alamedin",
        dt.time(18, 15),
    )
    assert (group.psychologist, group.social_worker) == second_pair
    assert group.starts_on == days(-56)  # the first day stays
    assert result.warnings == []
    assert result.sessions_moved == 15
    assert _snapshot(Session.objects.filter(pk__in=[s.pk for s in past]).order_by("number")) == before_past
    assert [s.starts_at for s in Session.objects.filter(pk__in=[s.pk for s in today])] == before_today
    for session in Session.objects.filter(pk__in=[s.pk for s in ahead]).order_by("number"):
        local = timezone.localtime(session.starts_at)
        assert (local.date(), local.time()) == (days(7 * (session.number - 9)), dt.time(18, 15))
        assert (session.facilitator_id, session.co_facilitator_id, session.location) == (
            second_pair[0].pk,
            second_pair[1].pk,
            "Kara-Suu, Alamedin",
        )
        assert session.rescheduled_from is None
    entry = person.case.referral.timeline.filter(kind=programmes_timeline.SESSION_RESCHEDULED).get()
    assert entry.params == {"group": "Thursday men", "from": days(7).isoformat(), "time": "18:15"}
    assert entry.detail_text == f"Group Thursday men: sessions from {days(7):%d.%m.%Y} at 18:15"


def test_update_without_a_new_time_moves_nothing_and_writes_no_timeline(users, past_group, new_case, enrol, men):
    person = enrol(new_case(), men, past_group)
    before = [s.starts_at for s in past_group.sessions.order_by("number")]

    result = _update(past_group, users["psychologist"], name="Renamed", location="Room 9")

    assert result.sessions_moved == 0
    assert [s.starts_at for s in past_group.sessions.order_by("number")] == before
    assert set(past_group.sessions.filter(number__gte=10).values_list("location", flat=True)) == {"Room 9"}
    assert not person.case.referral.timeline.filter(kind=programmes_timeline.SESSION_RESCHEDULED).exists()


def test_a_session_rescheduled_on_its_own_keeps_its_time(users, group_of, men):
    group = group_of(men, starts_on=days(7), time_of_day=dt.time(15, 0))
    second = group_session(group, 2)
    moved_to = timezone.make_aware(dt.datetime.combine(days(15), dt.time(11, 0)))
    services.session_reschedule(session=second, starts_at=moved_to, by=users["psychologist"], reason="Holiday")

    _update(group, users["psychologist"], time_of_day=dt.time(9, 0))

    assert group_session(group, 2).starts_at == moved_to
    first = timezone.localtime(group_session(group, 1).starts_at)
    assert (first.date(), first.time()) == (days(7), dt.time(9, 0))


def test_update_refuses_a_capacity_below_the_people_in_the_group(users, group_of, men, new_case, enrol):
    group = group_of(men)
    for _ in range(3):
        enrol(new_case(), men, group)
    with pytest.raises(ValidationError) as caught:
        _update(group, users["manager"], capacity=2, name="Changed")
    assert caught.value.message_dict == {"capacity": ["3 people are in the group now: the capacity cannot be lower."]}
    group.refresh_from_db()
    assert (group.capacity, group.name) == (12, group.name)
    _update(group, users["manager"], capacity=3)
    group.refresh_from_db()
    assert group.capacity == 3


def test_update_refuses_bad_values_field_by_field(users, orgs, group_of, men):
    group = group_of(men)
    with pytest.raises(ValidationError) as caught:
        _update(
            group,
            users["psychologist"],
            name=" ",
            capacity=41,
            psychologist=users["other_psychologist"],
            social_worker=users["psychologist"],
            location="",
        )
    assert caught.value.message_dict == {
        "psychologist": ["Choose a psychologist of your organisation."],
        "social_worker": ["Choose a social worker of your organisation."],
        "name": ["This field cannot be blank."],
        "capacity": ["Ensure this value is less than or equal to 40."],
        "location": ["This field cannot be blank."],
    }


def test_update_warns_about_an_unbalanced_pair(users, group_of, men, pair):
    group = group_of(men)
    other = f.make_user(group.provider, Role.SOCIAL_WORKER, "sw_man")
    other.gender = "male"
    other.save(update_fields=["gender"])
    f.qualify(other)
    assert _update(group, users["psychologist"], social_worker=other).warnings == [
        "The facilitator pair is not gender-balanced."
    ]


def test_a_closed_group_is_not_updated(users, group_of, men):
    group = group_of(men)
    services.group_close(group=group, by=users["manager"], reason="Cycle over")
    with pytest.raises(ValidationError) as caught:
        _update(group, users["manager"], name="Again")
    assert caught.value.messages == ["This group is closed; it can no longer be changed."]


@pytest.mark.parametrize("who", ["police", "survivor_worker", "provider_admin", "other_psychologist"])
def test_update_and_close_by_others_are_denied(users, group_of, men, who):
    group = group_of(men)
    with pytest.raises(PermissionDenied):
        _update(group, users[who], name="Mine")
    with pytest.raises(PermissionDenied):
        services.group_close(group=group, by=users[who], reason="Mine")
    group.refresh_from_db()
    assert group.is_active and group.name != "Mine"


# --- group_close ------------------------------------------------------------------


def test_closing_an_empty_group_cancels_only_the_sessions_to_come(users, past_group, men, new_case, enrol):
    person = enrol(new_case(), men, past_group)
    log(group_session(past_group, 1), users["psychologist"], {person: "present"})
    services.enrolment_discharge(
        enrolment=person, kind="dropped_out", by=users["psychologist"], on=days(0), reason="Stopped coming"
    )
    person.refresh_from_db()
    assert person.status != Enrolment.Status.ACTIVE
    past_before = _snapshot(past_group.sessions.filter(starts_at__lte=timezone.now()).order_by("number"))
    to_come = past_group.sessions.filter(status=Session.Status.PLANNED, starts_at__gt=timezone.now()).count()

    result = services.group_close(group=past_group, by=users["social_worker"], reason="  The cycle has ended ")

    assert (result.moved, result.cancelled) == (0, to_come)
    past_group.refresh_from_db()
    assert past_group.is_active is False
    assert _snapshot(past_group.sessions.filter(starts_at__lte=timezone.now()).order_by("number")) == past_before
    assert group_session(past_group, 1).status == Session.Status.HELD
    later = past_group.sessions.filter(starts_at__gt=timezone.now())
    assert set(later.values_list("status", "cancel_reason")) == {(Session.Status.CANCELLED, "The cycle has ended")}


def test_a_closed_group_takes_nobody_new(users, group_of, men, new_case, enrol):
    group = group_of(men)
    services.group_close(group=group, by=users["manager"], reason="Not enough referrals")
    with pytest.raises(ValidationError) as caught:
        enrol(new_case(), men, group)
    assert "This group is no longer running." in caught.value.message_dict["group"]
    with pytest.raises(ValidationError) as again:
        services.group_close(group=group, by=users["manager"], reason="Twice")
    assert again.value.messages == ["This group is already closed."]


def test_closing_with_people_in_it_needs_a_decision(users, group_of, men, new_case, enrol):
    group = group_of(men)
    enrol(new_case(), men, group)
    enrol(new_case(), men, group)

    with pytest.raises(ValidationError) as caught:
        services.group_close(group=group, by=users["manager"], reason="")

    assert caught.value.message_dict == {
        "reason": ["Give the reason for closing the group."],
        "move_to": [
            "2 people are still in this group. Choose a group to move them to, or move, transfer or "
            "discharge them first."
        ],
    }
    group.refresh_from_db()
    assert group.is_active
    assert not group.sessions.filter(status=Session.Status.CANCELLED).exists()


def test_closing_moves_everyone_to_the_chosen_group(users, group_of, men, new_case, enrol):
    group = group_of(men, name="Old men")
    people = [enrol(new_case(), men, group) for _ in range(2)]
    target = group_of(men, name="New men")

    result = services.group_close(group=group, by=users["psychologist"], reason="Merged", move_to=target)

    assert (result.moved, result.group.is_active) == (2, False)
    for person in people:
        person.refresh_from_db()
        assert (person.group_id, person.status) == (target.pk, Enrolment.Status.ACTIVE)
        moved = person.case.referral.timeline.get(kind=programmes_timeline.MOVED_GROUP)
        assert moved.detail_text == "from group Old men to group New men"


def test_closing_refuses_a_group_without_room_for_everyone(users, group_of, men, new_case, enrol):
    group = group_of(men)
    for _ in range(2):
        enrol(new_case(), men, group)
    target = group_of(men, name="Small men", capacity=2)
    enrol(new_case(), men, target)

    with pytest.raises(ValidationError) as caught:
        services.group_close(group=group, by=users["manager"], reason="Merged", move_to=target)

    assert caught.value.message_dict == {"move_to": ["Small men has 1 free place; 2 people need one."]}
    assert group.enrolments.filter(status=Enrolment.Status.ACTIVE).count() == 2
    group.refresh_from_db()
    assert group.is_active


def test_closing_refuses_an_unsuitable_group_and_changes_nothing(users, group_of, men, any_sex, new_case, enrol):
    group = group_of(men)
    person = enrol(new_case(), men, group)
    other_programme = group_of(any_sex, name="Mandatory men")

    with pytest.raises(ValidationError) as caught:
        services.group_close(group=group, by=users["manager"], reason="Merged", move_to=other_programme)
    assert caught.value.message_dict == {"move_to": ["This group runs another programme."]}

    with pytest.raises(ValidationError) as same:
        services.group_close(group=group, by=users["manager"], reason="Merged", move_to=group)
    assert same.value.message_dict == {"move_to": ["Choose another group."]}
    person.refresh_from_db()
    assert person.group_id == group.pk
    group.refresh_from_db()
    assert group.is_active
