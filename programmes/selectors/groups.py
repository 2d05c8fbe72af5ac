"""Reads for groups: the lists, who facilitates, members, groups to choose or take over."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.models import Organisation
from accounts.permissions import get_visible_or_404
from accounts.scope import Scope
from casework.models import Case
from core import events
from programmes import events as programme_events
from programmes.models import Enrolment, Facilitation, Group, ProgrammeTemplate, Session

from ._common import _active_count


def groups_visible_to(scope: Scope) -> QuerySet[Group]:
    """The provider's groups, with ``active_count`` (people in the group now)."""
    if not scope.is_provider_staff:
        return Group.objects.none()
    return (
        Group.objects.filter(provider=scope.organisation)
        .select_related("template", "psychologist", "social_worker", "provider", "facility")
        .annotate(active_count=_active_count())
        .order_by("-is_active", "name", "id")
    )


def get_group_for_user(scope: Scope, pk: int) -> Group:
    return get_visible_or_404(groups_visible_to(scope), pk=pk)


def groups_choosable(case: Case, template: ProgrammeTemplate) -> QuerySet[Group]:
    """Groups a person of ``case`` could join in ``template``: the case's
    provider, the same programme (any version of it), the person's sex,
    running. Full or closed groups are included, with ``active_count``, so
    the page can say why one cannot be chosen; ``enrol`` checks again."""
    sex = case.referral.person.sex
    return (
        Group.objects.filter(
            provider_id=case.provider_id,
            template__code=template.code,
            template__provider_id=template.provider_id,
            sex=sex,
            is_active=True,
        )
        .select_related("template", "psychologist", "social_worker")
        .annotate(active_count=_active_count())
        .order_by("starts_on", "name")
    )


def facilitators(provider: Organisation, role: str):
    """Active users of ``provider`` with ``role`` (for facilitator choices)."""
    from accounts.models import User

    return User.objects.filter(is_active=True, membership__organisation=provider, membership__role=role).order_by(
        "last_name", "first_name", "username"
    )


def qualification_warnings(template: ProgrammeTemplate, people: Iterable, on: dt.date) -> list[str]:
    """One sentence per person of ``people`` who lacks, on ``on``, the
    qualification ``template`` asks of its facilitators (asked of the app
    that keeps the staff records)."""
    if not template.required_qualification:
        return []
    present = [person for person in people if person is not None]
    return events.ask(programme_events.FACILITATOR_WARNINGS, template=template, people=present, on=on)


def group_leaders(group: Group) -> list:
    """Who leads the group by its template's facilitation rule: the pair
    (psychologist and social worker), or the psychologist alone when one
    facilitator leads; the qualification is asked of them."""
    if group.template.facilitation == Facilitation.PAIR:
        return [group.psychologist, group.social_worker]
    return [group.psychologist]


def group_sessions(group: Group) -> QuerySet[Session]:
    """A group's sessions in order, with ``marked_count`` (marks recorded)."""
    return (
        group.sessions.select_related("facilitator", "co_facilitator")
        .annotate(marked_count=Count("attendance"))
        .order_by("starts_at", "number")
    )


def group_members(group: Group) -> QuerySet[Enrolment]:
    """The people in a group now (active enrolments)."""
    return (
        group.enrolments.filter(status=Enrolment.Status.ACTIVE)
        .select_related("case", "case__referral", "case__referral__person", "psychologist", "stay__police_unit")
        .order_by("case__referral__person__family_name", "case__referral__person__given_name", "id")
    )


def groups_list_for(scope: Scope, *, term: str = "") -> QuerySet[Group]:
    """The groups page: ``groups_visible_to`` with ``next_session_at`` (the
    next planned session) and ``term`` matching name or place."""
    upcoming = Session.objects.filter(
        group=OuterRef("pk"), status=Session.Status.PLANNED, starts_at__gte=timezone.now()
    ).order_by("starts_at")
    qs = groups_visible_to(scope).annotate(next_session_at=Subquery(upcoming.values("starts_at")[:1]))
    if term:
        qs = qs.filter(Q(name__icontains=term) | Q(location__icontains=term))
    return qs


def _group_started_annotation() -> Exists:
    return Exists(
        Session.objects.filter(group=OuterRef("pk"), starts_at__lte=timezone.now()).exclude(
            status=Session.Status.CANCELLED
        )
    )


def groups_for_enrolment(case: Case, template: ProgrammeTemplate | None = None) -> QuerySet[Group]:
    """Every running group of the case's provider for the person's sex, of
    any programme or of ``template``'s programme (any version), with
    ``active_count`` and ``started`` (a session has begun), so the page can
    say why a group cannot be chosen; ``enrol`` checks again."""
    qs = Group.objects.filter(provider_id=case.provider_id, sex=case.referral.person.sex, is_active=True)
    if template is not None:
        qs = qs.filter(template__code=template.code, template__provider_id=template.provider_id)
    return (
        qs.select_related("template")
        .annotate(active_count=_active_count(), started=_group_started_annotation())
        .order_by("template__name", "starts_on", "name")
    )


def groups_to_take_over(group: Group) -> QuerySet[Group]:
    """Running groups that could take the people of ``group`` when it
    closes: the same provider, programme (any version) and sex, with
    ``active_count`` and ``started``; ``group_close`` checks again."""
    return (
        Group.objects.filter(
            provider_id=group.provider_id,
            template__code=group.template.code,
            template__provider_id=group.template.provider_id,
            sex=group.sex,
            is_active=True,
        )
        .exclude(pk=group.pk)
        .select_related("template")
        .annotate(active_count=_active_count(), started=_group_started_annotation())
        .order_by("starts_on", "name")
    )


def running_groups_of(provider: Organisation) -> QuerySet[Group]:
    """Every running group of ``provider`` (what the enrol and move forms
    accept; the services decide whether a person may join)."""
    return Group.objects.filter(provider=provider, is_active=True).select_related("template")
