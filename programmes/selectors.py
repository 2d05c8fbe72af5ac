"""Reads for programmes, starting from the user's scope (404 outside it).

Who sees what:
- templates: every signed-in organisation sees the shipped templates;
  a provider sees its country's shipped templates and its own copies;
- groups and sessions: the provider's staff (psychologists, social workers,
  programme managers) of the group's provider;
- enrolments: the provider's staff (enrolments they run, and earlier ones of
  a case transferred to them); survivor workers see the enrolments of cases
  referred to their service, for the status only.

Every list selector loads what a page shows in a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Membership, Organisation
from accounts.scope import Scope
from casework.models import Case
from programmes.models import LOGGED_STATUSES, Attendance, Enrolment, Group, ProgrammeTemplate, Session
from programmes.scheduling import is_short_notice

ONE_DECIMAL = Decimal("0.1")
# An unexcused absence at short notice, not confirmed (see Progress).
NOT_COUNTED = "not_counted"


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of ``day`` in the site's time zone (settings.TIME_ZONE)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(0, 0)), timezone.get_default_timezone())


# --- Templates -----------------------------------------------------------------


def _newer_version_exists() -> Exists:
    return Exists(ProgrammeTemplate.objects.filter(code=OuterRef("code"), version__gt=OuterRef("version")))


def templates_for(scope: Scope, *, current_only: bool = True) -> QuerySet[ProgrammeTemplate]:
    """Templates the user may look at.

    A provider's staff: the shipped templates of the provider's country and
    the provider's own copies (own first). Any other organisation: every
    shipped template. No organisation: nothing. ``current_only`` leaves out
    versions that a newer version of the same code replaced; with it off,
    the newest version of each code comes first.
    """
    if scope.organisation is None:
        return ProgrammeTemplate.objects.none()
    qs = ProgrammeTemplate.objects.select_related("provider", "parent")
    if scope.is_provider:
        qs = qs.filter(Q(provider__isnull=True, country=scope.organisation.country) | Q(provider=scope.organisation))
    else:
        qs = qs.filter(provider__isnull=True)
    shipped = ExpressionWrapper(Q(provider__isnull=True), output_field=BooleanField())
    qs = qs.annotate(shipped=shipped)
    if current_only:
        return qs.exclude(_newer_version_exists()).order_by("shipped", "country", "name", "code")
    return qs.order_by("shipped", "country", "code", "-version")


def get_template_for_user(scope: Scope, pk: int) -> ProgrammeTemplate:
    """One template of ``templates_for`` (any version); 404 otherwise."""
    try:
        return templates_for(scope, current_only=False).get(pk=pk)
    except (ProgrammeTemplate.DoesNotExist, ValueError, TypeError):
        raise Http404("No such programme template.") from None


def usable_templates(provider: Organisation) -> QuerySet[ProgrammeTemplate]:
    """Active templates ``provider`` may run (open groups in, enrol people
    in): its country's shipped templates and its own copies."""
    return ProgrammeTemplate.objects.filter(
        Q(provider__isnull=True, country=provider.country) | Q(provider=provider),
        status=ProgrammeTemplate.Status.ACTIVE,
    ).order_by("name", "-version")


def template_usable_by(template: ProgrammeTemplate, provider: Organisation) -> bool:
    own_or_shipped = template.provider_id == provider.pk or (
        template.provider_id is None and template.country == provider.country
    )
    return own_or_shipped and template.status == ProgrammeTemplate.Status.ACTIVE


# --- Groups --------------------------------------------------------------------


def _active_count() -> Count:
    return Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ACTIVE), distinct=True)


def groups_visible_to(scope: Scope) -> QuerySet[Group]:
    """The provider's groups, with ``active_count`` (people in the group now)."""
    if not scope.is_provider_staff:
        return Group.objects.none()
    return (
        Group.objects.filter(provider=scope.organisation)
        .select_related("template", "psychologist", "social_worker", "provider")
        .annotate(active_count=_active_count())
        .order_by("-is_active", "name", "id")
    )


