"""Scheduling that cannot produce a false alarm: no session in the past or
at less than the minimum notice, no double booking of a practitioner, and
absences at short notice that count only when the practitioner confirms
them.

Enrolments here go through ``services.enrol`` with an explicit ``now`` (a
fixed moment of a day ten days ahead), so that the times of day do not
depend on when the suite runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from programmes import scheduling, services
from programmes.models import Attendance, Session
from programmes.selectors import progress
from tests import factories as f
from tests.notices import case_events
from tests.programmes.conftest import INDIVIDUAL_ONLY, days, fill_diary

# uz-correctional-work: 4 individual sessions, weekly, 60 minutes.


def _at(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hh, mm)))


def _local(moment: dt.datetime) -> tuple[dt.date, dt.time]:
    local = timezone.localtime(moment)
    return local.date(), local.time()


@pytest.fixture
def uz(db):
    return f.shipped_template(INDIVIDUAL_ONLY)


@pytest.fixture
def uz_case(users, orgs):
    """An open case of an Uzbek provider (the template is Uzbek)."""
    provider = f.make_org("programme_provider", country="UZ", name="Tashkent Consultation Room")
    police = f.make_org("police_unit", country="UZ", name="Tashkent Police")
    psychologist = f.make_user(provider, "psychologist", "uz_psy")
    officer = f.make_user(police, "police_officer", "uz_police")

    def _case():
        return f.make_open_case(police=officer, provider=provider, by=psychologist)

    return _case, psychologist


def _enrol(case, template, psychologist, *, now, starts_on=None, **extra):
    return services.enrol(
        case=case,
        template=template,
        psychologist=psychologist,
        starts_on=starts_on or timezone.localtime(now).date(),
        by=psychologist,
        now=now,
        **extra,
    )


def _times(enrolment) -> list[dt.datetime]:
    return list(enrolment.individual_sessions.order_by("number").values_list("starts_at", flat=True))


@pytest.mark.parametrize(
    ("hh", "mm", "first_day", "first_time"),
    [
        (0, 30, 1, dt.time(10, 0)),  # earliest tomorrow 00:30 → 10:00
        (9, 30, 1, dt.time(10, 0)),
        (10, 0, 1, dt.time(10, 0)),
        (13, 18, 1, dt.time(14, 0)),  # the review's case: not today 10:00, tomorrow 14:00
        (16, 59, 1, dt.time(17, 0)),
        (17, 1, 2, dt.time(10, 0)),  # after the last slot: the day after tomorrow
        (19, 0, 2, dt.time(10, 0)),
        (23, 59, 2, dt.time(10, 0)),
    ],
)
def test_no_session_is_planned_in_the_past_or_at_short_notice_whatever_the_time_of_enrolment(
    uz, uz_case, hh, mm, first_day, first_time
):
    make_case, psychologist = uz_case
    base = days(10)
    now = _at(base, hh, mm)

    enrolment = _enrol(make_case(), uz, psychologist, now=now)

    times = _times(enrolment)
    assert len(times) == 4
    assert all(t >= now + dt.timedelta(hours=24) for t in times)
    assert _local(times[0]) == (base + dt.timedelta(days=first_day), first_time)
    # The weekly cadence follows the first session's day.
    assert [timezone.localtime(t).date() - timezone.localtime(times[0]).date() for t in times] == [
        dt.timedelta(days=d) for d in (0, 7, 14, 21)
    ]
    assert all(s.planned_at == now for s in enrolment.individual_sessions.all())


def test_a_start_later_than_the_notice_keeps_its_day_and_the_traditional_hour(uz, uz_case):
    make_case, psychologist = uz_case
    now = _at(days(10), 13, 18)
    enrolment = _enrol(make_case(), uz, psychologist, now=now, starts_on=days(15))
    assert _local(_times(enrolment)[0]) == (days(15), dt.time(10, 0))


def test_the_minimum_notice_is_a_setting(uz, uz_case, settings):
    settings.PROGRAMME_MIN_NOTICE_HOURS = 72
    make_case, psychologist = uz_case
    now = _at(days(10), 11, 0)
    enrolment = _enrol(make_case(), uz, psychologist, now=now)
    assert _local(_times(enrolment)[0]) == (days(13), dt.time(11, 0))


def test_a_backdated_start_plans_nothing_in_the_past(uz, uz_case):
    make_case, psychologist = uz_case
    enrolment = _enrol(make_case(), uz, psychologist, now=timezone.now(), starts_on=days(-30))
    assert min(_times(enrolment)) >= timezone.now() + dt.timedelta(hours=23, minutes=59)


def test_two_enrolments_with_one_psychologist_never_overlap(uz, uz_case):
    make_case, psychologist = uz_case
    now = _at(days(10), 9, 0)
    first = _enrol(make_case(), uz, psychologist, now=now)
    second = _enrol(make_case(), uz, psychologist, now=now)
    third = _enrol(make_case(), uz, psychologist, now=now)

    assert _local(_times(first)[0]) == (days(11), dt.time(10, 0))
    assert _local(_times(second)[0]) == (days(11), dt.time(11, 0))
    assert _local(_times(third)[0]) == (days(11), dt.time(12, 0))
    every = sorted(_times(first) + _times(second) + _times(third))
    assert all(b - a >= dt.timedelta(minutes=60) for a, b in zip(every, every[1:], strict=False))


def test_an_individual_session_avoids_a_group_session_the_psychologist_leads(users, orgs, men, new_case, group_of):
    psychologist = users["psychologist"]
    now = _at(days(10), 9, 0)
    # The men's group meets at 10:00 for two hours on the day the first
    # individual session would fall on.
    group_of(men, starts_on=days(11), time_of_day=dt.time(10, 0), now=now)
    case = new_case()
    group = case.provider.programme_groups.get()
    enrolment = services.enrol(
        case=case, template=men, psychologist=psychologist, starts_on=days(11), by=psychologist, group=group, now=now
    )
    first = enrolment.individual_sessions.get(number=1)
    assert _local(first.starts_at) == (days(11), dt.time(12, 0))


def test_a_full_diary_asks_before_planning_a_clash(uz, uz_case, settings):
    settings.PROGRAMME_DAY_FIRST_HOUR = 10
    settings.PROGRAMME_DAY_LAST_HOUR = 10  # one slot a day
    make_case, psychologist = uz_case
    now = _at(days(10), 9, 0)
    # Fill the psychologist's 10:00 for the next three weeks.
    blocker = _enrol(make_case(), uz, psychologist, now=now)
    fill_diary(blocker, psychologist, days(11), 40)
    case = make_case()
    with pytest.raises(ValidationError) as caught:
        _enrol(case, uz, psychologist, now=now)
    message = caught.value.message_dict["allow_clash"][0]
    assert "has no free hour within 14 days" in message
    assert "Plan despite clashes" in message
    assert not case.enrolments.exists()

    enrolment = _enrol(case, uz, psychologist, now=now, allow_clash=True)
    assert _local(_times(enrolment)[0]) == (days(11), dt.time(10, 0))


# --- Rescheduling --------------------------------------------------------------


@pytest.fixture
def two_people(uz, uz_case):
    make_case, psychologist = uz_case
    now = timezone.now()
    return _enrol(make_case(), uz, psychologist, now=now), _enrol(make_case(), uz, psychologist, now=now), psychologist


def test_a_session_cannot_be_moved_into_the_past(two_people):
    a, _b, psychologist = two_people
    session = a.individual_sessions.get(number=2)
    with pytest.raises(ValidationError) as caught:
        services.session_reschedule(
            session=session, starts_at=timezone.now() - dt.timedelta(hours=2), by=psychologist, reason="Ill"
        )
    assert caught.value.message_dict == {"starts_at": ["A session cannot be moved into the past."]}


def test_moving_onto_another_session_of_the_practitioner_asks_first(two_people):
    a, b, psychologist = two_people
    mine = a.individual_sessions.get(number=2)
    theirs = b.individual_sessions.get(number=2)
    with pytest.raises(ValidationError) as caught:
        services.session_reschedule(
            session=mine, starts_at=theirs.starts_at + dt.timedelta(minutes=30), by=psychologist, reason="Ill"
        )
    message = caught.value.message_dict["allow_clash"][0]
    assert f"individual session 2 of case {b.case.number}" in message
    assert "Keep this time despite the clash" in message
    mine.refresh_from_db()
    assert mine.rescheduled_from is None

    moved = services.session_reschedule(
        session=mine,
        starts_at=theirs.starts_at + dt.timedelta(minutes=30),
        by=psychologist,
        reason="Ill",
        allow_clash=True,
    )
    assert moved.starts_at == theirs.starts_at + dt.timedelta(minutes=30)


def test_a_move_sets_when_the_participant_learnt_of_the_time(two_people):
    a, _b, psychologist = two_people
    session = a.individual_sessions.get(number=3)
    before = timezone.now()
    moved = services.session_reschedule(
        session=session, starts_at=session.starts_at + dt.timedelta(days=1), by=psychologist, reason="Holiday"
    )
    assert moved.planned_at >= before


# --- Short notice ----------------------------------------------------------------


def _short_notice_session(enrolment, psychologist) -> Session:
    """Session 1 moved to start in one hour and then, as if the hour had
    passed, dated back to half an hour ago: told 1.5 h ahead."""
    session = enrolment.individual_sessions.get(number=1)
    services.session_reschedule(
        session=session, starts_at=timezone.now() + dt.timedelta(hours=1), by=psychologist, reason="Room free"
    )
    Session.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=30),
        planned_at=timezone.now() - dt.timedelta(hours=2),
    )
    session.refresh_from_db()
    return session


def test_an_absence_at_short_notice_does_not_count_unless_confirmed(two_people):
    a, _b, psychologist = two_people
    session = _short_notice_session(a, psychologist)
    assert scheduling.is_short_notice(session, a)

    services.attendance_log(session=session, by=psychologist, marks={a.pk: "unexcused"}, topic_covered="")

    mark = Attendance.objects.get(session=session, enrolment=a)
    assert (mark.short_notice, mark.absence_confirmed, mark.counts_as_absence) == (True, False, False)
    state = progress(a)
    assert (state.unexcused_total, state.unexcused_consecutive, state.short_notice_absences) == (0, 0, 1)

    # Confirmed on a second save: now it counts.
    services.attendance_log(
        session=session, by=psychologist, marks={a.pk: "unexcused"}, topic_covered="", confirmed={a.pk}
    )
    mark.refresh_from_db()
    assert (mark.absence_confirmed, mark.counts_as_absence) == (True, True)
    state = progress(a)
    assert (state.unexcused_total, state.short_notice_absences) == (1, 0)


def test_a_person_joining_a_group_the_day_before_is_not_expected_at_its_next_session(users, men, new_case, group_of):
    psychologist = users["psychologist"]
    now = _at(days(10), 16, 0)
    group = group_of(men, starts_on=days(11), time_of_day=dt.time(15, 0), now=_at(days(5), 9))
    # Enrolled at 16:00 the day before the group's 15:00 session: 23 hours.
    enrolment = services.enrol(
        case=new_case(),
        template=men,
        psychologist=psychologist,
        starts_on=days(11) - dt.timedelta(days=men.first_group_offset()),
        by=psychologist,
        group=group,
        now=now,
    )
    assert enrolment.group_from == days(18)


# --- Nobody came -------------------------------------------------------------------


def test_a_session_where_nobody_came_is_not_held_and_covers_no_topic(users, past_group, men, new_case, enrol):
    a = enrol(new_case(), men, past_group)
    b = enrol(new_case(), men, past_group)
    session = past_group.sessions.get(number=1)

    services.attendance_log(
        session=session,
        by=users["psychologist"],
        marks={a.pk: "unexcused", b.pk: "excused"},
        topic_covered=session.planned_topic,
    )

    session.refresh_from_db()
    assert (session.status, session.topic_covered) == (Session.Status.NOT_HELD, "")
    state = progress(a)
    assert (state.held_sessions, state.unexcused_total, state.curriculum_covered) == (1, 1, 0)


# --- What a save will set off --------------------------------------------------------


def test_the_preview_names_who_will_be_told_and_writes_nothing(users, orgs, past_group, men, new_case, enrol):
    from casework.services import survivor_service_refer

    a = enrol(new_case(), men, past_group)
    survivor_service_refer(case=a.case, organisation=orgs["survivor_service"], by=users["social_worker"])
    psy = users["psychologist"]
    for number in (1, 2):
        services.attendance_log(
            session=past_group.sessions.get(number=number), by=psy, marks={a.pk: "unexcused"}, topic_covered=""
        )
    third = past_group.sessions.get(number=3)
    events_before = case_events().count()

    preview = services.attendance_preview(session=third, by=psy, marks={a.pk: "unexcused"}, topic_covered="")

    dropout = [p for p in preview if p["kind"] == "dropout"]
    assert len(dropout) == 1
    assert dropout[0]["enrolment_id"] == a.pk
    assert dropout[0]["facts"]["missed_in_a_row"] == 3
    assert "Sezim Crisis Centre" in dropout[0]["organisations"]
    assert case_events().count() == events_before
    assert not Attendance.objects.filter(session=third).exists()
    third.refresh_from_db()
    assert third.status == Session.Status.PLANNED


def test_a_not_held_session_counts_in_the_still_attending_figures(users, past_group, men, new_case, enrol):
    from programmes.models import Enrolment
    from reports.selectors import sessions_reached

    a = enrol(new_case(), men, past_group)
    psy = users["psychologist"]
    services.attendance_log(
        session=past_group.sessions.get(number=1), by=psy, marks={a.pk: "unexcused"}, topic_covered=""
    )
    services.attendance_log(
        session=past_group.sessions.get(number=2), by=psy, marks={a.pk: "present"}, topic_covered="Anger"
    )
    assert past_group.sessions.get(number=1).status == Session.Status.NOT_HELD
    # Session 1 (not held, absent) is his first session; he attended his second.
    total, reached = sessions_reached(Enrolment.objects.filter(pk=a.pk))
    assert total == 1
    assert reached[:3] == [1, 1, 0]
