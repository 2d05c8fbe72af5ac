"""Reads for monitoring after the programme, starting from the user's scope
(404 outside it).

Who sees what:
- a monitoring body (``accounts.permissions.POST_MONITOR_ROLES``) sees the
  meetings it was named for: the person's name and date of birth, the case
  number, the provider, the programme and when it was completed; never a
  survivor, a clinical note or a questionnaire. The note it wrote is read
  through ``get_monitoring_meeting_for_user``, which logs the read;
- the provider's staff see, for their enrolments, who was named and the
  state of each meeting (date, contact made, new violence reported), never
  the body's note.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from accounts.models import Organisation
from accounts.permissions import POST_MONITOR_ROLES, get_visible_or_404
from accounts.scope import Scope
from core.audit import log_reads
from core.models import SensitiveRead
from outcomes.models import MonitoringAssignment, MonitoringMeeting
from outcomes.services import add_months
from programmes.models import Enrolment

M = MonitoringMeeting.Status
SHOWS = ("due", "missed", "done")


def monitoring_meetings_visible_to(scope: Scope) -> QuerySet[MonitoringMeeting]:
    """The meetings a monitoring body was named for (cancelled ones left out)."""
    qs = MonitoringMeeting.objects.select_related(
        "enrolment",
        "enrolment__case",
        "enrolment__case__referral__person",
        "enrolment__provider",
        "enrolment__template",
        "organisation",
    ).exclude(status=M.CANCELLED)
    if not scope.in_roles(POST_MONITOR_ROLES):
        return qs.none()
    return qs.filter(organisation=scope.organisation)


def missed_q(today: dt.date) -> Q:
    """Recorded without contact, or still due after its due date."""
    return Q(status=M.MISSED) | Q(status=M.DUE, due_on__lt=today)


def monitoring_list_for(scope: Scope, *, show: str, today: dt.date) -> QuerySet[MonitoringMeeting]:
    """The body's meetings that are ``due`` (today or later, soonest
    first), ``missed`` (overdue or without contact, oldest first) or
    ``done`` (latest first)."""
    qs = monitoring_meetings_visible_to(scope)
    if show == "missed":
        return qs.filter(missed_q(today)).order_by("due_on", "id")
    if show == "done":
        return qs.filter(status=M.DONE).order_by("-met_on", "-id")
    return qs.filter(status=M.DUE, due_on__gte=today).order_by("due_on", "id")


def monitoring_counts(scope: Scope, *, today: dt.date) -> dict[str, int]:
    qs = monitoring_meetings_visible_to(scope)
    return {
        "due": qs.filter(status=M.DUE, due_on__gte=today).count(),
        "missed": qs.filter(missed_q(today)).count(),
        "done": qs.filter(status=M.DONE).count(),
    }


def get_monitoring_meeting_for_user(scope: Scope, pk: int, *, via: str) -> MonitoringMeeting:
    """One meeting of the body; once recorded with a note, the note is a
    therapy-adjacent record and its read is logged."""
    meeting = get_visible_or_404(monitoring_meetings_visible_to(scope), pk=pk)
    if meeting.recorded_at and meeting.note:
        log_reads(
            user_id=scope.user_id,
            record_type=SensitiveRead.RecordType.THERAPY_NOTES,
            record_ids=[meeting.enrolment.case_id],
            via=via,
        )
    return meeting


def earlier_meetings(meeting: MonitoringMeeting) -> QuerySet[MonitoringMeeting]:
    """The same body's other meetings with the person (no notes loaded)."""
    return (
        MonitoringMeeting.objects.filter(enrolment_id=meeting.enrolment_id, organisation_id=meeting.organisation_id)
        .exclude(pk=meeting.pk)
        .exclude(status=M.CANCELLED)
        .defer("note")
        .order_by("due_on", "id")
    )


# --- The provider's side ----------------------------------------------------------


def monitoring_candidates(enrolment: Enrolment, body_kind: str) -> QuerySet[Organisation]:
    """Active organisations of ``body_kind`` in the provider's country, those
    of the provider's region first."""
    provider = enrolment.provider
    return (
        Organisation.objects.filter(kind=body_kind, country=provider.country, is_active=True)
        .annotate(here=ExpressionWrapper(Q(region=provider.region), output_field=BooleanField()))
        .order_by("-here", "name")
    )


def assignments_of(enrolment: Enrolment) -> dict[str, MonitoringAssignment]:
    return {a.body_kind: a for a in enrolment.monitoring_assignments.select_related("organisation")}


def provider_meetings_of(enrolment: Enrolment) -> QuerySet[MonitoringMeeting]:
    """An enrolment's meetings for its provider's staff: no notes loaded."""
    return (
        enrolment.monitoring_meetings.exclude(status=M.CANCELLED)
        .select_related("organisation")
        .defer("note")
        .order_by("due_on", "body_kind", "id")
    )


@dataclass
class ProviderMonitoring:
    """The provider's follow-up page: completed enrolments still within their
    monitoring span with a named kind of body not yet assigned, and missed
    meetings."""

    unassigned: list[dict] = field(default_factory=list)
    missed: list[MonitoringMeeting] = field(default_factory=list)
    missed_total: int = 0


MISSED_SHOWN = 50


def provider_monitoring(scope: Scope, *, today: dt.date) -> ProviderMonitoring:
    """For a provider's staff (empty for anyone else). Two queries and a
    prefetch, whatever the number of people."""
    if not scope.is_provider_staff:
        return ProviderMonitoring()
    enrolments = (
        Enrolment.objects.filter(
            provider=scope.organisation,
            status=Enrolment.Status.COMPLETED,
            ended_on__isnull=False,
            template__monitoring_bodies__len__gt=0,
        )
        .select_related("case", "case__referral__person", "template")
        .prefetch_related("monitoring_assignments")
        .order_by("-ended_on", "-id")
    )
    unassigned = []
    for enrolment in enrolments:
        template = enrolment.template
        span = template.monitoring_months or 0
        if enrolment.ended_on is None or add_months(enrolment.ended_on, span) < today:
            continue
        named = {a.body_kind for a in enrolment.monitoring_assignments.all()}
        missing = [kind for kind in template.monitoring_bodies if kind not in named]
        if missing:
            labels = [Organisation.Kind(kind).label for kind in missing if kind in Organisation.Kind.values]
            unassigned.append({"enrolment": enrolment, "missing": labels})
    missed = (
        MonitoringMeeting.objects.filter(enrolment__provider=scope.organisation)
        .filter(missed_q(today))
        .select_related("organisation", "enrolment", "enrolment__case", "enrolment__case__referral__person")
        .defer("note")
        .order_by("-due_on", "-id")
    )
    return ProviderMonitoring(unassigned=unassigned, missed=list(missed[:MISSED_SHOWN]), missed_total=missed.count())
