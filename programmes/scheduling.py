"""When sessions may happen: notice, free slots and clashes.

A session the participant could not have known of must never turn into a
dropout or a report to the police. So:

- Individual sessions are planned no earlier than ``min_notice()`` after
  the moment they are planned (``PROGRAMME_MIN_NOTICE_HOURS``, default 24),
  on the hour between ``PROGRAMME_DAY_FIRST_HOUR`` and
  ``PROGRAMME_DAY_LAST_HOUR`` (local), in the first slot where the
  practitioner has no other session. The template's cadence gives each
  session's day; a busy day moves the session to the next free slot.
- A group participant is expected from the group's first session that
  starts at least ``min_notice()`` after he joins.
- An attendance mark remembers whether the session came at short notice
  for that person (``short_notice``): planned or moved less than the
  minimum notice before its start, or after its own start, or before he
  joined. Such an unexcused absence counts only when confirmed.

Nothing here writes; the services call it inside their transactions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from programmes.models import Enrolment, Group, Session

# How far ahead of its cadence day an individual session may move to find
# a free slot before the practitioner's diary counts as full.
SEARCH_DAYS = 14
# Preferred first: the traditional 10:00, then later that day, then earlier.
PREFERRED_HOUR = 10


def min_notice() -> dt.timedelta:
    return dt.timedelta(hours=settings.PROGRAMME_MIN_NOTICE_HOURS)


def notice_hours() -> int:
    return settings.PROGRAMME_MIN_NOTICE_HOURS


def _aware(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time), timezone.get_default_timezone())


def day_slots(day: dt.date, minutes: int) -> list[dt.datetime]:
    """The start times of an individual session of ``minutes`` on ``day``,
    in the order they are offered (10:00 first, then later, then earlier).
    A session ends by the end of the day's last hour."""
    first = settings.PROGRAMME_DAY_FIRST_HOUR
    last = max(settings.PROGRAMME_DAY_LAST_HOUR, first)
    end = _aware(day, dt.time(last)) + dt.timedelta(hours=1)
    hours = [h for h in range(first, last + 1) if _aware(day, dt.time(h)) + dt.timedelta(minutes=minutes) <= end]
    if not hours:
        hours = [first]
    preferred = [h for h in hours if h >= PREFERRED_HOUR] + [h for h in hours if h < PREFERRED_HOUR]
    return [_aware(day, dt.time(h)) for h in preferred]


@dataclass(frozen=True)
class Busy:
    starts_at: dt.datetime
    ends_at: dt.datetime
    session_id: int | None = None

    def overlaps(self, start: dt.datetime, end: dt.datetime) -> bool:
        return self.starts_at < end and start < self.ends_at


def _busy_q(user_ids: Iterable[int], location: str = "") -> Q:
    ids = [u for u in user_ids if u]
    match = Q(facilitator_id__in=ids) | Q(co_facilitator_id__in=ids)
    if location.strip():
        match |= Q(location__iexact=location.strip())
    return match


def busy_times(
    user_ids: Iterable[int], start: dt.datetime, end: dt.datetime, *, location: str = "", exclude: Sequence[int] = ()
) -> list[Busy]:
    """The planned and held sessions of these practitioners (or in this
    room) that overlap [start, end). One query."""
    rows = (
        Session.objects.filter(_busy_q(user_ids, location))
        .filter(status__in=[Session.Status.PLANNED, Session.Status.HELD, Session.Status.NOT_HELD])
        .filter(starts_at__lt=end, starts_at__gt=start - dt.timedelta(hours=8))
        .exclude(pk__in=list(exclude))
        .values_list("pk", "starts_at", "duration_minutes")
    )
    busy = [Busy(s, s + dt.timedelta(minutes=m), pk) for pk, s, m in rows]
    return [b for b in busy if b.overlaps(start, end)]


