"""Figures kept ready for the monitoring report, so that a page never
recomputes them from every attendance mark.

``EnrolmentAttendance`` holds, per enrolment, the one attendance fact the
report needs and cannot cheaply count at read time: ``reached``, the number
of the last session the person attended (present or late) among his
logged sessions (held, or not held because nobody came; individual and
group together, in date order) that he has a mark for. "Still attending
at session n" is then ``reached >= n``, one ``GROUP BY`` over the
enrolments a page counts instead of a sort of every mark.

Why kept in the same transaction, not refreshed by a schedule: the only
write that changes ``reached`` is logging a session's marks
(``programmes.services.attendance_record``; a logged session cannot be
moved, cancelled or un-logged, and the enrolment's status, dates and
provider are read from the enrolment itself at report time). That service
emits ``programmes.attendance_logged`` with the enrolments it marked, and
``reports.subscribers`` recomputes their rows from their marks in the same
transaction (``reports.services``). So the figures are exactly those of
the live computation the moment a log commits, never "a few minutes
behind", and there is no "as of" to show. A row is missing for an
enrolment with no logged mark: it reached session 0.

Not here: anything about people (no names, no case numbers; an enrolment id
only), nor the enrolment's status or dates (they live on the enrolment).
"""

from __future__ import annotations

from django.db import models

from programmes.models import Enrolment


class EnrolmentAttendance(models.Model):
    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.CASCADE, primary_key=True, related_name="attendance_summary"
    )
    # The number of the last session attended (see the module docstring); 0 when none.
    reached = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"enrolment {self.enrolment_id} reached session {self.reached}"
