"""The attendance figures kept ready (``reports.EnrolmentAttendance``) equal
the live computation over every mark, whatever the marks, the order they
were logged in, the endings, the providers, the countries and the filters.

The oracle is the computation the report ran before the figures were kept
ready: per enrolment, a string of its marks in logged sessions in date order
("A" attended, " " not), whose length without the trailing blanks is the
number of the last session attended.
"""

from __future__ import annotations

import pytest
from django.contrib.postgres.aggregates import StringAgg
from django.db import connection
from django.db.models import Case, Count, F, Max, Value, When
from django.db.models.functions import Length, RTrim

from accounts.models import Organisation, Role
from accounts.scope import Scope
from programmes import services as programme_services
from programmes.models import LOGGED_STATUSES, Attendance, Enrolment
from reports.models import EnrolmentAttendance
from reports.selectors import ATTENDED, LONGEST_CURVE, Filters, enrolments_started, sessions_reached
from reports.services import enrolment_attendance_rebuild, enrolment_attendance_refresh
from tests import factories as f
from tests.reports.conftest import CHANCE, days


def _live_reached(enrolments) -> dict[int, int]:
    """Enrolment id → number of the last session attended, from every mark (0 or absent: none)."""
    marks = StringAgg(
        Case(When(mark__in=ATTENDED, then=Value("A")), default=Value(" ")),
        delimiter="",
        order_by=("session__starts_at", "session_id"),
    )
    rows = (
        Attendance.objects.filter(enrolment__in=enrolments.values("pk"), session__status__in=LOGGED_STATUSES)
        .values("enrolment")
        .annotate(reached=Length(RTrim(marks)))
    )
    return {row["enrolment"]: row["reached"] for row in rows}


def live_sessions_reached(enrolments) -> tuple[int, list[int]]:
    """``sessions_reached`` as the report computed it from every mark on each request."""
    sizes = enrolments.aggregate(
        total=Count("pk"), longest=Max(F("template__individual_sessions") + F("template__group_sessions"))
    )
    total, longest = sizes["total"], min(sizes["longest"] or 0, LONGEST_CURVE)
    if not total or not longest:
        return total, []
    reached = list(_live_reached(enrolments).values())
    return total, [sum(1 for r in reached if r >= n) for n in range(1, longest + 1)]


def kept() -> dict[int, int]:
    """The rows kept, without those of 0 (a missing row is 0 too)."""
    return {row.enrolment_id: row.reached for row in EnrolmentAttendance.objects.all() if row.reached}


def live() -> dict[int, int]:
    return {k: v for k, v in _live_reached(Enrolment.objects.all()).items() if v}


def log(enrolments, session, marks: list[str]):
    """Log ``session`` for ``enrolments`` with ``marks`` (in the same order), through the service."""
    by = f.staff_with_role(session.provider, Role.PSYCHOLOGIST)
    programme_services.attendance_log(
        session=session,
        by=by,
        marks={e.pk: m for e, m in zip(enrolments, marks, strict=True)},
        topic_covered=session.planned_topic,
    )


@pytest.fixture
def varied(build, orgs):
    """Several providers in two countries, men and women, two programmes,
    cohorts that started at different times, marks of every kind logged in
    and out of date order, a session logged again with other marks, a group
    session nobody came to, and endings of every kind."""
    osh = f.make_org(Organisation.Kind.PROGRAMME_PROVIDER, name="Osh Consultation Room", region="Osh")
    made = {}

    group, people = build.cohort(6)
    build.attend(
        group,
        {
            people[0]: ["present", "present", "present", "present"],
            people[1]: ["present", "late", "unexcused", "unexcused"],
            people[2]: ["unexcused", "unexcused", "unexcused", "unexcused"],
            people[3]: ["excused", "present", "excused", "late"],
            people[4]: ["late", "excused", "present", "unexcused"],
            people[5]: ["unexcused", "present", "unexcused", "present"],
        },
    )
    build.end(people[0], "completed")
    build.end(people[1], "dropped_out")
    build.end(people[2], "expelled")
    made["chuy_men"] = people

    # Out of date order: the group sessions first, then the individual ones;
    # then the first group session logged again with other marks.
    group, people = build.cohort(5, sex="female", start=-80)
    group_sessions = list(group.sessions.order_by("number")[:2])
    log(people, group_sessions[1], ["present", "unexcused", "present", "excused", "unexcused"])
    log(people, group_sessions[0], ["present", "present", "unexcused", "present", "unexcused"])
    for person, first in zip(people, ["present", "unexcused", "late", "present", "excused"], strict=True):
        sessions = list(person.individual_sessions.order_by("number"))
        log([person], sessions[1], ["unexcused"])
        log([person], sessions[0], [first])
    log(people, group_sessions[0], ["unexcused", "present", "late", "unexcused", "unexcused"])
    build.end(people[3], "deselected")
    made["chuy_women"] = people

    # Nobody came to the second group session ("not held"); some never came at all.
    group, people = build.cohort(5, provider=osh, template=CHANCE, start=-60)
    build.attend(
        group,
        {
            people[0]: ["present", "present", "present", "unexcused"],
            people[1]: ["present", "unexcused", "late", "unexcused"],
            people[2]: ["unexcused", "unexcused", "unexcused", "unexcused"],
            people[3]: ["excused", "excused", "excused", "unexcused"],
            people[4]: ["present", "present", "unexcused", "unexcused"],
        },
    )
    build.end(people[1], "dropped_out")
    made["osh"] = people

    # Another country's provider, and a cohort with nothing logged yet.
    group, people = build.cohort(5, provider=orgs["other_provider"], start=-45, template="tj-consultation-room")
    for session, marks in zip(
        group.sessions.order_by("number")[:3],
        [["present"] * 5, ["late", "unexcused", "present", "excused", "present"], ["unexcused"] * 5],
        strict=True,
    ):
        log(people, session, marks)
    for person in people[:3]:
        log([person], person.individual_sessions.order_by("number").first(), ["present"])
    made["khujand"] = people
    _g, made["not_logged"] = build.cohort(5, start=-2)
    return made


