"""Applying an entry from the field: one session's log, recorded on a
device without a network, sent later, applied exactly once.

``field_entry_apply`` is the only write. It applies the log through
``programmes.services.attendance_record``, the service of the online roster
save (the same validation, the same dropout and non-compliance rules, the
same notices, the note encrypted on the session), giving it the time the
log was recorded on the device. Before that it compares the session as the
device knew it (its time, place and last log) with the session now; when
they differ it applies nothing and answers with the conflicts, the server's
state beside hers, for the practitioner to choose. Choosing is sending the
entry again under a new key with the server's state as its base.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from accounts.permissions import require_clinical
from accounts.scope import Scope
from fieldwork.models import FieldEntry
from programmes.models import LOGGED_STATUSES, Enrolment, Session
from programmes.selectors import expected_by_session, get_session_for_user
from programmes.services import attendance_record

# A device clock a little ahead of the server's is not an error.
CLOCK_SKEW = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class Base:
    """The session as the device knew it when the entry was made: its start,
    its place and when it was last logged (None: not logged)."""

    starts_at: dt.datetime
    location: str
    logged_at: dt.datetime | None


@dataclass(frozen=True)
class Entry:
    """One session's log from the field (already parsed, see ``forms``)."""

    key: uuid.UUID
    session_id: int
    recorded_at: dt.datetime
    base: Base
    marks: dict[int, str]
    topic_covered: str = ""
    notes: str = ""
    confirmed: frozenset[int] = field(default_factory=frozenset)

    def digest(self) -> str:
        """A keyed hash of what was sent (never stored in clear: the note is in it)."""
        content = {
            "session": self.session_id,
            "recorded_at": self.recorded_at.isoformat(),
            "base": [self.base.starts_at.isoformat(), self.base.location, _iso(self.base.logged_at)],
            "marks": {str(k): v for k, v in sorted(self.marks.items())},
            "topic": self.topic_covered,
            "notes": self.notes,
            "confirmed": sorted(self.confirmed),
        }
        return salted_hmac("fieldwork.entry", json.dumps(content, sort_keys=True), algorithm="sha256").hexdigest()


@dataclass(frozen=True)
class Applied:
    entry: FieldEntry
    # The key was seen before: this is the first answer, nothing changed now.
    replayed: bool = False
    # ... and what was sent this time differs from what was sent then.
    differs: bool = False


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _check_recorded_at(recorded_at: dt.datetime, now: dt.datetime) -> None:
    if timezone.is_naive(recorded_at):
        raise ValidationError({"recorded_at": [_("Give the time with its time zone.")]})
    if recorded_at > now + CLOCK_SKEW:
        raise ValidationError({"recorded_at": [_("This time is in the future: check the date and time of the phone.")]})
    if recorded_at < now - dt.timedelta(days=settings.FIELD_ENTRY_DAYS):
        raise ValidationError(
            {
                "recorded_at": [
                    _("Entries older than %(days)d days are not accepted: enter this session on its roster.")
                    % {"days": settings.FIELD_ENTRY_DAYS}
                ]
            }
        )


# --- conflicts -------------------------------------------------------------------


def _roster_conflicts(session: Session, marks: dict[int, str]) -> list[dict[str, Any]]:
    """Marked people no longer expected (the enrolment ended, or he left the
    group) and people now expected whom the device did not have."""
    expected = expected_by_session([session])[session.pk]
    expected_ids = {e.pk for e in expected}
    marked = set(marks)
    if marked == expected_ids:
        return []
    conflicts: list[dict[str, Any]] = []
    gone = marked - expected_ids
    ended = {
        e.pk: e
        for e in Enrolment.objects.filter(pk__in=gone, provider_id=session.provider_id).exclude(
            status=Enrolment.Status.ACTIVE
        )
    }
    for eid in sorted(ended):
        enrolment = ended[eid]
        conflicts.append(
            {
                "code": "enrolment_ended",
                "enrolment": eid,
                "status": enrolment.status,
                "ended_on": enrolment.ended_on.isoformat() if enrolment.ended_on else None,
            }
        )
    if gone - set(ended) or expected_ids - marked:
        conflicts.append({"code": "roster_changed"})
    # The roster now, so that she can mark it again.
    for conflict in conflicts:
        conflict["roster"] = [e.pk for e in expected]
    return conflicts


