"""Recompute the attendance figures the monitoring report keeps ready
(``reports.models.EnrolmentAttendance``) from every logged mark.

    python manage.py attendance_summary_rebuild

Never needed while marks are written through the services (each log keeps
them current in its own transaction); run it after marks or sessions were
changed by hand in the database. Safe to run at any time: it takes turns
with the logs running at the same moment, and the dashboard reads the old
figures until it commits.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from reports.services import enrolment_attendance_rebuild


class Command(BaseCommand):
    help = "Recompute the monitoring report's attendance figures from every logged mark."

    def handle(self, *args, **options) -> None:
        rows = enrolment_attendance_rebuild()
        self.stdout.write(f"{rows} enrolments with logged marks")
