"""Reads for sessions and attendance: today's sessions, rosters, the unlogged, the calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.permissions import get_visible_or_404
from accounts.scope import Scope
from core.audit import log_reads
from core.models import SensitiveRead
from programmes.models import Attendance, Enrolment, Session
from programmes.scheduling import is_short_notice

from ._common import local_midnight

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
    return expected_and_marks(sessions)[0]


def expected_and_marks(
    sessions: Sequence[Session],
) -> tuple[dict[int, list[Enrolment]], dict[int, dict[int, Attendance]]]:
    """``expected_by_session``, and for each session id its marks already
    recorded by enrolment id (``mark``, ``short_notice`` and
    ``absence_confirmed`` only). The same two queries."""
    sessions = list(sessions)
    if not sessions:
        return {}, {}
    marks: dict[int, dict[int, Attendance]] = {}
    for row in Attendance.objects.filter(session__in=[s.pk for s in sessions]).only(
        "session_id", "enrolment_id", "mark", "short_notice", "absence_confirmed"
    ):
        marks.setdefault(row.session_id, {})[row.enrolment_id] = row
    marked = {session_id: set(rows) for session_id, rows in marks.items()}
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
    return result, marks


def with_expected(sessions: list[Session], *, names: Sequence[Session] | None = None) -> list[Session]:
    """``sessions``, each with ``expected_count`` and ``marked_count``, and
    those in ``names`` (default: all) with ``expected`` (the enrolments, by
    name) too. Two queries for any number of sessions."""
    expected, marked = expected_and_marks(sessions)
    named = {s.pk for s in (sessions if names is None else names)}
    for session in sessions:
        if session.pk in named:
            session.expected = expected.get(session.pk, [])  # type: ignore[attr-defined]
        session.expected_count = len(expected.get(session.pk, []))  # type: ignore[attr-defined]
        session.marked_count = len(marked.get(session.pk, ()))  # type: ignore[attr-defined]
    return sessions


@dataclass(frozen=True)
class RosterRow:
    enrolment: Enrolment
    mark: str  # the recorded mark, or "" when none yet
    # He was told of this session at less than the minimum notice (or after
    # it began): an unexcused absence counts only when confirmed.
    short_notice: bool = False
    absence_confirmed: bool = False


@dataclass(frozen=True)
class Roster:
    """Everyone expected at one session (by name) and the marks recorded
    (enrolment id → Attendance): what the logging screen shows, and what a
    save of it checks against (``services.attendance_record``'s ``roster``)."""

    session: Session
    expected: list[Enrolment]
    recorded: dict[int, Attendance]

    @property
    def rows(self) -> list[RosterRow]:
        return [
            RosterRow(
                enrolment=e,
                mark=self.recorded[e.pk].mark if e.pk in self.recorded else "",
                short_notice=is_short_notice(self.session, e),
                absence_confirmed=self.recorded[e.pk].absence_confirmed if e.pk in self.recorded else False,
            )
            for e in self.expected
        ]


def roster_of(session: Session) -> Roster:
    """The session's ``Roster``. Two queries whatever the size of the group."""
    expected, marks = expected_and_marks([session])
    return Roster(session, expected[session.pk], marks.get(session.pk, {}))


def roster_for(session: Session) -> list[RosterRow]:
    """The logging screen of one session: everyone expected, by name, with
    the mark already recorded (resubmitting the screen changes marks).
    Two queries whatever the size of the group."""
    return roster_of(session).rows


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


def _card_related(qs: QuerySet[Session]) -> QuerySet[Session]:
    """What a session's card shows (Today): its group, or its person."""
    return qs.select_related("group", "enrolment__case__referral__person")


def _on_day(qs: QuerySet[Session], day: dt.date) -> QuerySet[Session]:
    return qs.filter(starts_at__gte=local_midnight(day), starts_at__lt=local_midnight(day + dt.timedelta(days=1)))


def _provider_staff_sessions(scope: Scope) -> QuerySet[Session]:
    if not scope.is_provider_staff:
        return Session.objects.none()
    return Session.objects.filter(provider=scope.organisation)


def _facilitated_on(scope: Scope, user, day: dt.date) -> QuerySet[Session]:
    mine = _provider_staff_sessions(scope).filter(_facilitated_by(user))
    return _card_related(_on_day(mine, day)).order_by("starts_at", "id")


def sessions_today(scope: Scope, user, date: dt.date | None = None) -> list[Session]:
    """The sessions ``user`` leads or co-leads on ``date`` (default: today,
    local time), cancelled ones included so the page can show them. Each
    session carries ``expected`` (enrolments, by name), ``expected_count``
    and ``marked_count``. A fixed number of queries."""
    return with_expected(list(_facilitated_on(scope, user, date or timezone.localdate())))


def unlogged_past_sessions(scope: Scope, user) -> QuerySet[Session]:
    """Planned (neither logged nor cancelled) sessions ``user`` leads or
    co-leads that started before today, oldest first."""
    return _card_related(
        _provider_staff_sessions(scope).filter(
            _facilitated_by(user),
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


def sessions_visible_to(scope: Scope) -> QuerySet[Session]:
    """The provider's sessions, for its staff (psychologists, social
    workers, programme managers); nothing for anyone else."""
    if not scope.is_provider_staff:
        return Session.objects.none()
    return _session_related(Session.objects.filter(provider=scope.organisation))


def get_session_for_user(scope: Scope, pk: int, *, for_update: bool = False) -> Session:
    """One session of ``sessions_visible_to``; 404 otherwise. ``for_update``:
    its row locked until the caller's transaction ends (a log of it reads
    the roster under the lock, and ``attendance_record`` checks it is held)."""
    sessions = sessions_visible_to(scope)
    if for_update:
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("get_session_for_user(for_update=True) outside a transaction")
        sessions = sessions.select_for_update(of=("self",))
    session = get_visible_or_404(sessions, pk=pk)
    session.locked_for_log = for_update  # type: ignore[attr-defined]
    return session


def _provider_on(scope: Scope, day: dt.date) -> QuerySet[Session]:
    return _card_related(_on_day(_provider_staff_sessions(scope), day)).order_by("starts_at", "id")


def provider_sessions_on(scope: Scope, day: dt.date | None = None) -> list[Session]:
    """Every session of the provider on ``day`` (default today), for a
    programme manager's Today page; annotated like ``sessions_today``."""
    return with_expected(list(_provider_on(scope, day or timezone.localdate())))


def provider_unlogged_past_sessions(scope: Scope) -> QuerySet[Session]:
    """Planned sessions of the provider that started before today, oldest
    first (a programme manager's view of what is not yet logged)."""
    return _card_related(
        _provider_staff_sessions(scope).filter(
            status=Session.Status.PLANNED, starts_at__lt=local_midnight(timezone.localdate())
        )
    ).order_by("starts_at", "id")


@dataclass(frozen=True)
class Today:
    """The Today page: the day's sessions (each with ``expected``,
    ``expected_count`` and ``marked_count``) and a page of the sessions not
    yet logged (each with ``expected_count``)."""

    sessions: list[Session]
    unlogged: Page


def today_for(scope: Scope, user, *, page: str | None, per_page: int) -> Today:
    """Clinical staff: the sessions they lead or co-lead today and theirs
    not yet logged. A programme manager (or any other provider staff): the
    provider's. Who is expected at both lists is read at once: the same
    queries however many sessions and however much history."""
    day = timezone.localdate()
    if scope.is_clinical:
        sessions, unlogged = _facilitated_on(scope, user, day), unlogged_past_sessions(scope, user)
    else:
        sessions, unlogged = _provider_on(scope, day), provider_unlogged_past_sessions(scope)
    todays = list(sessions)
    shown = Paginator(unlogged, per_page).get_page(page)
    with_expected([*todays, *shown], names=todays)
    return Today(todays, shown)


def session_notes_for(scope: Scope, session: Session, *, via: str) -> str:
    """The facilitators' notes of a session (therapy records), for the
    provider's psychologists and social workers; notes read are logged."""
    if not (scope.is_clinical and session.provider_id == scope.organisation_id):
        raise Http404("No such session.")
    if session.notes:
        log_reads(
            user_id=scope.user_id, record_type=SensitiveRead.RecordType.THERAPY_NOTES, record_ids=[session.pk], via=via
        )
    return session.notes or ""
