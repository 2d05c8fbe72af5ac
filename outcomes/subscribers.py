"""Outcome monitoring follows the programme (``core.events``): an enrolment
schedules its intake point, an ending its end and follow-up points and,
for a completion, the meetings of the bodies that monitor the person after
the programme, in the transaction that enrolled or ended it.

Imported by ``OutcomesConfig.ready``; programmes never imports outcomes.
"""

from __future__ import annotations

from core import events
from outcomes.monitoring_services import monitoring_schedule
from outcomes.services import follow_ups_schedule
from programmes import events as programme_events


@events.subscribe(programme_events.ENROLLED)
@events.subscribe(programme_events.ENROLMENT_ENDED)
def schedule_follow_ups(*, enrolment, by=None) -> None:
    follow_ups_schedule(enrolment=enrolment)


@events.subscribe(programme_events.ENROLMENT_ENDED)
def schedule_monitoring(*, enrolment, by=None) -> None:
    """A completed enrolment: the meetings of the bodies named so far
    (a body named later gets its meetings when it is named)."""
    monitoring_schedule(enrolment=enrolment)
