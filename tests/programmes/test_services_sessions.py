"""session_reschedule and session_cancel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.models import TimelineEntry
from programmes import services
from programmes import timeline as K
from tests.programmes.conftest import days, group_session, log


@pytest.fixture
def members(past_group, men, new_case, enrol):
    return [enrol(new_case(), men, past_group) for _ in range(2)]


def test_rescheduling_moves_a_group_session_for_everyone(users, past_group, members):
    session = group_session(past_group, 10)
    original = session.starts_at
    new_time = original + dt.timedelta(days=1, hours=2)
    moved = services.session_reschedule(session=session, starts_at=new_time, by=users["manager"], reason="Holiday")
    moved.refresh_from_db()
    assert (moved.starts_at, moved.rescheduled_from, moved.reschedule_reason) == (new_time, original, "Holiday")
    entries = TimelineEntry.objects.filter(kind=K.SESSION_RESCHEDULED)
    assert sorted(entries.values_list("referral_id", flat=True)) == sorted(m.case.referral_id for m in members)
    old_local, new_local = timezone.localtime(original), timezone.localtime(new_time)
    assert entries.first().detail_text == (
        f"Group session 10, {old_local:%d.%m.%Y %H:%M} moved to {new_local:%d.%m.%Y %H:%M}"
    )


def test_rescheduling_twice_keeps_the_first_planned_time(users, past_group, members):
    session = group_session(past_group, 10)
    original = session.starts_at
    services.session_reschedule(session=session, starts_at=original + dt.timedelta(hours=1), by=users["manager"])
    services.session_reschedule(session=session, starts_at=original + dt.timedelta(hours=3), by=users["manager"])
    session.refresh_from_db()
    assert session.rescheduled_from == original


def test_a_held_session_is_not_rescheduled(users, past_group, members):
    session = log(group_session(past_group, 1), users["psychologist"], {m: "present" for m in members})
    with pytest.raises(ValidationError) as exc:
        services.session_reschedule(session=session, starts_at=timezone.now(), by=users["manager"])
    assert exc.value.message_dict == {"__all__": ["Only a planned session can be rescheduled."]}


def test_a_naive_time_is_refused(users, past_group, members):
    with pytest.raises(ValidationError) as exc:
        services.session_reschedule(
            session=group_session(past_group, 10), starts_at=dt.datetime(2030, 1, 1, 10, 0), by=users["manager"]
        )
    assert exc.value.message_dict == {"starts_at": ["Enter the new date and time."]}


def test_cancelling_a_group_session_cancels_it_for_everyone(users, past_group, members):
    session = services.session_cancel(
        session=group_session(past_group, 10), reason="Room closed", by=users["psychologist"]
    )
    session.refresh_from_db()
    assert (session.status, session.cancel_reason) == ("cancelled", "Room closed")
    entries = TimelineEntry.objects.filter(kind=K.SESSION_CANCELLED)
    assert entries.count() == 2
    assert "Room closed" not in entries.first().detail_text
    assert "Room closed" not in str(entries.first().params)


def test_cancelling_an_individual_session_touches_only_that_person(users, members):
    session = members[0].individual_sessions.get(number=2)
    services.session_cancel(session=session, reason="He is in hospital", by=users["psychologist"])
    entry = TimelineEntry.objects.get(kind=K.SESSION_CANCELLED)
    assert entry.referral_id == members[0].case.referral_id
    assert entry.detail_text.startswith("Individual session 2, ")


def test_a_reason_is_required_to_cancel(users, past_group, members):
    with pytest.raises(ValidationError) as exc:
        services.session_cancel(session=group_session(past_group, 10), reason="  ", by=users["manager"])
    assert exc.value.message_dict == {"reason": ["Give the reason for cancelling."]}
    assert group_session(past_group, 10).status == "planned"


def test_a_held_session_cannot_be_cancelled(users, past_group, members):
    session = log(group_session(past_group, 1), users["psychologist"], {m: "present" for m in members})
    with pytest.raises(ValidationError) as exc:
        services.session_cancel(session=session, reason="Mistake", by=users["manager"])
    assert exc.value.message_dict == {"__all__": ["A session that was logged cannot be cancelled."]}


def test_a_session_is_cancelled_once(users, past_group, members):
    session = services.session_cancel(session=group_session(past_group, 10), reason="Snow", by=users["manager"])
    with pytest.raises(ValidationError) as exc:
        services.session_cancel(session=session, reason="Snow", by=users["manager"])
    assert exc.value.message_dict == {"__all__": ["This session is already cancelled."]}


@pytest.mark.parametrize("who", ["police", "survivor_worker", "other_psychologist", "provider_admin"])
def test_others_cannot_reschedule_or_cancel(users, past_group, who):
    session = group_session(past_group, 10)
    with pytest.raises(PermissionDenied):
        services.session_cancel(session=session, reason="No", by=users[who])
    with pytest.raises(PermissionDenied):
        services.session_reschedule(session=session, starts_at=timezone.now(), by=users[who])


def test_rescheduling_to_the_same_time_changes_nothing(users, past_group, members):
    session = group_session(past_group, 10)
    services.session_reschedule(session=session, starts_at=session.starts_at, by=users["manager"])
    session.refresh_from_db()
    assert session.rescheduled_from is None
    assert not TimelineEntry.objects.filter(kind=K.SESSION_RESCHEDULED).exists()


def test_people_who_join_later_are_not_told_about_earlier_sessions(users, past_group, men, case, enrol, members):
    enrol(case, men, past_group, starts_on=days(0))  # in the group from day 14
    services.session_cancel(session=group_session(past_group, 10), reason="Snow", by=users["manager"])  # day 7
    referral_ids = set(TimelineEntry.objects.filter(kind=K.SESSION_CANCELLED).values_list("referral_id", flat=True))
    assert referral_ids == {m.case.referral_id for m in members}