def clashes(session: Session, *, starts_at: dt.datetime, minutes: int) -> list[Session]:
    """Other planned or held sessions of the session's facilitators (or in
    its room) that would overlap it at ``starts_at``."""
    end = starts_at + dt.timedelta(minutes=minutes)
    users = [session.facilitator_id, session.co_facilitator_id]
    ids = [b.session_id for b in busy_times(users, starts_at, end, location=session.location, exclude=[session.pk])]
    return list(
        Session.objects.filter(pk__in=ids).select_related("group", "enrolment__case").order_by("starts_at", "pk")
    )


class DiaryFull(Exception):
    """No free slot within SEARCH_DAYS of a session's cadence day."""

    def __init__(self, day: dt.date):
        super().__init__(day)
        self.day = day


def plan_individual(
    *,
    practitioner_id: int,
    offsets: Sequence[int],
    starts_on: dt.date,
    minutes: int,
    now: dt.datetime | None = None,
    allow_clash: bool = False,
) -> list[dt.datetime]:
    """Start times for individual sessions at ``offsets`` days after the
    programme's first individual day, never earlier than the minimum notice
    from ``now``, never overlapping another session of the practitioner or
    each other. The first session is in the first free slot on or after
    ``starts_on``; when that day is moved, the cadence moves with it.

    Raises ``DiaryFull`` when a session finds no free slot within
    SEARCH_DAYS of its day, unless ``allow_clash``: then it goes into its
    day's first slot (after the notice) regardless of the clash."""
    now = now or timezone.now()
    earliest = now + min_notice()
    if not offsets:
        return []
    horizon_start = min(earliest, _aware(starts_on, dt.time(0)))
    horizon_end = max(earliest, _aware(starts_on, dt.time(0))) + dt.timedelta(
        days=max(offsets) + SEARCH_DAYS * (len(offsets) + 1) + 1
    )
    busy = busy_times([practitioner_id], horizon_start, horizon_end)
    length = dt.timedelta(minutes=minutes)

    def free(start: dt.datetime) -> bool:
        return not any(b.overlaps(start, start + length) for b in busy)

    def place(day: dt.date, not_before: dt.datetime) -> dt.datetime:
        for step in range(SEARCH_DAYS + 1):
            candidates = [s for s in day_slots(day + dt.timedelta(days=step), minutes) if s >= not_before]
            for start in candidates:
                if free(start):
                    return start
        if allow_clash:
            for step in range(SEARCH_DAYS + 1):
                candidates = [s for s in day_slots(day + dt.timedelta(days=step), minutes) if s >= not_before]
                if candidates:
                    return candidates[0]
        raise DiaryFull(day)

    first_day = max(starts_on, timezone.localtime(earliest).date())
    first = place(first_day, earliest)
    base = timezone.localtime(first).date() - dt.timedelta(days=offsets[0])
    times = [first]
    busy.append(Busy(first, first + length))
    for offset in offsets[1:]:
        not_before = max(earliest, times[-1] + length)
        start = place(base + dt.timedelta(days=offset), not_before)
        times.append(start)
        busy.append(Busy(start, start + length))
    return times


def group_from(group: Group, *, not_before: dt.date, now: dt.datetime | None = None) -> dt.date:
    """The day a person joining ``group`` now is expected from: the first
    planned session on or after ``not_before`` that starts at least the
    minimum notice from now (or, when none is planned yet, the later of
    ``not_before`` and the day the notice runs out, plus a day when the
    group meets earlier in the day than the notice allows)."""
    now = now or timezone.now()
    earliest = now + min_notice()
    first = (
        group.sessions.filter(status=Session.Status.PLANNED, starts_at__gte=earliest)
        .filter(starts_at__gte=_aware(not_before, dt.time(0)))
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    if first is not None:
        return timezone.localtime(first).date()
    day = max(not_before, timezone.localtime(earliest).date())
    if _aware(day, group.time_of_day) < earliest:
        day += dt.timedelta(days=1)
    return day


def is_short_notice(session: Session, enrolment: Enrolment) -> bool:
    """Was the person told of this session (its current time) at less than
    the minimum notice? Told = the later of when the time was set and when
    he was enrolled."""
    told = enrolment.enrolled_at
    if session.planned_at and (told is None or session.planned_at > told):
        told = session.planned_at
    if told is None:
        return False
    return session.starts_at - told < min_notice()
