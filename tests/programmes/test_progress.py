"""progress(): attended against required, hours, absences and the dropout
rule, around the edges (cancelled sessions, excused absences, lateness)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from programmes import selectors, services
from programmes.models import Enrolment
from tests.programmes.conftest import days, group_session, log


@pytest.fixture
def person(past_group, men, case, enrol):
    """A man in the weekly men's group from its first session, 8 weeks ago;
    his two individual sessions were 10 and 9 weeks ago."""
    return enrol(case, men, past_group)


def _group_marks(users, group, person, marks: list[str]):
    """Log the group's sessions 1..n with ``marks`` for ``person``."""
    for number, mark in enumerate(marks, start=1):
        log(group_session(group, number), users["psychologist"], {person: mark})


def test_a_new_enrolment_has_attended_nothing(person):
    p = selectors.progress(person)
    assert (p.individual_required, p.individual_attended, p.group_required, p.group_attended) == (2, 0, 24, 0)
    assert (p.hours_required, p.hours_attended) == (None, Decimal("0.0"))
    assert (p.excused, p.unexcused_total, p.unexcused_consecutive) == (0, 0, 0)
    assert p.curriculum_position == "0/6"
    assert not p.requirements_met
    assert not p.dropout_rule_hit
    assert p.missing_text() == "2 individual sessions and 24 group sessions"


def test_late_counts_as_attended_and_for_hours(users, past_group, person):
    log(person.individual_sessions.get(number=1), users["psychologist"], {person: "late"}, topic="Anger management")
    _group_marks(users, past_group, person, ["present", "late"])
    p = selectors.progress(person)
    assert (p.individual_attended, p.group_attended) == (1, 2)
    assert p.hours_attended == Decimal("5.0")
    assert p.sessions_attended == 3


def test_a_cancelled_session_is_never_an_absence(users, past_group, person):
    services.session_cancel(session=group_session(past_group, 1), reason="Public holiday", by=users["manager"])
    log(group_session(past_group, 2), users["psychologist"], {person: "present"})
    p = selectors.progress(person)
    assert (p.group_attended, p.unexcused_total, p.excused, p.held_sessions) == (1, 0, 0, 1)


def test_excused_absences_neither_count_nor_break_the_run(users, past_group, person):
    _group_marks(users, past_group, person, ["unexcused", "excused", "unexcused"])
    p = selectors.progress(person)
    assert (p.excused, p.unexcused_total, p.unexcused_consecutive) == (1, 2, 2)
    assert not p.dropout_rule_hit


def test_attending_ends_the_run_of_absences(users, past_group, person):
    _group_marks(users, past_group, person, ["unexcused", "unexcused", "present", "unexcused"])
    p = selectors.progress(person)
    assert (p.unexcused_total, p.unexcused_consecutive) == (3, 1)


def test_one_absence_short_of_the_consecutive_rule_is_not_a_dropout(users, past_group, person):
    # The template: dropout after 3 consecutive or 6 unexcused absences.
    _group_marks(users, past_group, person, ["present", "unexcused", "unexcused"])
    p = selectors.progress(person)
    assert (p.unexcused_consecutive, p.dropout_rule_hit) == (2, False)


def test_reaching_the_consecutive_rule_is_a_dropout(users, past_group, person):
    _group_marks(users, past_group, person, ["present", "unexcused", "unexcused", "unexcused"])
    p = selectors.progress(person)
    assert (p.unexcused_consecutive, p.dropout_rule_hit) == (3, True)


@pytest.fixture
def strict(users, orgs, men, group_of, new_case, enrol):
    """A provider copy: dropout after 3 consecutive or 4 unexcused absences."""
    copy = services.template_copy(template=men, provider=orgs["provider"], by=users["manager"])
    copy = services.template_update(template=copy, by=users["manager"], dropout_total=4)
    group = group_of(copy, starts_on=days(-56))
    return group, enrol(new_case(), copy, group)


def test_one_absence_short_of_the_total_rule_is_not_a_dropout(users, strict):
    group, person = strict
    _group_marks(users, group, person, ["unexcused", "present", "unexcused", "late", "unexcused"])
    p = selectors.progress(person)
    assert (p.unexcused_total, p.unexcused_consecutive, p.dropout_rule_hit) == (3, 1, False)


