"""The dropout sweep counts the rule in one SQL statement
(``notifications.services.dropout_rule_reached``). Here it is held to the
computation it replaced, kept as the oracle: load each candidate enrolment,
read its marks through ``programmes.selectors.progress_for_enrolments`` and
ask ``Progress.dropout_rule_hit``, on varied marks (runs broken by a session
attended, excused absences inside a run, short-notice absences confirmed or
not, sessions not held or still planned, ended enrolments, a template with
only one of the two limits)."""

from __future__ import annotations

import random

import pytest
from django.db.models import Exists, OuterRef, Q

from notifications import services as notify
from notifications.models import SafetyEvent
from programmes.models import Attendance, Enrolment, ProgrammeTemplate
from programmes.selectors import progress_for_enrolments
from tests.notices import case_events
from tests.programmes.conftest import group_session

MARKS = ["present", "late", "excused", "unexcused", "unexcused", "unexcused"]


def _oracle() -> dict[int, tuple[int, int, int]]:
    """The sweep before it was set-based: {enrolment id: (attended, unexcused, in a row)} of those over the rule."""
    candidates = (
        Enrolment.objects.filter(status=Enrolment.Status.ACTIVE)
        .filter(Q(template__dropout_consecutive__isnull=False) | Q(template__dropout_total__isnull=False))
        .filter(Exists(Attendance.objects.filter(enrolment=OuterRef("pk"), mark=Attendance.Mark.UNEXCUSED)))
        .exclude(Exists(SafetyEvent.objects.filter(kind="dropout", case=OuterRef("case"))))
    )
    states = progress_for_enrolments(list(candidates))
    return {
        pk: (s.sessions_attended, s.unexcused_total, s.unexcused_consecutive)
        for pk, s in states.items()
        if s.dropout_rule_hit
    }


def _new() -> dict[int, tuple[int, int, int]]:
    return {
        pk: (t.sessions_attended, t.unexcused_total, t.unexcused_consecutive)
        for pk, t in notify.dropout_rule_reached().items()
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_set_based_sweep_finds_exactly_what_the_old_one_found(users, past_group, men, new_case, enrol, seed):
    """GIVEN twelve men with random marks at the group's first eight sessions
    (written without the logging service, so no event yet)
    WHEN the rule is counted in SQL and by the old computation
    THEN both name the same enrolments with the same tallies, and the sweep
    records one event for each of them, with those tallies, and none again."""
    rng = random.Random(seed)
    psy = users["psychologist"]
    people = [enrol(new_case(), men, past_group) for _ in range(12)]
    for number in range(1, 9):
        session = group_session(past_group, number)
        session.status = rng.choice(["held", "held", "held", "not_held", "planned"])
        session.save(update_fields=["status"])
        for enrolment in people:
            if rng.random() < 0.1:
                continue  # not on the roster that day
            short = rng.random() < 0.2
            Attendance.objects.create(
                session=session,
                enrolment=enrolment,
                mark=rng.choice(MARKS),
                short_notice=short,
                absence_confirmed=short and rng.random() < 0.5,
                recorded_by=psy,
            )
    Enrolment.objects.filter(pk=people[0].pk).update(status=Enrolment.Status.DROPPED_OUT)

    expected = _oracle()
    assert _new() == expected
    assert people[0].pk not in expected

    assert notify.dropout_sweep(batch=3) == len(expected)
    events = case_events().filter(kind="dropout")
    assert {
        e.dedupe_key: (e.facts["sessions_attended"], e.facts["sessions_missed"], e.facts["missed_in_a_row"])
        for e in events
    } == {f"dropout:enrolment:{pk}": tally for pk, tally in expected.items()}
    assert notify.dropout_sweep() == 0 and _new() == {}


@pytest.mark.parametrize(("consecutive", "total"), [(3, None), (None, 4), (2, 5)])
def test_either_limit_alone_is_the_rule(users, past_group, men, new_case, enrol, consecutive, total):
    """GIVEN a template with one limit, the other or both, and men with runs
    and totals around them WHEN counted THEN SQL and the oracle agree."""
    ProgrammeTemplate.objects.filter(pk=men.pk).update(dropout_consecutive=consecutive, dropout_total=total)
    psy = users["psychologist"]
    patterns = [
        ["unexcused", "unexcused", "unexcused"],
        ["unexcused", "excused", "unexcused", "unexcused"],
        ["unexcused", "present", "unexcused", "unexcused"],
        ["unexcused", "unexcused", "late", "unexcused", "unexcused", "unexcused"],
        ["present", "unexcused", "unexcused", "unexcused", "unexcused", "present"],
    ]
    people = [enrol(new_case(), men, past_group) for _ in patterns]
    for number in range(1, 7):
        session = group_session(past_group, number)
        session.status = "held"
        session.save(update_fields=["status"])
        for enrolment, pattern in zip(people, patterns, strict=True):
            if number <= len(pattern):
                Attendance.objects.create(
                    session=session, enrolment=enrolment, mark=pattern[number - 1], recorded_by=psy
                )

    expected = _oracle()
    assert expected, "the patterns reach the rule for some"
    assert _new() == expected
