"""The monitoring report never reads the attendance marks (the largest
table at national scale: some thirty marks a participant), and keeping its
attendance figures current reads only the marks of the people just logged,
through an index: neither grows with the register.

Checked on the plans PostgreSQL chooses at a few thousand marks of a few
hundred enrolments (``tests.query_plans``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.scope import Scope
from programmes.models import Attendance, Enrolment, Session
from reports.figures import build_report
from reports.selectors import Filters
from reports.services import enrolment_attendance_rebuild, enrolment_attendance_refresh
from tests.query_plans import analyze, plan_of, plans_of, scans, show

ATTENDANCE = "programmes_attendance"


@pytest.fixture
def many_marks(build):
    """Three hundred enrolments (ended, in one group) with twenty held
    sessions each: six thousand marks."""
    group, (first, *_rest) = build.cohort(5)
    copies = Enrolment.objects.bulk_create(
        Enrolment(
            case=first.case,
            template=first.template,
            provider=first.provider,
            group=group,
            psychologist=first.psychologist,
            starts_on=first.starts_on,
            enrolled_by=first.enrolled_by,
            status=Enrolment.Status.COMPLETED,
            ended_on=first.starts_on + dt.timedelta(days=150),
        )
        for _ in range(300)
    )
    start = timezone.now() - dt.timedelta(days=200)
    sessions = Session.objects.bulk_create(
        Session(
            provider=group.provider,
            kind=Session.Kind.GROUP,
            group=group,
            number=n,
            starts_at=start + dt.timedelta(days=7 * n),
            duration_minutes=120,
            facilitator=first.psychologist,
            status=Session.Status.HELD,
        )
        for n in range(1, 21)
    )
    marks = ["present", "late", "excused", "unexcused"]
    Attendance.objects.bulk_create(
        Attendance(session=s, enrolment=e, mark=marks[(i + j) % 4], recorded_by=first.psychologist)
        for i, e in enumerate(copies)
        for j, s in enumerate(sessions)
    )
    enrolment_attendance_rebuild()
    analyze(ATTENDANCE, "programmes_session", "programmes_enrolment", "reports_enrolmentattendance")
    return copies


def test_the_report_reads_no_attendance_mark(users, many_marks):
    for user in (users["monitoring"], users["manager"]):
        plans = plans_of(lambda user=user: build_report(Scope.for_user(user), Filters()))
        for plan in plans:
            assert not [scan for scan in scans(plan) if scan.table == ATTENDANCE], show(plan)
            assert not [scan for scan in scans(plan) if scan.index.startswith(ATTENDANCE)], show(plan)


def test_a_log_reads_only_the_marks_of_the_people_it_marked(many_marks):
    ids = [e.pk for e in many_marks[:10]]
    with CaptureQueriesContext(connection) as captured:
        enrolment_attendance_refresh(enrolment_ids=ids)
    # One round trip: the lock, then the upsert (planned alone: EXPLAIN without ANALYZE runs nothing).
    (sent,) = captured.captured_queries
    _lock, refresh = sent["sql"].split(";", 1)
    upsert = plan_of(refresh)
    read = [scan for scan in scans(upsert) if scan.table == ATTENDANCE or scan.index.startswith(ATTENDANCE)]
    assert read, show(upsert)
    assert not [scan for scan in read if scan.node == "Seq Scan"], show(upsert)