def test_reaching_the_total_rule_is_a_dropout(users, strict):
    group, person = strict
    _group_marks(
        users,
        group,
        person,
        ["unexcused", "present", "unexcused", "late", "unexcused", "excused", "present", "unexcused"],
    )
    p = selectors.progress(person)
    assert (p.unexcused_total, p.unexcused_consecutive, p.dropout_rule_hit) == (4, 1, True)


def test_the_next_session_skips_cancelled_ones(users, past_group, person):
    upcoming = past_group.sessions.filter(starts_at__gt=timezone.now()).order_by("starts_at")
    first, second = upcoming[0], upcoming[1]
    services.session_cancel(session=first, reason="Facilitator ill", by=users["manager"])
    assert selectors.progress(person).next_session == second


def test_the_next_session_may_be_an_individual_one(users, case, men, past_group, enrol):
    # Starts tomorrow: individual sessions tomorrow and a week later, the group from day 15.
    newcomer = enrol(case, men, past_group, starts_on=days(1))
    p = selectors.progress(newcomer)
    assert p.next_session == newcomer.individual_sessions.get(number=1)
    # The group's sessions 12..24 fall on or after his first group day: 13 of the 24 he needs.
    assert p.group_sessions_ahead == 13
    assert p.group_schedule_short is True


def test_the_curriculum_position_counts_topics_covered_while_present(users, past_group, person, men):
    log(group_session(past_group, 1), users["psychologist"], {person: "present"}, topic=men.curriculum[0])
    log(group_session(past_group, 2), users["psychologist"], {person: "unexcused"}, topic=men.curriculum[1])
    log(group_session(past_group, 3), users["psychologist"], {person: "late"}, topic=f"  {men.curriculum[2].upper()} ")
    p = selectors.progress(person)
    assert p.topics_covered == (men.curriculum[0], men.curriculum[2])
    assert p.curriculum_position == "2/6"


# --- Hours: Ayalzat, 16 hours in one month ------------------------------------


@pytest.fixture
def ayalzat_person(ayalzat, group_of, case, enrol):
    """Two individual sessions (1 h) 30 and 27 days ago, then seven group
    sessions (2 h) every three days from 24 days ago: 16 hours, all past."""
    group = group_of(ayalzat, starts_on=days(-24))
    return group, enrol(case, ayalzat, group)


def _attend_all(users, group, person, group_marks=None):
    for session in person.individual_sessions.all():
        log(session, users["psychologist"], {person: "present"})
    _group_marks(users, group, person, group_marks or ["present"] * 7)


def test_ayalzat_complete_attendance_gives_the_sixteen_hours(users, ayalzat_person):
    group, person = ayalzat_person
    _attend_all(users, group, person, ["present", "late", "present", "present", "present", "present", "present"])
    p = selectors.progress(person)
    assert (p.hours_required, p.hours_attended) == (Decimal("16.0"), Decimal("16.0"))
    assert p.requirements_met


def test_ayalzat_a_missed_group_session_leaves_hours_missing(users, ayalzat_person):
    group, person = ayalzat_person
    _attend_all(users, group, person, ["present"] * 6 + ["excused"])
    p = selectors.progress(person)
    assert p.hours_attended == Decimal("14.0")
    assert not p.requirements_met
    assert p.missing_text() == "1 group session and 2.0 hours"


def test_ayalzat_a_shortened_session_leaves_only_hours_missing(users, ayalzat_person):
    group, person = ayalzat_person
    short = group_session(group, 3)
    services.session_reschedule(session=short, starts_at=short.starts_at, duration_minutes=60, by=users["manager"])
    _attend_all(users, group, person)
    p = selectors.progress(person)
    assert (p.individual_missing, p.group_missing, p.hours_attended) == (0, 0, Decimal("15.0"))
    assert not p.requirements_met
    assert p.missing_text() == "1.0 hours"


# --- Many enrolments -------------------------------------------------------------


def _queries_for_progress(ids) -> int:
    enrolments = list(Enrolment.objects.filter(pk__in=ids))
    with CaptureQueriesContext(connection) as ctx:
        result = selectors.progress_for_enrolments(enrolments)
        [p.next_session for p in result.values()]
    assert set(result) == set(ids)
    return len(ctx.captured_queries)


def test_progress_for_a_list_takes_a_fixed_number_of_queries(users, past_group, men, new_case, enrol):
    people = [enrol(new_case(), men, past_group) for _ in range(6)]
    for number in (1, 2):
        log(group_session(past_group, number), users["psychologist"], {p: "present" for p in people})
    assert _queries_for_progress([p.pk for p in people[:2]]) == _queries_for_progress([p.pk for p in people]) == 4