def test_the_rows_kept_equal_the_live_computation(varied):
    assert kept() == live()
    # By hand: individual sessions on days 0 and 3, group sessions on days 7 and 14.
    reached = {key: [kept().get(e.pk, 0) for e in people] for key, people in varied.items()}
    assert reached["chuy_men"] == [4, 2, 0, 4, 3, 4]
    # Logged out of date order, the first group session again with other marks
    # (the fourth woman: present at first, then unexcused).
    assert reached["chuy_women"] == [4, 3, 4, 1, 0]
    # The second group session was "not held": nobody came.
    assert reached["osh"] == [3, 3, 0, 0, 2]
    assert reached["not_logged"] == [0] * 5


def test_the_survival_curve_equals_the_live_one_for_every_scope_and_filter(varied, users, orgs):
    osh = Organisation.objects.get(name="Osh Consultation Room")
    tajik_monitor = f.make_user(f.make_org(Organisation.Kind.MONITORING_BODY, country="TJ"), Role.MONITORING_VIEWER)
    filters = [
        Filters(),
        Filters(date_from=days(-90)),
        Filters(date_to=days(-50)),
        Filters(date_from=days(-70), date_to=days(-40)),
        Filters(provider=orgs["provider"]),
        Filters(provider=osh),
        Filters(region="Osh"),
        Filters(region="Chuy"),
        Filters(sex="female"),
        Filters(sex="male", date_from=days(-90)),
        Filters(template=CHANCE),
        Filters(date_from=days(-1)),
    ]
    for user in (users["monitoring"], users["manager"], tajik_monitor):
        scope = Scope.for_user(user)
        for each in filters:
            if each.provider is not None and user != users["monitoring"]:
                continue
            enrolments = enrolments_started(scope, each)
            assert sessions_reached(enrolments) == live_sessions_reached(enrolments), (user, each)
    everyone = enrolments_started(Scope.for_user(users["monitoring"]), Filters())
    total, curve = sessions_reached(everyone)
    assert total == 21 and curve == [12, 11, 9, 5]


def test_a_rebuild_and_the_migration_give_the_same_rows(varied):
    from importlib import import_module

    incremental = {row.enrolment_id: row.reached for row in EnrolmentAttendance.objects.all()}
    assert enrolment_attendance_rebuild() == len(incremental)
    assert {row.enrolment_id: row.reached for row in EnrolmentAttendance.objects.all()} == incremental
    backfill = import_module("reports.migrations.0002_backfill_enrolment_attendance").BACKFILL
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM reports_enrolmentattendance")
        cursor.execute(backfill)
    assert {row.enrolment_id: row.reached for row in EnrolmentAttendance.objects.all()} == incremental


def test_a_preview_of_a_log_keeps_nothing(build):
    group, people = build.cohort(5)
    session = group.sessions.order_by("number").first()
    by = f.staff_with_role(group.provider, Role.PSYCHOLOGIST)
    programme_services.attendance_preview(
        session=session, by=by, marks={e.pk: "present" for e in people}, topic_covered=session.planned_topic
    )
    assert not EnrolmentAttendance.objects.exists()
    log(people, session, ["present"] * 5)
    assert kept() == live() != {}


def test_an_enrolment_with_absences_only_counts_as_session_zero(build, users):
    group, people = build.cohort(5)
    build.attend(group, {e: ["unexcused", "excused", "unexcused", "unexcused"] for e in people})
    assert {row.reached for row in EnrolmentAttendance.objects.filter(enrolment__in=people)} == {0}
    total, curve = sessions_reached(enrolments_started(Scope.for_user(users["monitoring"]), Filters()))
    assert total == 5 and set(curve) == {0}


def test_a_log_refreshes_the_people_it_marked_in_one_round_trip(build, django_assert_num_queries):
    """A lock and an upsert, sent together, whatever the size of the group."""
    _g, people = build.cohort(5)
    with django_assert_num_queries(1):
        enrolment_attendance_refresh(enrolment_ids=[e.pk for e in people] * 2)
    with django_assert_num_queries(0):
        enrolment_attendance_refresh(enrolment_ids=[])


@pytest.mark.django_db(transaction=True)
def test_two_logs_of_one_person_at_the_same_moment_both_count(build):
    """GIVEN a person's individual session logged in one transaction that
    has not committed yet, WHEN his group session is logged in another at
    the same moment, THEN the second waits for the first and the figure
    kept counts both (not the second log's view without the first)."""
    import threading
    import time

    from django.db import transaction

    group, people = build.cohort(5)
    person = people[0]
    first, second = person.individual_sessions.order_by("number")[:2]
    log([person], first, ["unexcused"])
    logged = threading.Event()
    errors = []

    def individual():
        try:
            with transaction.atomic():
                log([person], second, ["present"])
                logged.set()
                time.sleep(1.0)  # the group session is being logged meanwhile
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
            logged.set()
        finally:
            connection.close()

    def group_session():
        try:
            logged.wait(10)
            log(people, group.sessions.order_by("number").first(), ["unexcused"] * 5)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=individual), threading.Thread(target=group_session)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert live()[person.pk] == 2
    assert kept() == live()
