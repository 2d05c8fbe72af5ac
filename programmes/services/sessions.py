"""Writes for sessions and attendance: rescheduling, cancelling, logging who came."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import require_clinical, require_staff
from core.dates import short_date
from core.events import emit
from core.timeline import timeline_add_many
from core.validation import validated
from programmes import scheduling
from programmes import timeline as K
from programmes.events import ABSENCE_COUNTED, ATTENDANCE_LOGGED, DROPOUT_RULE_CHECKED
from programmes.models import LOGGED_STATUSES, Attendance, Enrolment, Session
from programmes.selectors import (
    Roster,
    progress_for_enrolments,
    roster_of,
)
from programmes.timeline import session_params

from ._common import _affected_referral_ids, _timeline_many

# A session may be logged from one hour before it starts.
LOG_EARLY = dt.timedelta(hours=1)


# --- Sessions ------------------------------------------------------------------


def _clash_label(other: Session) -> str:
    when = timezone.localtime(other.starts_at)
    end = timezone.localtime(other.ends_at)
    if other.kind == Session.Kind.GROUP:
        what = _("group session %(number)d of %(group)s") % {"number": other.number, "group": other.group.name}
    else:
        what = _("individual session %(number)d of case %(case)s") % {
            "number": other.number,
            "case": other.enrolment.case.number,
        }
    return _("%(what)s, %(date)s %(start)s–%(end)s") % {
        "what": what,
        "date": short_date(when.date()),
        "start": f"{when:%H:%M}",
        "end": f"{end:%H:%M}",
    }


def clash_message(clashes: list[Session]) -> str:
    return _(
        "This overlaps %(sessions)s of the same practitioner or room. Choose another time, or tick "
        "“Keep this time despite the clash”."
    ) % {"sessions": "; ".join(_clash_label(c) for c in clashes)}


@transaction.atomic
def session_reschedule(
    *,
    session: Session,
    starts_at: dt.datetime,
    by,
    reason: str = "",
    duration_minutes: int | None = None,
    allow_clash: bool = False,
) -> Session:
    """Move a planned session to ``starts_at`` (timezone-aware), and change
    its length when ``duration_minutes`` is given. A group session moves
    for everyone in the group. The first planned time is kept in
    ``rescheduled_from``; ``planned_at`` becomes now (the participants
    learn of the new time now, see ``scheduling.is_short_notice``).

    Never into the past (a past session may still change its length). A time that overlaps another session of the same
    facilitators or room is refused under "allow_clash" unless
    ``allow_clash``."""
    require_staff(session.provider_id, by)
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status != Session.Status.PLANNED:
        raise ValidationError({"__all__": [_("Only a planned session can be rescheduled.")]})
    errors: dict[str, list] = {}
    if starts_at is None or timezone.is_naive(starts_at):
        errors["starts_at"] = [_("Enter the new date and time.")]
    elif starts_at != session.starts_at and starts_at < timezone.now():
        errors["starts_at"] = [_("A session cannot be moved into the past.")]
    reason = (reason or "").strip()
    if len(reason) > 300:
        errors["reason"] = [_("Keep the reason under 300 characters.")]
    if errors:
        raise ValidationError(errors)
    duration_minutes = duration_minutes or session.duration_minutes
    if starts_at == session.starts_at and duration_minutes == session.duration_minutes:
        return session
    if not allow_clash:
        clashes = scheduling.clashes(session, starts_at=starts_at, minutes=duration_minutes)
        if clashes:
            raise ValidationError({"allow_clash": [clash_message(clashes)]})
    old = session_params(session)
    if starts_at != session.starts_at:
        session.rescheduled_from = session.rescheduled_from or session.starts_at
        session.planned_at = timezone.now()
    session.starts_at = starts_at
    session.duration_minutes = duration_minutes
    session.reschedule_reason = reason
    validated(session, errors, "", exclude=["provider", "group", "enrolment", "facilitator", "co_facilitator"])
    if errors:
        raise ValidationError(errors)
    session.save()
    _timeline_many(
        referral_ids=_affected_referral_ids(session),
        by=by,
        kind=K.SESSION_RESCHEDULED,
        params={**old, "to": starts_at},
    )
    return session


@transaction.atomic
def session_cancel(*, session: Session, reason: str, by) -> Session:
    """Cancel a planned session (for everyone, if it is a group session).
    A cancelled session is never an absence: it has no marks and does not
    count in progress."""
    require_staff(session.provider_id, by)
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status in LOGGED_STATUSES:
        raise ValidationError({"__all__": [_("A session that was logged cannot be cancelled.")]})
    if session.status == Session.Status.CANCELLED:
        raise ValidationError({"__all__": [_("This session is already cancelled.")]})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for cancelling.")]})
    if len(reason) > 300:
        raise ValidationError({"reason": [_("Keep the reason under 300 characters.")]})
    session.status = Session.Status.CANCELLED
    session.cancel_reason = reason
    session.save(update_fields=["status", "cancel_reason"])
    _timeline_many(
        referral_ids=_affected_referral_ids(session), by=by, kind=K.SESSION_CANCELLED, params=session_params(session)
    )
    return session


class Logged(NamedTuple):
    session: Session
    # The safety events this log recorded (dropout, non-compliance), in order.
    events: list


class _Preview(Exception):
    def __init__(self, logged: Logged):
        super().__init__()
        self.logged = logged


def _told(events: list) -> list[dict]:
    """What a log's safety events tell whom: one dict per event, ``kind``,
    ``enrolment_id``, ``facts`` and ``organisations`` (names of the
    recipient organisations, in order)."""
    return [
        {
            "kind": event.kind,
            "enrolment_id": event.enrolment_id,
            "facts": dict(event.facts),
            "organisations": [n.organisation.shown_name for n in event.notices.select_related("organisation")],
        }
        for event in events
    ]


def told_signature(told: list[dict]) -> str:
    """A short fingerprint of what a log tells whom (``_told``), for the
    form to say which consequences the user was shown and confirmed."""
    return ";".join(sorted(f"{t['kind']}:{t['enrolment_id']}:{','.join(t['organisations'])}" for t in told))[:2000]


def attendance_preview(**arguments: Any) -> list[dict]:
    """What ``attendance_record`` would tell whom (``_told``), without
    writing anything: the same call inside a savepoint that is rolled back.
    Raises the same ValidationError as the real call."""
    try:
        with transaction.atomic():
            logged = attendance_record(**arguments)
            raise _Preview(Logged(logged.session, _told(logged.events)))
    except _Preview as preview:
        return preview.logged.events


def attendance_log(**arguments: Any) -> Session:
    """``attendance_record`` (same arguments) for callers that need only the session."""
    return attendance_record(**arguments).session


def _locked_roster(session: Session, roster: Roster | None) -> Roster:
    """The session's roster read under its row's lock: ``roster`` when the
    caller read it after locking the session in this transaction
    (``get_session_for_user(..., for_update=True)``), else read here.
    Raises if it may not be logged now (``_check_loggable``)."""
    if roster is None:
        roster = roster_of(Session.objects.select_for_update().get(pk=session.pk))
    elif not (getattr(roster.session, "locked_for_log", False) and transaction.get_connection().in_atomic_block):
        raise RuntimeError("attendance_record(roster=...) needs the session locked in this transaction")
    _check_loggable(roster.session)
    return roster


def _check_loggable(session: Session) -> None:
    """Refuse a log of ``session`` unless it may be logged now: not
    cancelled, and starting no later than ``LOG_EARLY`` from now."""
    if session.status == Session.Status.CANCELLED:
        raise ValidationError({"__all__": [_("A cancelled session cannot be logged.")]})
    if session.starts_at > timezone.now() + LOG_EARLY:
        raise ValidationError({"__all__": [_("This session has not taken place yet.")]})


def _checked_marks(marks: dict[int, str], expected_ids: set[int]) -> tuple[dict[int, str], dict[str, list]]:
    """The marks given, as (enrolment id → mark, errors): a mark that is not
    one of the four, a person not expected, an expected person not marked."""
    errors: dict[str, list] = {}
    cleaned: dict[int, str] = {}
    unknown = []
    for key, mark in (marks or {}).items():
        try:
            enrolment_id = int(key)
        except (TypeError, ValueError):
            unknown.append(key)
            continue
        if enrolment_id not in expected_ids:
            unknown.append(key)
        elif mark not in Attendance.Mark.values:
            errors[f"marks.{enrolment_id}"] = [_("Choose present, late, excused or unexcused.")]
        else:
            cleaned[enrolment_id] = mark
    if unknown:
        errors["marks"] = [_("Some of the people marked are not expected at this session.")]
    for enrolment_id in expected_ids - set(cleaned):
        errors.setdefault(f"marks.{enrolment_id}", [_("Mark this person's attendance.")])
    return cleaned, errors


def _save_session_log(
    session: Session,
    *,
    by,
    cleaned: dict[int, str],
    topic_covered: str,
    notes: str,
    errors: dict[str, list],
    recorded_in_field_at: dt.datetime | None = None,
) -> None:
    """Write the session's own log (held or not held, the topic, the notes,
    who logged it and when, and when it was recorded in the field), or raise
    ``errors`` with its own added."""
    topic_covered = " ".join((topic_covered or "").split())
    anyone_there = any(m in (Attendance.Mark.PRESENT, Attendance.Mark.LATE) for m in cleaned.values())
    if anyone_there and not topic_covered:
        errors["topic_covered"] = [_("Enter the topic covered.")]
    session.topic_covered = topic_covered if anyone_there else ""
    session.notes = notes or ""
    session.status = Session.Status.HELD if anyone_there else Session.Status.NOT_HELD
    session.logged_by = by
    session.logged_at = timezone.now()
    session.logged_in_field_at = recorded_in_field_at
    validated(
        session,
        errors,
        "",
        exclude=["provider", "group", "enrolment", "facilitator", "co_facilitator", "logged_by"],
    )
    if errors:
        raise ValidationError(errors)
    session.save()


def _attendance_rows(
    session: Session, *, by, cleaned: dict[int, str], by_id: dict[int, Enrolment], confirmed: set[int] | frozenset[int]
) -> list[Attendance]:
    """One unsaved mark per person, flagged when he was told of the session
    at short notice; his unexcused absence then counts only if confirmed."""
    short = {eid for eid in cleaned if scheduling.is_short_notice(session, by_id[eid])}
    confirmed_ids = {int(c) for c in confirmed or () if str(c).isdigit()}
    rows = []
    for eid, mark in cleaned.items():
        is_short = eid in short
        rows.append(
            Attendance(
                session=session,
                enrolment_id=eid,
                mark=mark,
                recorded_by=by,
                short_notice=is_short,
                absence_confirmed=is_short and mark == Attendance.Mark.UNEXCUSED and eid in confirmed_ids,
            )
        )
    return rows


def _save_marks(rows: list[Attendance]) -> None:
    """Save the marks, replacing those of an earlier log of the session."""
    Attendance.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["session", "enrolment"],
        update_fields=["mark", "recorded_by", "recorded_at", "short_notice", "absence_confirmed"],
    )


def _timeline_changed_marks(
    session: Session, *, by, rows: list[Attendance], before: dict[int, tuple[str, bool]], by_id: dict[int, Enrolment]
) -> None:
    """One timeline entry per person whose mark, or whether it counts, changed."""
    session_ = session_params(session)
    timeline_add_many(
        by=by,
        kind=K.ATTENDANCE_RECORDED,
        rows=[
            (
                by_id[row.enrolment_id].case.referral_id,
                {**session_, "mark": row.mark}
                # A short-notice unexcused absence does not count.
                | ({"counted": False} if row.mark == Attendance.Mark.UNEXCUSED and not row.counts_as_absence else {}),
            )
            for row in rows
            if before.get(row.enrolment_id, (None, None))[0] != row.mark
            or before.get(row.enrolment_id, (None, None))[1] != row.counts_as_absence
        ],
    )


def _safety_events(
    session: Session,
    *,
    by,
    newly_counted: list[int],
    by_id: dict[int, Enrolment],
    recorded_in_field_at: dt.datetime | None = None,
) -> list:
    """Tell of each absence that counts now and did not before: the safety
    events recorded, each with its ``enrolment_id``, in order. An absence
    recorded in the field says when (``recorded_in_field_at``)."""
    events = []
    field = {"recorded_in_field_at": recorded_in_field_at} if recorded_in_field_at else {}
    if newly_counted:
        # Non-compliance inside the protection order's window reaches the
        # police in this same transaction (mandatory referrals only).
        for eid in newly_counted:
            for event in emit(ABSENCE_COUNTED, enrolment=by_id[eid], session=session, by=by, **field):
                event.enrolment_id = eid
                events.append(event)
        # The template's dropout rule, checked the moment the absence is
        # logged (the scheduled dropout sweep is the safety net).
        states = progress_for_enrolments([by_id[eid] for eid in newly_counted])
        for eid in newly_counted:
            for event in emit(DROPOUT_RULE_CHECKED, enrolment=by_id[eid], state=states[eid], by=by, **field):
                event.enrolment_id = eid
                events.append(event)
    return events


class AttendanceUnconfirmed(Exception):
    """The log would tell ``told`` (see ``_told``), which the user has not
    confirmed: nothing of it was kept."""

    def __init__(self, told: list[dict]):
        super().__init__()
        self.told = told


@transaction.atomic
def attendance_record(
    *,
    session: Session,
    by,
    marks: dict[int, str],
    topic_covered: str,
    notes: str = "",
    confirmed: set[int] | frozenset[int] = frozenset(),
    recorded_in_field_at: dt.datetime | None = None,
    expect: str | None = None,
    roster: Roster | None = None,
) -> Logged:
    """Log a whole session in one call: every expected person's mark
    (enrolment id → present / late / excused / unexcused), the topic
    covered and the facilitator's notes (encrypted). The session becomes
    "held", or "not held" when nobody was present or late (then no topic
    was covered and none is stored).

    Expected: for an individual session its enrolment; for a group session
    the group's active enrolments in the group by the session's date (see
    ``selectors.expected_and_marks``). A missing mark is an error under
    "marks.<enrolment id>"; ids of people not expected are refused under
    "marks". Submitting again replaces the marks (idempotent). The number of
    queries does not depend on the size of the group.

    Short notice: a person told of the session less than the minimum notice
    before it (``scheduling.is_short_notice``) has the mark flagged; his
    unexcused absence counts towards the dropout rule and non-compliance
    only when his enrolment id is in ``confirmed`` (the practitioner
    confirms he knew of it).

    Recorded in the field: a log made on a practitioner's device without a
    network and sent later (``fieldwork``) gives the time it was recorded
    there (timezone-aware), kept on the session beside ``logged_at`` (when it
    arrived) and told in the safety notices it sets off. Returns the session
    and the safety events recorded. The enrolments marked are announced
    (``ATTENDANCE_LOGGED``) for the figures the apps above keep in this same
    transaction.

    ``expect``: when given, the log is kept only if it tells nobody anything
    or tells exactly what the user was shown and confirmed (the
    ``told_signature`` of it); otherwise ``AttendanceUnconfirmed`` says what
    it would tell, and nothing is kept. The page asks and saves in one pass
    instead of a preview and the same work again.

    ``roster``: the session's ``roster_of``, when the caller locked the
    session in this transaction and read it after (the logging page does, to
    check the form against it): not read a second time."""
    require_clinical(session.provider_id, by)
    roster = _locked_roster(session, roster)
    session, expected, recorded = roster.session, roster.expected, roster.recorded
    expected_ids = {e.pk for e in expected}
    if not expected_ids:
        raise ValidationError({"__all__": [_("Nobody is expected at this session; cancel it instead.")]})
    cleaned, errors = _checked_marks(marks, expected_ids)
    if recorded_in_field_at is not None and timezone.is_naive(recorded_in_field_at):
        raise ValueError("recorded_in_field_at must be timezone-aware")
    _save_session_log(
        session,
        by=by,
        cleaned=cleaned,
        topic_covered=topic_covered,
        notes=notes,
        errors=errors,
        recorded_in_field_at=recorded_in_field_at,
    )
    by_id = {e.pk: e for e in expected}
    rows = _attendance_rows(session, by=by, cleaned=cleaned, by_id=by_id, confirmed=confirmed)
    before = {eid: (row.mark, row.counts_as_absence) for eid, row in recorded.items()}
    _save_marks(rows)
    # Marks of this session only: nobody else's sessions changed.
    emit(ATTENDANCE_LOGGED, session=session, enrolment_ids=sorted(cleaned), by=by)
    _timeline_changed_marks(session, by=by, rows=rows, before=before, by_id=by_id)
    newly_counted = [
        row.enrolment_id for row in rows if row.counts_as_absence and not before.get(row.enrolment_id, (None, False))[1]
    ]
    logged = Logged(
        session,
        _safety_events(
            session, by=by, newly_counted=newly_counted, by_id=by_id, recorded_in_field_at=recorded_in_field_at
        ),
    )
    if expect is not None:
        told = _told(logged.events)
        if told and told_signature(told) != expect:
            raise AttendanceUnconfirmed(told)
    return logged
