"""Staffing's answers to the programmes' questions (``core.events``).

Imported by ``StaffingConfig.ready``. Programmes never imports staffing: it
asks who of a group's or an enrolment's facilitators lacks the
qualification its template names, and shows the answer as a warning.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from core import events
from programmes import events as programme_events
from programmes.models import ProgrammeTemplate, QualificationFamily
from staffing.selectors import unqualified


@events.provide(programme_events.FACILITATOR_WARNINGS)
def facilitator_warnings(*, template: ProgrammeTemplate, people, on: dt.date) -> list[str]:
    """One sentence per facilitator who is not qualified on ``on`` for what
    ``template`` asks (none when it asks for nothing)."""
    family = template.required_qualification
    if not family:
        return []
    label = QualificationFamily(family).label
    return [
        _("%(name)s holds no valid qualification for %(family)s, which this programme asks of its facilitators.")
        % {"name": person.get_full_name() or person.username, "family": label}
        for person in unqualified(people, family, on)
    ]
