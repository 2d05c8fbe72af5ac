"""Writes of the monitoring report: keeping ``EnrolmentAttendance`` equal to
the marks it summarises (``reports.models`` says why in the same
transaction).

``enrolment_attendance_refresh(enrolment_ids=...)`` recomputes the rows of
the enrolments a session log has just marked (``reports.subscribers`` calls
it on ``programmes.attendance_logged``); ``enrolment_attendance_rebuild()``
recomputes every row, for a register written without the services (the
benchmark's, ``reports.bench_data``) or after a repair by hand
(``manage.py attendance_summary_rebuild``). Migration
``reports.0002_backfill_enrolment_attendance`` holds its own copy of the
rebuild's SQL: a migration never imports live code.

Not here: the reading of the figures (``reports.selectors``). No user is
checked: these run inside a service that has checked its user, or in a
command an operator runs.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from programmes.models import LOGGED_STATUSES, Attendance

# Each of an enrolment's marks in logged sessions, numbered in date order
# (ties by session id, as the live figure orders them), and whether he came.
_MARKS = """
    SELECT a.enrolment_id,
           a.mark IN (%(present)s, %(late)s) AS attended,
           row_number() OVER (PARTITION BY a.enrolment_id ORDER BY s.starts_at, s.id) AS position
      FROM programmes_attendance a
      JOIN programmes_session s ON s.id = a.session_id
     WHERE s.status IN (%(held)s, %(not_held)s)
"""
# ``reached``: the number of the last mark attended, 0 when none.
_REACHED = f"""
    SELECT enrolment_id, COALESCE(MAX(position) FILTER (WHERE attended), 0) AS reached
      FROM ({_MARKS} {{only}}) marks
     GROUP BY enrolment_id
"""  # noqa: S608 # nosec B608 - composed of this module's constants; values travel as parameters

_REFRESH = f"""
    INSERT INTO reports_enrolmentattendance (enrolment_id, reached)
    SELECT e.id, COALESCE(r.reached, 0)
      FROM unnest(%(ids)s::bigint[]) AS e(id)
      LEFT JOIN ({_REACHED.format(only="AND a.enrolment_id = ANY(%(ids)s::bigint[])")}) r ON r.enrolment_id = e.id
    ON CONFLICT (enrolment_id) DO UPDATE SET reached = EXCLUDED.reached
"""  # noqa: S608 # nosec B608 - composed of this module's constants; values travel as parameters

_REBUILD = f"""
    INSERT INTO reports_enrolmentattendance (enrolment_id, reached)
    SELECT enrolment_id, reached FROM ({_REACHED.format(only="")}) r
"""  # noqa: S608 # nosec B608 - composed of this module's constants; values travel as parameters

# Two refreshes of one enrolment take turns (a transaction-scoped advisory
# lock per enrolment, in id order): the second then reads the first's marks
# too, and a person marked in two sessions logged at the same moment is
# never left with the figure of one of them.
_LOCK_CLASS = 16_001
# The lock and the recomputation go in one round trip, as two statements
# (Django's psycopg 3 cursors bind parameters on the client, which allows
# it): in READ COMMITTED each statement reads its own snapshot, so the
# second one reads the marks of a log that held the lock and has just
# committed.
_LOCK = """
    SELECT pg_advisory_xact_lock(%(lock_class)s, (id %% 2147483647)::int)
      FROM (SELECT id FROM unnest(%(ids)s::bigint[]) AS t(id) ORDER BY id) ids;
"""


def _parameters(**extra) -> dict:
    marks, statuses = Attendance.Mark, [str(s) for s in LOGGED_STATUSES]
    return {
        "present": str(marks.PRESENT),
        "late": str(marks.LATE),
        "held": statuses[0],
        "not_held": statuses[1],
        **extra,
    }


@transaction.atomic(savepoint=False)
def enrolment_attendance_refresh(*, enrolment_ids: Iterable[int]) -> None:
    """Recompute ``EnrolmentAttendance`` of these enrolments from their
    marks, in the caller's transaction (no savepoint of its own: when it
    fails, the log fails). One round trip of two statements (``_LOCK``),
    whatever their number."""
    ids = sorted(set(enrolment_ids))
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(_LOCK + _REFRESH, _parameters(ids=ids, lock_class=_LOCK_CLASS))


@transaction.atomic
def enrolment_attendance_rebuild() -> int:
    """Recompute every row from every mark (a register written without the
    services, or a repair). Returns the number of rows."""
    with connection.cursor() as cursor:
        cursor.execute("LOCK TABLE reports_enrolmentattendance IN EXCLUSIVE MODE")
        cursor.execute("DELETE FROM reports_enrolmentattendance")
        cursor.execute(_REBUILD, _parameters())
        return cursor.rowcount
