"""Reads for enrolments: who is enrolled where, their sessions, the legal window."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.permissions import get_visible_or_404
from accounts.scope import Scope
from casework.models import Case
from programmes.models import Attendance, Enrolment, ProgrammeTemplate, Session

from ._common import local_midnight

# --- Enrolments ----------------------------------------------------------------


def enrolments_visible_to(scope: Scope) -> QuerySet[Enrolment]:
    qs = Enrolment.objects.select_related(
        "case",
        "case__referral",
        "case__referral__person",
        "template",
        "group",
        "psychologist",
        "provider",
        "transferred_to",
    )
    if scope.organisation is None:
        return qs.none()
    if scope.is_provider_staff:
        return qs.filter(Q(provider=scope.organisation) | Q(case__provider=scope.organisation))
    if scope.is_survivor_worker:
        return qs.filter(
            Exists(Case.objects.filter(pk=OuterRef("case_id"), survivor_services__organisation=scope.organisation))
        )
    return qs.none()


def get_enrolment_for_user(scope: Scope, pk: int) -> Enrolment:
    return get_visible_or_404(enrolments_visible_to(scope), pk=pk)


def active_enrolment(case: Case) -> Enrolment | None:
    return (
        Enrolment.objects.filter(case=case, status=Enrolment.Status.ACTIVE)
        .select_related("template", "group", "psychologist")
        .first()
    )


def enrolment_sessions(enrolment: Enrolment) -> list[Session]:
    """The person's plan: their individual sessions and the sessions of
    their group from the day they are in it, plus every session they have
    a mark for (e.g. in an earlier group), in date order. Each session has
    ``mark`` (the person's attendance mark or "")."""
    match = Q(enrolment=enrolment) | Q(attendance__enrolment=enrolment)
    if enrolment.group_id and enrolment.group_from:
        match |= Q(group_id=enrolment.group_id, starts_at__gte=local_midnight(enrolment.group_from))
    sessions = list(
        Session.objects.filter(match)
        .distinct()
        .select_related("group", "facilitator", "co_facilitator")
        .order_by("starts_at", "id")
    )
    marks = dict(
        Attendance.objects.filter(enrolment=enrolment, session__in=[s.pk for s in sessions]).values_list(
            "session_id", "mark"
        )
    )
    for session in sessions:
        session.mark = marks.get(session.pk, "")
    return sessions


# --- Legal obligation window -------------------------------------------------


def legal_window(
    case: Case, *, template: ProgrammeTemplate | None = None, starts_on: dt.date | None = None
) -> dict[str, Any]:
    """The legal obligation from the protection order against the programme.

    With ``template`` and ``starts_on`` (the enrol page, before enrolling)
    the programme is the one proposed; otherwise the case's active enrolment
    (or none). Keys:
    ``order_number``, ``order_issued_on``, ``order_expires_on`` (the current
    expiry, extensions included), ``obliges_programme``,
    ``obligation_days`` (issue to current expiry, inclusive),
    ``days_remaining`` (from today to the expiry, 0 once expired, None
    without an order), ``programme_starts_on``, ``programme_ends_on``
    (start + span), ``obligation_ends_before_programme``,
    ``days_without_obligation`` (programme days after the order expires;
    the whole span when there is no order, which also counts as the
    obligation ending before the programme).
    """
    referral = case.referral
    expiry = referral.order_current_expiry
    issued = referral.order_issued_on
    obliges = referral.order_obliges_programme or any(e.obliges_programme for e in referral.order_extensions.all())
    if template is None or starts_on is None:
        enrolment = active_enrolment(case)
        if enrolment is not None:
            template, starts_on = enrolment.template, enrolment.starts_on
    ends_on = starts_on + dt.timedelta(days=template.span_days) if template and starts_on else None
    today = timezone.localdate()
    window: dict[str, Any] = {
        "order_number": referral.order_number,
        "order_issued_on": issued,
        "order_expires_on": expiry,
        "obliges_programme": obliges,
        "obligation_days": (expiry - issued).days + 1 if expiry and issued else None,
        "days_remaining": max(0, (expiry - today).days) if expiry else None,
        "programme_starts_on": starts_on,
        "programme_ends_on": ends_on,
        "obligation_ends_before_programme": bool(ends_on and (expiry is None or expiry < ends_on)),
        "days_without_obligation": None,
    }
    if ends_on:
        window["days_without_obligation"] = (ends_on - max(expiry, starts_on)).days if expiry else template.span_days
        window["days_without_obligation"] = max(0, window["days_without_obligation"])
    return window


def enrolment_for_case(scope: Scope, case: Case) -> Enrolment | None:
    """The enrolment the case page shows: the active one, else the latest
    one the user may see (``enrolments_visible_to``), or None."""
    return (
        enrolments_visible_to(scope)
        .filter(case=case)
        .order_by(
            ExpressionWrapper(~Q(status=Enrolment.Status.ACTIVE), output_field=BooleanField()), "-starts_on", "-id"
        )
        .first()
    )