def _conflicts(session: Session, entry: Entry, by) -> list[dict[str, Any]]:
    """How the session now differs from the device's base (see the module's
    docstring); [] when the entry may be applied."""
    if session.status == Session.Status.CANCELLED:
        return [{"code": "session_cancelled", "status": session.status}]
    conflicts: list[dict[str, Any]] = []
    if session.starts_at != entry.base.starts_at or session.location != entry.base.location:
        conflicts.append(
            {
                "code": "session_moved",
                "starts_at": _iso(session.starts_at),
                "location": session.location,
            }
        )
    if session.status in LOGGED_STATUSES and session.logged_at != entry.base.logged_at:
        marks = dict(session.attendance.values_list("enrolment_id", "mark"))
        conflicts.append(
            {
                "code": "already_logged",
                "by_you": session.logged_by_id == by.pk,
                "logged_by": session.logged_by_id,
                "logged_at": _iso(session.logged_at),
                "status": session.status,
                "marks": {str(k): v for k, v in sorted(marks.items())},
                "topic_covered": session.topic_covered,
            }
        )
    return conflicts + _roster_conflicts(session, entry.marks)


# --- the write -------------------------------------------------------------------


def _events(events: list) -> list[dict[str, Any]]:
    return [
        {
            "kind": event.kind,
            "enrolment": event.enrolment_id,
            "organisations": [n.organisation.name for n in event.notices.select_related("organisation").order_by("pk")],
        }
        for event in events
    ]


def _session_state(session: Session) -> dict[str, Any]:
    return {"id": session.pk, "status": session.status, "logged_at": _iso(session.logged_at)}


@transaction.atomic
def field_entry_apply(*, entry: Entry, by, now: dt.datetime | None = None) -> Applied:
    """Apply ``entry`` for ``by`` (a psychologist or social worker of the
    session's provider), once.

    - The key was seen (this user's): the first answer, nothing changed.
    - The session is not one ``by`` may see: ``Http404``, nothing stored.
    - It changed since the device's base (cancelled, moved, logged by
      someone, the roster changed because an enrolment ended): a
      ``CONFLICT`` row with the conflicts, nothing applied.
    - Otherwise the log goes through ``attendance_record`` with the time
      it was recorded on the device, and an ``APPLIED`` row with the
      session's state and the safety notices it set off.

    A ``ValidationError`` (a bad time, a missing mark or topic) rolls
    everything back: nothing is stored, and the corrected entry may come
    again. Two requests with the same key at once: the second waits for the
    first to commit and gets its answer."""
    now = now or timezone.now()
    earlier = FieldEntry.objects.filter(user=by, key=entry.key).first()
    if earlier is not None:
        return Applied(earlier, replayed=True, differs=earlier.digest != entry.digest())
    _check_recorded_at(entry.recorded_at, now)
    session = get_session_for_user(Scope.for_user(by), entry.session_id)
    require_clinical(session.provider_id, by)
    row = FieldEntry(
        user=by,
        provider_id=session.provider_id,
        key=entry.key,
        session=session,
        recorded_at=entry.recorded_at,
        received_at=now,
        digest=entry.digest(),
    )
    try:
        with transaction.atomic():
            # The claim: a second request with this key waits here for this
            # transaction, then finds the row.
            FieldEntry.objects.bulk_create([row])
    except IntegrityError:
        first = FieldEntry.objects.get(user=by, key=entry.key)
        return Applied(first, replayed=True, differs=first.digest != row.digest)
    session = Session.objects.select_for_update().get(pk=session.pk)
    conflicts = _conflicts(session, entry, by)
    if conflicts:
        row.outcome = FieldEntry.Outcome.CONFLICT
        row.result = {"session": _session_state(session), "conflicts": conflicts, "events": []}
    else:
        logged = attendance_record(
            session=session,
            by=by,
            marks=entry.marks,
            topic_covered=entry.topic_covered,
            notes=entry.notes,
            confirmed=entry.confirmed,
            recorded_in_field_at=entry.recorded_at,
        )
        row.outcome = FieldEntry.Outcome.APPLIED
        row.result = {"session": _session_state(logged.session), "conflicts": [], "events": _events(logged.events)}
    row.full_clean(validate_unique=False, validate_constraints=False)
    row.save(update_fields=["outcome", "result"])
    return Applied(row)
