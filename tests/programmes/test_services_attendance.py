"""attendance_log: one call for a whole roster, idempotent, with a number of
queries that does not grow with the group."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from accounts.scope import Scope
from core.models import TimelineEntry
from programmes import services
from programmes import timeline as K
from programmes.models import Attendance
from programmes.selectors import get_session_for_user, roster_of
from tests.programmes.conftest import days, group_session, log


@pytest.fixture
def three(past_group, men, new_case, enrol):
    """Three men in the group from its first session (8 weeks ago)."""
    return [enrol(new_case(), men, past_group) for _ in range(3)]


def test_it_logs_a_whole_group_session_in_one_call(users, past_group, three):
    session = group_session(past_group, 1)
    a, b, c = three
    logged = log(session, users["psychologist"], {a: "present", b: "late", c: "unexcused"}, notes="Tense start.")
    assert (logged.status, logged.topic_covered, logged.logged_by) == (
        "held",
        session.planned_topic,
        users["psychologist"],
    )
    assert logged.logged_at is not None
    assert dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "mark")) == {
        a.pk: "present",
        b.pk: "late",
        c.pk: "unexcused",
    }
    session.refresh_from_db()
    assert session.notes == "Tense start."
    with connection.cursor() as cursor:
        cursor.execute("SELECT notes FROM programmes_session WHERE id = %s", [session.pk])
        assert "Tense" not in cursor.fetchone()[0]
    entry = TimelineEntry.objects.filter(referral_id=b.case.referral_id, kind=K.ATTENDANCE_RECORDED).get()
    when = timezone.localtime(session.starts_at)
    assert entry.params == {"session": "group", "number": 1, "at": session.starts_at.isoformat(), "mark": "late"}
    assert entry.detail_text == f"Group session 1, {when:%d.%m.%Y %H:%M}: Late"
    assert "Tense" not in entry.detail_text and entry.detail == ""


def test_resubmitting_replaces_the_marks_and_records_only_changes(users, past_group, three):
    session = group_session(past_group, 1)
    a, b, c = three
    log(session, users["psychologist"], {a: "present", b: "present", c: "present"})
    log(session, users["social_worker"], {str(a.pk): "present", str(b.pk): "excused", str(c.pk): "present"})
    assert Attendance.objects.filter(session=session).count() == 3
    assert Attendance.objects.get(session=session, enrolment=b).mark == "excused"
    assert Attendance.objects.get(session=session, enrolment=b).recorded_by == users["social_worker"]
    kinds = TimelineEntry.objects.filter(kind=K.ATTENDANCE_RECORDED)
    assert kinds.count() == 4
    assert kinds.filter(referral_id=b.case.referral_id).count() == 2
    session.refresh_from_db()
    assert session.logged_by == users["social_worker"]


def test_everyone_expected_must_be_marked(users, past_group, three):
    session = group_session(past_group, 1)
    a, b, c = three
    with pytest.raises(ValidationError) as exc:
        log(session, users["psychologist"], {a: "present"})
    assert exc.value.message_dict == {
        f"marks.{b.pk}": ["Mark this person's attendance."],
        f"marks.{c.pk}": ["Mark this person's attendance."],
    }
    session.refresh_from_db()
    assert session.status == "planned"
    assert not Attendance.objects.exists()


def test_people_not_expected_are_refused(users, past_group, three, men, new_case, enrol, case):
    session = group_session(past_group, 1)
    a, b, c = three
    # Starts today: in the group from two weeks on, so not expected eight weeks ago.
    late_joiner = enrol(case, men, past_group, starts_on=days(0))
    marks = {a: "present", b: "present", c: "present", late_joiner: "present", 999999: "present"}
    with pytest.raises(ValidationError) as exc:
        log(session, users["psychologist"], marks)
    assert exc.value.message_dict == {"marks": ["Some of the people marked are not expected at this session."]}
    assert not Attendance.objects.exists()


def test_an_unknown_mark_is_refused(users, past_group, three):
    a, b, c = three
    with pytest.raises(ValidationError) as exc:
        log(group_session(past_group, 1), users["psychologist"], {a: "present", b: "asleep", c: "late"})
    assert exc.value.message_dict == {f"marks.{b.pk}": ["Choose present, late, excused or unexcused."]}


def test_the_topic_is_required_when_anyone_came(users, past_group, three):
    a, b, c = three
    with pytest.raises(ValidationError) as exc:
        log(group_session(past_group, 1), users["psychologist"], {a: "present", b: "excused", c: "late"}, topic=" ")
    assert exc.value.message_dict == {"topic_covered": ["Enter the topic covered."]}


def test_a_session_nobody_came_to_needs_no_topic_and_is_not_held(users, past_group, three):
    a, b, c = three
    session = log(
        group_session(past_group, 1), users["psychologist"], {a: "unexcused", b: "excused", c: "unexcused"}, topic=""
    )
    assert (session.status, session.topic_covered) == ("not_held", "")
    # A topic typed anyway is not stored: nobody was there to cover it.
    session = log(session, users["psychologist"], {a: "unexcused", b: "excused", c: "unexcused"}, topic="Anger")
    assert (session.status, session.topic_covered) == ("not_held", "")


def test_a_cancelled_session_cannot_be_logged(users, past_group, three):
    session = services.session_cancel(session=group_session(past_group, 1), reason="Room flooded", by=users["manager"])
    a, b, c = three
    with pytest.raises(ValidationError) as exc:
        log(session, users["psychologist"], {a: "present", b: "present", c: "present"})
    assert exc.value.message_dict == {"__all__": ["A cancelled session cannot be logged."]}


def test_a_future_session_cannot_be_logged(users, past_group, three):
    a, b, c = three
    session = past_group.sessions.filter(starts_at__gt=timezone.now() + dt.timedelta(hours=2)).first()
    with pytest.raises(ValidationError) as exc:
        log(session, users["psychologist"], {a: "present", b: "present", c: "present"})
    assert exc.value.message_dict == {"__all__": ["This session has not taken place yet."]}


def test_a_session_starting_within_the_hour_can_be_logged(users, past_group, three):
    a, b, c = three
    session = group_session(past_group, 1)
    # The group's ninth session falls today (weekly from eight weeks ago): at some hours of the day
    # "now + 50 minutes" overlaps it, a clash this test is not about.
    services.session_reschedule(
        session=session,
        starts_at=timezone.now() + dt.timedelta(minutes=50),
        by=users["psychologist"],
        allow_clash=True,
    )
    assert log(session, users["psychologist"], {a: "present", b: "present", c: "present"}).status == "held"


def test_an_individual_session_is_logged_for_its_person(users, three):
    a = three[0]
    session = a.individual_sessions.get(number=1)
    log(session, users["psychologist"], {a: "present"}, topic="Anger management", notes="Talked about his father.")
    assert Attendance.objects.get(session=session).enrolment == a
    session.refresh_from_db()
    assert (session.status, session.topic_covered) == ("held", "Anger management")


@pytest.mark.parametrize("who", ["manager", "police", "survivor_worker", "other_psychologist"])
def test_only_the_providers_clinical_staff_log(users, past_group, three, who):
    a, b, c = three
    with pytest.raises(PermissionDenied):
        log(group_session(past_group, 1), users[who], {a: "present", b: "present", c: "present"})


def _roster(enrolments) -> dict[int, str]:
    return {e.pk: ("late" if i % 3 else "present") for i, e in enumerate(enrolments)}


def _fresh(user):
    return User.objects.get(pk=user.pk)  # a new instance: nothing cached on it


def test_the_number_of_queries_does_not_grow_with_the_group(
    users, men, group_of, new_case, enrol, django_assert_max_num_queries
):
    small = group_of(men, starts_on=days(-14), name="Small")
    large = group_of(men, starts_on=days(-14), name="Large", capacity=12)
    small_people = [enrol(new_case(), men, small) for _ in range(3)]
    large_people = [enrol(new_case(), men, large) for _ in range(12)]

    session, user = group_session(small, 1), _fresh(users["psychologist"])
    with CaptureQueriesContext(connection) as small_ctx:
        services.attendance_log(session=session, by=user, marks=_roster(small_people), topic_covered="Anger")
    small_count = len(small_ctx.captured_queries)
    assert small_count <= 12

    session, user = group_session(large, 1), _fresh(users["psychologist"])
    with django_assert_max_num_queries(small_count) as large_ctx:
        services.attendance_log(session=session, by=user, marks=_roster(large_people), topic_covered="Anger")
    assert len(large_ctx.captured_queries) == small_count
    assert Attendance.objects.filter(session__group=large).count() == 12

    # Resubmitting the same roster costs no more (and records no new timeline entries).
    user = _fresh(users["psychologist"])
    with django_assert_max_num_queries(small_count):
        services.attendance_log(session=session, by=user, marks=_roster(large_people), topic_covered="Anger")
    assert Attendance.objects.filter(session__group=large).count() == 12


def test_a_roster_given_without_the_session_locked_is_refused(users, past_group, three):
    """The page hands over the roster it read after locking the session; one
    read without the lock could be stale, and the save refuses it."""
    session = group_session(past_group, 1)
    marks = {e.pk: "present" for e in three}
    psychologist = users["psychologist"]
    unlocked = roster_of(get_session_for_user(Scope.for_user(psychologist), session.pk))
    with pytest.raises(RuntimeError, match="needs the session locked"):
        services.attendance_record(
            session=session, by=psychologist, marks=marks, topic_covered=session.planned_topic, roster=unlocked
        )
    assert not Attendance.objects.exists()

    locked = roster_of(get_session_for_user(Scope.for_user(psychologist), session.pk, for_update=True))
    services.attendance_record(
        session=session, by=psychologist, marks=marks, topic_covered=session.planned_topic, roster=locked
    )
    assert Attendance.objects.filter(session=session, mark="present").count() == 3
