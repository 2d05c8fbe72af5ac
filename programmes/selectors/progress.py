"""Progress through a programme: hours and sessions attended against what it requires."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programmes.models import LOGGED_STATUSES, Attendance, Enrolment, ProgrammeTemplate, Session

ONE_DECIMAL = Decimal("0.1")
# An unexcused absence at short notice, not confirmed (see Progress).
NOT_COUNTED = "not_counted"


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


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


def _logged_marks(ids: list[int]) -> dict[int, list[tuple]]:
    """Each enrolment's marks at logged sessions, oldest first, as
    (mark, session kind, minutes, topic); an unconfirmed short-notice
    absence is NOT_COUNTED. One query."""
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
    return marks


def _upcoming(ids: list[int], now) -> tuple[dict[int, tuple], dict[int, Session]]:
    """Each enrolment's next planned individual and group session and the
    number of group sessions still ahead, and those sessions. Two queries."""
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
    return upcoming, next_sessions


class _Tally(NamedTuple):
    attended: dict
    minutes: int
    excused: int
    unexcused: int
    run: int
    not_counted: int
    covered: set


def _tally(marks: list[tuple]) -> _Tally:
    """Count one enrolment's marks: sessions attended by kind, minutes,
    excused and unexcused absences, the current run of unexcused ones (a
    session attended ends it), uncounted short-notice absences and the
    topics covered."""
    attended = {Session.Kind.INDIVIDUAL: 0, Session.Kind.GROUP: 0}
    minutes = excused = unexcused = run = not_counted = 0
    covered: set[str] = set()
    for mark, kind, duration, topic in marks:
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
    return _Tally(attended, minutes, excused, unexcused, run, not_counted, covered)


def progress_for_enrolments(enrolments: Iterable[Enrolment]) -> dict[int, Progress]:
    """Progress of many enrolments (a list page) in four queries, whatever
    their number; three when they come with their templates
    (``select_related``). Returns {enrolment id: Progress}."""
    rows = list(enrolments)
    if not rows:
        return {}
    ids = [e.pk for e in rows]
    templates = {e.template_id: e.template for e in rows if Enrolment.template.is_cached(e)}
    missing = {e.template_id for e in rows} - templates.keys()
    if missing:
        templates.update({t.pk: t for t in ProgrammeTemplate.objects.filter(pk__in=missing)})
    marks = _logged_marks(ids)
    upcoming, next_sessions = _upcoming(ids, timezone.now())

    result = {}
    for e in rows:
        template = templates[e.template_id]
        tally = _tally(marks[e.pk])
        curriculum = [t for t in template.curriculum if t.strip()]
        next_individual, next_group, ahead = upcoming.get(e.pk, (None, None, 0))
        candidates = [next_sessions[s] for s in (next_individual, next_group) if s in next_sessions]
        active = e.status == Enrolment.Status.ACTIVE
        result[e.pk] = Progress(
            individual_required=template.individual_sessions,
            individual_attended=tally.attended[Session.Kind.INDIVIDUAL],
            group_required=template.group_sessions,
            group_attended=tally.attended[Session.Kind.GROUP],
            hours_required=template.hours_required,
            hours_attended=_hours(tally.minutes),
            excused=tally.excused,
            unexcused_total=tally.unexcused,
            unexcused_consecutive=tally.run,
            dropout_consecutive=template.dropout_consecutive,
            dropout_total=template.dropout_total,
            next_session=min(candidates, key=lambda s: s.starts_at) if candidates and active else None,
            topics_covered=tuple(t for t in curriculum if _normal(t) in tally.covered),
            curriculum_total=len(curriculum),
            group_sessions_ahead=ahead if active else 0,
            held_sessions=len(marks[e.pk]),
            short_notice_absences=tally.not_counted,
        )
    return result


def progress(enrolment: Enrolment) -> Progress:
    """One enrolment's progress (three or four queries). See ``Progress``."""
    return progress_for_enrolments([enrolment])[enrolment.pk]