def get_group_for_user(scope: Scope, pk: int) -> Group:
    try:
        return groups_visible_to(scope).get(pk=pk)
    except (Group.DoesNotExist, ValueError, TypeError):
        raise Http404("No such group.") from None


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


def has_role(user, provider: Organisation, role: str) -> bool:
    return (
        user is not None
        and user.is_active
        and Membership.objects.filter(user=user, organisation=provider, role=role).exists()
    )


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
        .select_related("case", "case__referral", "case__referral__person", "psychologist")
        .order_by("case__referral__person__family_name", "case__referral__person__given_name", "id")
    )


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
    try:
        return enrolments_visible_to(scope).get(pk=pk)
    except (Enrolment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such enrolment.") from None


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


# --- Who is expected at a session ------------------------------------------------


def _person_key(enrolment: Enrolment) -> tuple:
    person = enrolment.case.referral.person
    return (person.family_name.casefold(), person.given_name.casefold(), enrolment.pk)


def expected_by_session(sessions: Sequence[Session]) -> dict[int, list[Enrolment]]:
    """For each session id, the enrolments expected at it, by name.

    Individual session: its enrolment. Group session: the group's
    enrolments whose ``group_from`` is on or before the session's date and
    that were still running that day (active, or ended on a later day, so a
    session logged late still lists a person who left afterwards), and
    anyone who already has a mark for it. Two queries for any number of
    sessions.
    """
    sessions = list(sessions)
    if not sessions:
        return {}
    marked: dict[int, set[int]] = {}
    for session_id, enrolment_id in Attendance.objects.filter(session__in=[s.pk for s in sessions]).values_list(
        "session_id", "enrolment_id"
    ):
        marked.setdefault(session_id, set()).add(enrolment_id)
    group_ids = {s.group_id for s in sessions if s.group_id}
    direct_ids = {s.enrolment_id for s in sessions if s.enrolment_id}
    for ids in marked.values():
        direct_ids |= ids
    match = Q(pk__in=direct_ids)
    if group_ids:
        earliest = min(s.local_date for s in sessions if s.group_id)
        match |= Q(group_id__in=group_ids, group_from__isnull=False) & (
            Q(status=Enrolment.Status.ACTIVE) | Q(ended_on__gt=earliest)
        )
    enrolments = list(
        Enrolment.objects.filter(match).select_related("case", "case__referral", "case__referral__person")
    )
    by_id = {e.pk: e for e in enrolments}
    result: dict[int, list[Enrolment]] = {}
    for session in sessions:
        chosen: dict[int, Enrolment] = {}
        if session.enrolment_id and session.enrolment_id in by_id:
            chosen[session.enrolment_id] = by_id[session.enrolment_id]
        if session.group_id:
            day = session.local_date
            for e in enrolments:
                running = e.status == Enrolment.Status.ACTIVE or (e.ended_on is not None and e.ended_on > day)
                if e.group_id == session.group_id and running and e.group_from is not None and e.group_from <= day:
                    chosen[e.pk] = e
        for enrolment_id in marked.get(session.pk, ()):
            if enrolment_id in by_id:
                chosen[enrolment_id] = by_id[enrolment_id]
        result[session.pk] = sorted(chosen.values(), key=_person_key)
    return result


@dataclass(frozen=True)
class RosterRow:
    enrolment: Enrolment
    mark: str  # the recorded mark, or "" when none yet
    # He was told of this session at less than the minimum notice (or after
    # it began): an unexcused absence counts only when confirmed.
    short_notice: bool = False
    absence_confirmed: bool = False


def roster_for(session: Session) -> list[RosterRow]:
    """The logging screen of one session: everyone expected, by name, with
    the mark already recorded (resubmitting the screen changes marks).
    Three queries whatever the size of the group."""
    expected = expected_by_session([session])[session.pk]
    marks = {
        eid: (mark, confirmed)
        for eid, mark, confirmed in Attendance.objects.filter(session=session).values_list(
            "enrolment_id", "mark", "absence_confirmed"
        )
    }
    return [
        RosterRow(
            enrolment=e,
            mark=marks.get(e.pk, ("", False))[0],
            short_notice=is_short_notice(session, e),
            absence_confirmed=marks.get(e.pk, ("", False))[1],
        )
        for e in expected
    ]


# --- Sessions for a facilitator ----------------------------------------------


def _facilitated_by(user) -> Q:
    return Q(facilitator=user) | Q(co_facilitator=user)


def _session_related(qs: QuerySet[Session]) -> QuerySet[Session]:
    return qs.select_related(
        "group",
        "group__template",
        "enrolment",
        "enrolment__template",
        "enrolment__case",
        "enrolment__case__referral",
        "enrolment__case__referral__person",
        "facilitator",
        "co_facilitator",
    )


def sessions_today(scope: Scope, user, date: dt.date | None = None) -> list[Session]:
    """The sessions ``user`` leads or co-leads on ``date`` (default: today,
    local time), cancelled ones included so the page can show them. Each
    session carries ``expected`` (enrolments, by name), ``expected_count``
    and ``marked_count``. A fixed number of queries."""
    if not scope.is_provider_staff:
        return []
    day = date or timezone.localdate()
    start = local_midnight(day)
    sessions = list(
        _session_related(
            Session.objects.filter(
                _facilitated_by(user),
                provider=scope.organisation,
                starts_at__gte=start,
                starts_at__lt=local_midnight(day + dt.timedelta(days=1)),
            )
        )
        .annotate(marked_count=Count("attendance"))
        .order_by("starts_at", "id")
    )
    expected = expected_by_session(sessions)
    for session in sessions:
        session.expected = expected.get(session.pk, [])
        session.expected_count = len(session.expected)
    return sessions


def unlogged_past_sessions(scope: Scope, user) -> QuerySet[Session]:
    """Planned (neither logged nor cancelled) sessions ``user`` leads or
    co-leads that started before today, oldest first."""
    if not scope.is_provider_staff:
        return Session.objects.none()
    return _session_related(
        Session.objects.filter(
            _facilitated_by(user),
            provider=scope.organisation,
            status=Session.Status.PLANNED,
            starts_at__lt=local_midnight(timezone.localdate()),
        )
    ).order_by("starts_at", "id")


def sessions_for_calendar(user, start: dt.datetime, end: dt.datetime) -> QuerySet[Session]:
    """Sessions ``user`` leads or co-leads in [start, end), cancelled ones
    included (a calendar feed marks them cancelled). For an .ics feed that
    leaves the system: show the kind, group name and place, never a
    person's name."""
    scope = Scope.for_user(user)
    if not scope.is_provider_staff:
        return Session.objects.none()
    return (
        Session.objects.filter(
            _facilitated_by(user), provider=scope.organisation, starts_at__gte=start, starts_at__lt=end
        )
        .select_related("group")
        .order_by("starts_at", "id")
    )


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


# --- Progress ----------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """A participant's progress against the template's requirements.

    Only logged sessions count (held, or not held because nobody came): a
    cancelled session is never an absence, and a planned one not yet logged
    is nothing yet. LATE counts as attended. An unexcused absence at short
    notice (``Attendance.short_notice``) that the practitioner did not
    confirm neither counts nor ends a run (``short_notice_absences``).
    ``unexcused_consecutive`` is the trailing run of unexcused absences over
    the person's held sessions in date order: present/late ends the run, an
    excused absence neither counts nor ends it (so unexcused, excused,
    unexcused is a run of 2). ``dropout_rule_hit`` is true when that run
    reaches ``dropout_consecutive`` or the total reaches ``dropout_total``.
    """

    individual_required: int
    individual_attended: int
    group_required: int
    group_attended: int
    hours_required: Decimal | None
    hours_attended: Decimal
    excused: int
    unexcused_total: int
    unexcused_consecutive: int
    dropout_consecutive: int | None
    dropout_total: int | None
    next_session: Session | None
    topics_covered: tuple[str, ...]
    curriculum_total: int
    group_sessions_ahead: int = 0
    held_sessions: int = 0
    # Unexcused absences at short notice, not confirmed: they do not count.
    short_notice_absences: int = 0

    @property
    def sessions_required(self) -> int:
        return self.individual_required + self.group_required

    @property
    def sessions_attended(self) -> int:
        return self.individual_attended + self.group_attended

    @property
    def curriculum_covered(self) -> int:
        return len(self.topics_covered)

    @property
    def curriculum_position(self) -> str:
        """e.g. "4/9": topics covered so far out of the curriculum."""
        return f"{self.curriculum_covered}/{self.curriculum_total}"

    @property
    def individual_missing(self) -> int:
        return max(0, self.individual_required - self.individual_attended)

    @property
    def group_missing(self) -> int:
        return max(0, self.group_required - self.group_attended)

    @property
    def hours_missing(self) -> Decimal:
        if self.hours_required is None:
            return Decimal("0.0")
        return max(Decimal("0.0"), self.hours_required - self.hours_attended).quantize(ONE_DECIMAL)

    @property
    def requirements_met(self) -> bool:
        return not (self.individual_missing or self.group_missing or self.hours_missing)

    @property
    def dropout_rule_hit(self) -> bool:
        return bool(
            (self.dropout_consecutive and self.unexcused_consecutive >= self.dropout_consecutive)
            or (self.dropout_total and self.unexcused_total >= self.dropout_total)
        )

    @property
    def group_schedule_short(self) -> bool:
        """The group has fewer planned sessions ahead than the person still
        needs (extend a rolling group's schedule)."""
        return self.group_missing > self.group_sessions_ahead

    def missing_text(self) -> str:
        """What is still missing, e.g. "3 group sessions and 2.0 hours", or ""."""
        parts = []
        if self.individual_missing:
            parts.append(
                ngettext("%(n)d individual session", "%(n)d individual sessions", self.individual_missing)
                % {"n": self.individual_missing}
            )
        if self.group_missing:
            parts.append(
                ngettext("%(n)d group session", "%(n)d group sessions", self.group_missing) % {"n": self.group_missing}
            )
        if self.hours_missing:
            parts.append(_("%(hours)s hours") % {"hours": self.hours_missing})
        if not parts:
            return ""
        if len(parts) == 1:
            return parts[0]
        return _("%(list)s and %(last)s") % {"list": ", ".join(parts[:-1]), "last": parts[-1]}


def _normal(topic: str) -> str:
    return " ".join((topic or "").split()).casefold()


def progress_for_enrolments(enrolments: Iterable[Enrolment]) -> dict[int, Progress]:
    """Progress of many enrolments (a list page) in four queries, whatever
    their number. Returns {enrolment id: Progress}."""
    rows = list(enrolments)
    if not rows:
        return {}
    ids = [e.pk for e in rows]
    templates = {t.pk: t for t in ProgrammeTemplate.objects.filter(pk__in={e.template_id for e in rows})}
    now = timezone.now()

    marks: dict[int, list[tuple]] = {pk: [] for pk in ids}
    for enrolment_id, mark, kind, minutes, covered, planned, short, confirmed in (
        Attendance.objects.filter(enrolment_id__in=ids, session__status__in=LOGGED_STATUSES)
        .order_by("session__starts_at", "session_id")
        .values_list(
            "enrolment_id",
            "mark",
            "session__kind",
            "session__duration_minutes",
            "session__topic_covered",
            "session__planned_topic",
            "short_notice",
            "absence_confirmed",
        )
    ):
        if mark == Attendance.Mark.UNEXCUSED and short and not confirmed:
            mark = NOT_COUNTED
        marks[enrolment_id].append((mark, kind, minutes, covered or planned))

    planned_ahead = Session.objects.filter(status=Session.Status.PLANNED, starts_at__gte=now)
    group_ahead = planned_ahead.filter(group=OuterRef("group_id"), starts_at__date__gte=OuterRef("group_from"))
    upcoming = {
        pk: (next_individual, next_group, ahead)
        for pk, next_individual, next_group, ahead in Enrolment.objects.filter(pk__in=ids)
        .annotate(
            next_individual=Subquery(
                planned_ahead.filter(enrolment=OuterRef("pk")).order_by("starts_at").values("pk")[:1]
            ),
            next_group=Subquery(group_ahead.order_by("starts_at").values("pk")[:1]),
            group_ahead=Coalesce(
                Subquery(group_ahead.order_by().values("group").annotate(c=Count("pk")).values("c")), 0
            ),
        )
        .values_list("pk", "next_individual", "next_group", "group_ahead")
    }
    next_ids = {sid for (a, b, _c) in upcoming.values() for sid in (a, b) if sid}
    next_sessions = {s.pk: s for s in Session.objects.filter(pk__in=next_ids).select_related("group")}

    result = {}
    for e in rows:
        template = templates[e.template_id]
        attended = {Session.Kind.INDIVIDUAL: 0, Session.Kind.GROUP: 0}
        minutes = excused = unexcused = run = not_counted = 0
        covered: set[str] = set()
        for mark, kind, duration, topic in marks[e.pk]:
            if mark in (Attendance.Mark.PRESENT, Attendance.Mark.LATE):
                attended[kind] += 1
                minutes += duration
                covered.add(_normal(topic))
                run = 0
            elif mark == Attendance.Mark.EXCUSED:
                excused += 1
            elif mark == NOT_COUNTED:
                not_counted += 1
            else:
                unexcused += 1
                run += 1
        curriculum = [t for t in template.curriculum if t.strip()]
        topics = tuple(t for t in curriculum if _normal(t) in covered)
        next_individual, next_group, ahead = upcoming.get(e.pk, (None, None, 0))
        candidates = [next_sessions[s] for s in (next_individual, next_group) if s in next_sessions]
        active = e.status == Enrolment.Status.ACTIVE
        result[e.pk] = Progress(
            individual_required=template.individual_sessions,
            individual_attended=attended[Session.Kind.INDIVIDUAL],
            group_required=template.group_sessions,
            group_attended=attended[Session.Kind.GROUP],
            hours_required=template.hours_required,
            hours_attended=_hours(minutes),
            excused=excused,
            unexcused_total=unexcused,
            unexcused_consecutive=run,
            dropout_consecutive=template.dropout_consecutive,
            dropout_total=template.dropout_total,
            next_session=min(candidates, key=lambda s: s.starts_at) if candidates and active else None,
            topics_covered=topics,
            curriculum_total=len(curriculum),
            group_sessions_ahead=ahead if active else 0,
            held_sessions=len(marks[e.pk]),
            short_notice_absences=not_counted,
        )
    return result


def progress(enrolment: Enrolment) -> Progress:
    """One enrolment's progress (four queries). See ``Progress``."""
    return progress_for_enrolments([enrolment])[enrolment.pk]


# --- Session pages: today, logging, progress on the case page (helper P3) -----


def sessions_visible_to(scope: Scope) -> QuerySet[Session]:
    """The provider's sessions, for its staff (psychologists, social
    workers, programme managers); nothing for anyone else."""
    if not scope.is_provider_staff:
        return Session.objects.none()
    return _session_related(Session.objects.filter(provider=scope.organisation))


def get_session_for_user(scope: Scope, pk: int) -> Session:
    """One session of ``sessions_visible_to``; 404 otherwise."""
    try:
        return sessions_visible_to(scope).get(pk=pk)
    except (Session.DoesNotExist, ValueError, TypeError):
        raise Http404("No such session.") from None


def provider_sessions_on(scope: Scope, day: dt.date | None = None) -> list[Session]:
    """Every session of the provider on ``day`` (default today), for a
    programme manager's Today page; annotated like ``sessions_today``."""
    day = day or timezone.localdate()
    sessions = list(
        sessions_visible_to(scope)
        .filter(starts_at__gte=local_midnight(day), starts_at__lt=local_midnight(day + dt.timedelta(days=1)))
        .annotate(marked_count=Count("attendance"))
        .order_by("starts_at", "id")
    )
    expected = expected_by_session(sessions)
    for session in sessions:
        session.expected = expected.get(session.pk, [])
        session.expected_count = len(session.expected)
    return sessions


def provider_unlogged_past_sessions(scope: Scope) -> QuerySet[Session]:
    """Planned sessions of the provider that started before today, oldest
    first (a programme manager's view of what is not yet logged)."""
    return (
        sessions_visible_to(scope)
        .filter(status=Session.Status.PLANNED, starts_at__lt=local_midnight(timezone.localdate()))
        .order_by("starts_at", "id")
    )


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


# --- end of the session pages block (helper P3) --------------------------------


# --- Set-up pages: templates, groups, enrolment (helper P2) --------------------


def templates_browsable(
    scope: Scope, *, country: str = "", term: str = "", current_only: bool = True
) -> QuerySet[ProgrammeTemplate]:
    """The templates page and the templates API: for a provider's staff,
    the provider's own templates and the shipped templates of every country
    (reference data to read and copy; ``usable_templates`` decides what a
    provider can run); for anyone else ``templates_for``. ``country``
    narrows the shipped templates to one country (own ones stay); ``term``
    matches name or code. Own templates first."""
    if scope.is_provider_staff:
        qs = ProgrammeTemplate.objects.select_related("provider", "parent").filter(
            Q(provider__isnull=True) | Q(provider=scope.organisation)
        )
        qs = qs.annotate(shipped=ExpressionWrapper(Q(provider__isnull=True), output_field=BooleanField()))
    else:
        qs = templates_for(scope, current_only=False)
    if country:
        qs = qs.filter(Q(provider__isnull=False) | Q(country=country))
    if term:
        qs = qs.filter(Q(name__icontains=term) | Q(code__icontains=term))
    if current_only:
        return qs.exclude(_newer_version_exists()).order_by("shipped", "country", "name", "code")
    return qs.order_by("shipped", "country", "code", "-version")


def get_browsable_template_for_user(scope: Scope, pk: int) -> ProgrammeTemplate:
    """One template of ``templates_browsable`` (any version); 404 otherwise."""
    try:
        return templates_browsable(scope, current_only=False).get(pk=pk)
    except (ProgrammeTemplate.DoesNotExist, ValueError, TypeError):
        raise Http404("No such programme template.") from None


def get_own_template_for_user(scope: Scope, pk: int) -> ProgrammeTemplate:
    """One of the user's provider's own templates (any version), for the
    edit page; 404 for shipped templates and other providers' copies."""
    if not scope.is_provider_staff:
        raise Http404("No such programme template.")
    try:
        return ProgrammeTemplate.objects.select_related("provider", "parent").get(pk=pk, provider=scope.organisation)
    except (ProgrammeTemplate.DoesNotExist, ValueError, TypeError):
        raise Http404("No such programme template.") from None


def template_versions(template: ProgrammeTemplate) -> list[ProgrammeTemplate]:
    """Every version of ``template``'s code (same owner), newest first, with
    ``enrolment_count`` (active enrolments) and ``group_count`` (running groups)."""
    return list(
        ProgrammeTemplate.objects.filter(code=template.code, provider_id=template.provider_id)
        .annotate(
            enrolment_count=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ACTIVE), distinct=True),
            group_count=Count("groups", filter=Q(groups__is_active=True), distinct=True),
        )
        .order_by("-version")
    )


def template_in_use(template: ProgrammeTemplate) -> bool:
    """True when ``template_update`` would make a new version rather than
    change this one (any enrolment or group, running or not)."""
    return template.enrolments.exists() or template.groups.exists()


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


# --- end of the set-up pages block (helper P2) ---------------------------------
