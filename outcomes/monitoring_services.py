"""Writes for monitoring after the programme by bodies outside the provider
(seed 001: the State Department for Social Development in Kyrgyzstan; the
district police and the hukumat's women's and family department in
Tajikistan).

- ``monitoring_body_assign``: the provider's staff name the concrete
  organisation of each kind the programme's template names;
- ``monitoring_schedule``: once the enrolment is completed, one meeting per
  named body every ``monitoring_interval_months`` for ``monitoring_months``
  (idempotent; called on completion and on each assignment);
- ``monitoring_meeting_record``: the body records its own meeting: date,
  contact made, new violence reported, a free note (encrypted, never in a
  log or a timeline entry). A report of new violence raises the same safety
  event as a report on the case (``events.MONITORING_VIOLENCE_REPORTED``).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from accounts.permissions import require_post_monitor, require_staff
from core import events
from core.dates import short_date
from core.timeline import timeline_add
from outcomes import timeline as K
from outcomes.events import MONITORING_VIOLENCE_REPORTED
from outcomes.models import MonitoringAssignment, MonitoringMeeting
from outcomes.services import add_months
from programmes.models import Enrolment
from referrals.models import NOTE_MAX_LENGTH

# Bodies can be named while the person is in the programme and once he has
# completed it; no one is monitored after any other ending.
ASSIGNABLE = (Enrolment.Status.ACTIVE, Enrolment.Status.COMPLETED)


def _check_organisation(enrolment: Enrolment, body_kind: str, organisation: Organisation | None) -> None:
    if organisation is None:
        raise ValidationError({"organisation": [_("Choose the organisation.")]})
    if (
        organisation.kind != body_kind
        or not organisation.is_active
        or organisation.country != enrolment.provider.country
    ):
        raise ValidationError(
            {"organisation": [_("Choose an active organisation of this kind in the provider's country.")]}
        )


@transaction.atomic
def monitoring_body_assign(
    *, enrolment: Enrolment, body_kind: str, organisation: Organisation | None, by
) -> MonitoringAssignment:
    """Name the organisation that monitors this enrolment for ``body_kind``
    (one the template names). A new choice replaces the earlier one, and the
    meetings still due move to the new organisation; meetings already
    recorded stay with the body that recorded them."""
    require_staff(enrolment.provider_id, by)
    enrolment = Enrolment.objects.select_for_update().select_related("template", "provider").get(pk=enrolment.pk)
    if body_kind not in (enrolment.template.monitoring_bodies or []):
        raise ValidationError({"body_kind": [_("The programme names no monitoring body of this kind.")]})
    if enrolment.status not in ASSIGNABLE:
        raise ValidationError({"__all__": [_("Only a person in the programme or who completed it is monitored.")]})
    _check_organisation(enrolment, body_kind, organisation)
    assert organisation is not None  # checked above
    assignment, _created = MonitoringAssignment.objects.update_or_create(
        enrolment=enrolment, body_kind=body_kind, defaults={"organisation": organisation, "assigned_by": by}
    )
    MonitoringMeeting.objects.filter(
        enrolment=enrolment, body_kind=body_kind, status=MonitoringMeeting.Status.DUE, recorded_at__isnull=True
    ).exclude(organisation=organisation).update(organisation=organisation)
    timeline_add(
        referral=enrolment.case.referral,
        by=by,
        kind=K.MONITORING_BODY_ASSIGNED,
        params={"body": body_kind, "organisation": organisation.name},
    )
    monitoring_schedule(enrolment=enrolment)
    return assignment


@transaction.atomic
def monitoring_schedule(*, enrolment: Enrolment) -> list[MonitoringMeeting]:
    """The meetings of a completed enrolment's named bodies that do not
    exist yet, each ``months`` after the end (unique per enrolment, kind and
    months: safe to call again). Nothing before completion."""
    enrolment = Enrolment.objects.select_related("template").get(pk=enrolment.pk)
    if enrolment.status != Enrolment.Status.COMPLETED or enrolment.ended_on is None:
        return []
    schedule = enrolment.template.monitoring_schedule()
    named = set(enrolment.template.monitoring_bodies or [])
    wanted = [
        MonitoringMeeting(
            enrolment=enrolment,
            body_kind=assignment.body_kind,
            organisation_id=assignment.organisation_id,
            months=months,
            due_on=add_months(enrolment.ended_on, months),
        )
        for assignment in enrolment.monitoring_assignments.all()
        if assignment.body_kind in named
        for months in schedule
    ]
    MonitoringMeeting.objects.bulk_create(wanted, ignore_conflicts=True)
    return list(enrolment.monitoring_meetings.all())


def _meeting_errors(
    meeting: MonitoringMeeting, met_on: dt.date | None, contact_made: bool | None, new_violence: bool | None, note: str
) -> dict[str, list]:
    errors: dict[str, list] = {}
    ended_on = meeting.enrolment.ended_on
    if met_on is None:
        errors["met_on"] = [_("Enter the date.")]
    elif met_on > timezone.localdate():
        errors["met_on"] = [_("This date is in the future.")]
    elif ended_on and met_on < ended_on:
        errors["met_on"] = [
            _("A monitoring meeting is after the programme, which ended on %(date)s.") % {"date": short_date(ended_on)}
        ]
    if contact_made is None:
        errors["contact_made"] = [_("Say whether contact was made.")]
    if new_violence is None:
        errors["new_violence"] = [_("Say whether new violence was reported.")]
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = [_("Keep the note under %(max)d characters.") % {"max": NOTE_MAX_LENGTH}]
    return errors


@transaction.atomic
def monitoring_meeting_record(
    *,
    meeting: MonitoringMeeting,
    by,
    met_on: dt.date | None,
    contact_made: bool | None,
    new_violence: bool | None,
    note: str = "",
) -> MonitoringMeeting:
    """The monitoring body records its meeting (again, to correct it). Contact
    made: the meeting is done; no contact: it is missed. New violence
    reported raises the safety event once per meeting, in this transaction."""
    require_post_monitor(meeting.organisation_id, by)
    meeting = (
        MonitoringMeeting.objects.select_for_update()
        .select_related("enrolment", "enrolment__case", "enrolment__case__referral")
        .get(pk=meeting.pk)
    )
    require_post_monitor(meeting.organisation_id, by)
    if meeting.status == MonitoringMeeting.Status.CANCELLED:
        raise ValidationError({"__all__": [_("This monitoring meeting is no longer due.")]})
    note = (note or "").strip()
    errors = _meeting_errors(meeting, met_on, contact_made, new_violence, note)
    if errors:
        raise ValidationError(errors)
    assert met_on is not None  # checked above
    reported_before = meeting.new_violence is True
    meeting.met_on = met_on
    meeting.contact_made = contact_made
    meeting.new_violence = new_violence
    meeting.note = note
    meeting.recorded_by = by
    meeting.recorded_at = timezone.now()
    meeting.status = MonitoringMeeting.Status.DONE if contact_made else MonitoringMeeting.Status.MISSED
    meeting.save(
        update_fields=["met_on", "contact_made", "new_violence", "note", "recorded_by", "recorded_at", "status"]
    )
    # Codes, never the note.
    timeline_add(
        referral=meeting.enrolment.case.referral,
        by=by,
        kind=K.MONITORING_MEETING,
        params={
            "met_on": met_on,
            "body": meeting.body_kind,
            "contact_made": bool(contact_made),
            "new_violence": bool(new_violence),
        },
    )
    if new_violence and not reported_before:
        events.emit(MONITORING_VIOLENCE_REPORTED, meeting=meeting, by=by)
    return meeting
