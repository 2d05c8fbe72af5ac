"""Monitoring follows the programme's attendance (``core.events``): when a
session's marks are written, the marked enrolments' ``EnrolmentAttendance``
rows are recomputed in the same transaction (``reports.models`` says why).

Imported by ``ReportsConfig.ready``; programmes never imports reports.
"""

from __future__ import annotations

from core import events
from programmes import events as programme_events
from reports.services import enrolment_attendance_refresh


@events.subscribe(programme_events.ATTENDANCE_LOGGED)
def count_attendance(*, session, enrolment_ids, by=None) -> None:
    enrolment_attendance_refresh(enrolment_ids=enrolment_ids)
