"""Writes for safety notifications: record an event (with its notices and
deliveries, in the caller's transaction), acknowledge a notice, escalate
overdue ones, report new violence, and the protection-order expiry sweep.

Every function that depends on the time takes ``now`` (default: the current
time), so tests drive the clock.

The event API for other apps:
- ``safety_event_record(kind=..., case=..., facts=..., dedupe_key=...)`` inside
  the caller's transaction, for any event;
- ``enrolment_ended_notify(enrolment, by=...)`` when an enrolment ends (programmes);
- ``attendance_missed_notify(enrolment=..., session=...)`` for an unexcused
  absence (programmes);
- ``risk_raised_notify(assessment=..., previous=...)`` (casework);
- ``monitoring_violence_notify(meeting=...)`` when a monitoring body records
  new violence at a meeting after the programme (outcomes);
- ``referral_decided_notify(referral=..., by=...)`` when a provider accepts or
  declines a referral (referrals).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from dataclasses import dataclass
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import DateField, Exists, F, Max, OuterRef, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership
from accounts.scope import Scope
from casework.models import RISK_LEVEL_ORDER, Case, RiskAssessment
from core.submission import known_submission, save_once
from notifications.models import (
    ACTIONS_NEEDING_A_NOTE,
    DECISION_KINDS,
    Delivery,
    Notice,
    SafetyEvent,
    ViolenceReport,
)
from notifications.recipients import (
    DECISION_EVENTS,
    ENDING_EVENTS,
    Recipient,
    decision_recipients,
    ending_key,
    handling_members,
    may_acknowledge,
    recipients_for,
    referral_is_mandatory,
)
from notifications.urgency import Urgency, ack_deadline, urgency_for
from referrals.models import NOTE_MAX_LENGTH, Referral

logger = logging.getLogger(__name__)

E = SafetyEvent.Kind
# Notice.escalated_because: nobody handling it could be alerted off-line.
UNREACHABLE = "unreachable"
ESCALATE_UNREACHABLE = frozenset({"urgent", "action"})

# Facts are non-personal by construction: known keys, and values that are
# numbers, booleans or short lower-case codes (ISO dates, level names).
FACT_KEYS = frozenset(
    {
        "ended_on",
        "ending",
        "mandatory",
        "sessions_attended",
        "sessions_missed",
        "from_level",
        "to_level",
        "assessed_on",
        "reported_on",
        "reported_by",
        "missed_on",
        "session_number",
        "session_kind",
        "order_expires_on",
        "days_left",
        "missed_in_a_row",
        "for_violence",
        "decline_reason",
        # An absence recorded on a device in the field and sent later:
        # when it was recorded there (``field_time``).
        "recorded_in_field_at",
    }
)
FACT_VALUE = re.compile(r"^[a-z0-9_:\-]{0,40}$")


def field_time(moment: dt.datetime | None) -> dict[str, str]:
    """The ``recorded_in_field_at`` fact of an absence recorded on a device in
    the field, as a short code in UTC ("2025-05-01t05:30z"); none for a log
    saved online."""
    if moment is None:
        return {}
    return {"recorded_in_field_at": moment.astimezone(dt.UTC).strftime("%Y-%m-%dt%H:%Mz")}


def field_time_value(code: str) -> dt.datetime | None:
    """The moment a ``recorded_in_field_at`` fact names, or None."""
    try:
        return dt.datetime.strptime(code, "%Y-%m-%dt%H:%Mz").replace(tzinfo=dt.UTC)
    except (TypeError, ValueError):
        return None


# The single action of earlier acknowledgements, as today's codes.
LEGACY_ACTIONS = {"survivor_informed": "survivor_called", "no_action_possible": "no_contact_possible"}


# --- the nudge ---------------------------------------------------------------------

NUDGE_EXPIRES_SECONDS = 120


def nudge_relay() -> str | None:
    """Tell the relay to look now. Never raises and never blocks for long:
    if Redis is down or hanging, the beat relay picks the deliveries up a few
    seconds later. Uses its own connection with short timeouts and no
    retries, so the web request that caused the event is not held up."""
    from notifications.tasks import relay_deliveries

    timeout = settings.NOTIFY_NUDGE_TIMEOUT
    try:
        with current_app.connection_for_write(
            connect_timeout=timeout,
            transport_options={
                "socket_timeout": timeout,
                "socket_connect_timeout": timeout,
                "max_retries": 0,
                "retry_on_timeout": False,
            },
        ) as conn:
            return relay_deliveries.apply_async(connection=conn, retry=False, expires=NUDGE_EXPIRES_SECONDS).id
    except Exception as exc:  # noqa: BLE001 - a nudge must never fail the caller
        logger.warning("Relay nudge not sent (%s); the scheduled relay will send the deliveries.", type(exc).__name__)
        return None


def _schedule_nudge() -> None:
    """One nudge per transaction, however many events it records."""
    pending = getattr(connection, "run_on_commit", None) or []
    if any(entry[1] is nudge_relay for entry in pending if len(entry) > 1):
        return
    transaction.on_commit(nudge_relay, robust=True)


# --- recording an event ------------------------------------------------------------


def _check_facts(facts: dict[str, Any]) -> dict[str, Any]:
    cleaned = {}
    for key, value in (facts or {}).items():
        if key not in FACT_KEYS:
            raise ValueError(f"Unknown safety fact {key!r}")
        if isinstance(value, dt.date):
            value = value.isoformat()
        if not (value is None or isinstance(value, bool | int) or (isinstance(value, str) and FACT_VALUE.match(value))):
            raise ValueError(f"Safety fact {key!r} must be a number, a date or a short code")
        cleaned[key] = value
    return cleaned


def _outgoing(notice: Notice, membership: Membership, level: int, now: dt.datetime) -> list[Delivery]:
    """One row per confirmed off-line channel of this staff member that
    takes notices of this notice's urgency (``notifications.alerts``). All
    go out at once, day and night: only reminders keep the quiet hours."""
    from notifications.alerts import live_channels

    user = membership.user
    urgency = urgency_for(notice.event.kind, notice.event.facts)
    common = {
        "notice": notice,
        "event_id": notice.event_id,
        "user": user,
        "language": user.preferred_language,
        "escalation_level": level,
        "next_attempt_at": now,
        "created_at": now,
    }
    return [Delivery(channel=c.kind, address=c.address, **common) for c in live_channels(user, urgency)]


def _inbox(notice: Notice, now: dt.datetime, *, user=None, level: int = 0) -> Delivery:
    """The inbox needs no sending: the row is the delivery."""
    return Delivery(
        notice=notice,
        event_id=notice.event_id,
        user=user,
        channel=Delivery.Channel.INBOX,
        status=Delivery.Status.SENT,
        sent_at=now,
        next_attempt_at=now,
        created_at=now,
        escalation_level=level,
        language=user.preferred_language if user else settings.LANGUAGE_CODE,
    )


def _new_event(
    *,
    kind: str,
    case: Case | None,
    referral: Referral,
    facts: dict[str, Any],
    dedupe_key: str,
    by,
    occurred_at: dt.datetime | None,
    now: dt.datetime,
) -> SafetyEvent | None:
    """The event row, or None when one with this ``dedupe_key`` exists,
    recorded earlier or at the same moment by another transaction."""
    if SafetyEvent.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    try:
        with transaction.atomic():
            return SafetyEvent.objects.create(
                kind=kind,
                case=case,
                referral=referral,
                occurred_at=occurred_at or now,
                created_at=now,
                created_by=by,
                dedupe_key=dedupe_key,
                facts=facts,
            )
    except IntegrityError:
        # Recorded at the same moment by another transaction.
        if SafetyEvent.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise


def _event_notices(event: SafetyEvent, recipients: list[Recipient], urgency: Urgency, now: dt.datetime) -> list[Notice]:
    """One notice per recipient organisation, due for acknowledgement by
    the urgency's deadline (none for information)."""
    deadline = ack_deadline(urgency)
    due = None if deadline is None else now + deadline
    return Notice.objects.bulk_create(
        [
            Notice(
                event=event,
                organisation=recipient.organisation,
                role_hint=recipient.role_hint,
                no_survivor_service=recipient.no_survivor_service,
                created_at=now,
                urgency=urgency,
                ack_due_at=due,
            )
            for recipient in recipients
        ]
    )


def _notice_deliveries(notices: list[Notice], urgency: Urgency, now: dt.datetime) -> list[Notice]:
    """Each notice's inbox row and the off-line alerts of the people who
    handle it. Returns the notices whose handlers none could be alerted
    off-line, when the urgency asks for that."""
    members = handling_members({n.organisation_id: n.role_hint for n in notices})
    deliveries = []
    unreachable = []
    for notice in notices:
        deliveries.append(_inbox(notice, now))
        outgoing = []
        for membership in members[notice.organisation_id]:
            outgoing.extend(_outgoing(notice, membership, 0, now))
        deliveries.extend(outgoing)
        if not outgoing and urgency in ESCALATE_UNREACHABLE:
            unreachable.append(notice)
    Delivery.objects.bulk_create(deliveries)
    return unreachable


def _escalate_unreachable(notices: list[Notice], now: dt.datetime) -> None:
    for notice in notices:
        # Nobody there can be alerted away from the screen for this
        # urgency: the next level hears of it now, not after the deadline.
        notice.escalated_because = UNREACHABLE
        notice.save(update_fields=["escalated_because"])
        _escalate(notice, 1, now)


def safety_event_record(
    *,
    kind: str,
    case: Case | None,
    facts: dict[str, Any],
    dedupe_key: str,
    by=None,
    occurred_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
    referral: Referral | None = None,
) -> SafetyEvent | None:
    """Record a safety event with its notices and deliveries, in the
    caller's transaction (so the notification exists if and only if the
    change that caused it does). Returns None when an event with this
    ``dedupe_key`` already exists: the same fact never makes two events.
    ``case`` is None only for a decision on a ``referral`` (``DECISION_KINDS``)."""
    if not connection.in_atomic_block:
        raise RuntimeError("safety_event_record must be called inside the transaction of the change it reports")
    if kind not in E.values:
        raise ValueError(f"Unknown safety event kind {kind!r}")
    if (case is None) != (kind in DECISION_KINDS):
        raise ValueError(f"A {kind!r} event is about a case, a decision about a referral")
    if case is not None:
        referral = case.referral
    elif referral is None:
        raise ValueError(f"A {kind!r} event names its referral")
    now = now or timezone.now()
    facts = _check_facts(facts)
    event = _new_event(
        kind=kind,
        case=case,
        referral=referral,
        facts=facts,
        dedupe_key=dedupe_key,
        by=by,
        occurred_at=occurred_at,
        now=now,
    )
    if event is None:
        return None
    urgency = urgency_for(kind, facts)
    recipients = recipients_for(kind, case) if case is not None else decision_recipients(referral)
    notices = _event_notices(event, recipients, urgency, now)
    unreachable = _notice_deliveries(notices, urgency, now)
    _escalate_unreachable(unreachable, now)
    _schedule_nudge()
    logger.info("Safety event #%s (%s) on referral #%s: %d notices.", event.pk, kind, referral.pk, len(notices))
    return event


# --- hooks for the other apps ------------------------------------------------------


def risk_raised_notify(*, assessment: RiskAssessment, previous: str, by=None) -> SafetyEvent | None:
    """A reassessment put the case at a higher level than before."""
    if not previous or RISK_LEVEL_ORDER.get(assessment.level, -1) <= RISK_LEVEL_ORDER.get(previous, -1):
        return None
    return safety_event_record(
        kind=E.RISK_RAISED,
        case=assessment.case,
        facts={"from_level": previous, "to_level": assessment.level, "assessed_on": timezone.localdate()},
        dedupe_key=f"risk_raised:assessment:{assessment.pk}",
        by=by,
    )


def enrolment_ended_notify(enrolment, *, by=None) -> SafetyEvent | None:
    """Call inside the transaction that ended the enrolment (the
    programmes hook ``_on_enrolment_ended``). Dropout and de-selection are a
    dropout, expulsion an expulsion, completion a completion; a transfer to
    another provider is not a safety event. An expulsion says whether it
    was because of new violence (``for_violence``): that one is urgent."""
    kind = ENDING_EVENTS.get(enrolment.status)
    if kind is None:
        return None
    attended = None
    attendance = getattr(enrolment, "attendance", None)
    if attendance is not None:
        attended = attendance.filter(mark__in=["present", "late"]).count()
    facts = {
        "ended_on": enrolment.ended_on or timezone.localdate(),
        "ending": enrolment.status,
        "mandatory": referral_is_mandatory(enrolment.case.referral),
        "sessions_attended": attended,
    }
    if kind == E.EXPULSION:
        facts["for_violence"] = bool(enrolment.for_violence)
    return safety_event_record(
        kind=kind,
        case=enrolment.case,
        facts=facts,
        dedupe_key=ending_key(kind, enrolment.pk),
        by=by,
    )


def dropout_rule_notify(
    *,
    enrolment,
    state=None,
    by=None,
    now: dt.datetime | None = None,
    recorded_in_field_at: dt.datetime | None = None,
) -> SafetyEvent | None:
    """The template's dropout rule (consecutive or total unexcused absences)
    is reached while the person is still enrolled: a dropout event, at once.
    The enrolment stays active (staff may still keep him on voluntarily and
    record the ending later), but the survivor service, the police for a
    mandatory referral and the programme staff hear of it now. The dedupe key
    is the one a later "dropped out" discharge uses, so that discharge does
    not notify a second time. ``state``: the enrolment's ``progress()`` if
    the caller has it. An absence recorded in the field and sent later says
    when it was recorded (``recorded_in_field_at``). Call inside the
    transaction that logged the absence."""
    from programmes.selectors import progress

    if enrolment.status != "active":
        return None
    state = state or progress(enrolment)
    if not state.dropout_rule_hit:
        return None
    return safety_event_record(
        kind=E.DROPOUT,
        case=enrolment.case,
        facts={
            "ending": "dropout_rule",
            "mandatory": referral_is_mandatory(enrolment.case.referral),
            "sessions_attended": state.sessions_attended,
            "sessions_missed": state.unexcused_total,
            "missed_in_a_row": state.unexcused_consecutive,
            **field_time(recorded_in_field_at),
        },
        dedupe_key=ending_key(E.DROPOUT, enrolment.pk),
        by=by,
        now=now,
    )


@dataclass(frozen=True)
class DropoutTally:
    """What ``dropout_rule_notify`` reads of an enrolment's progress, counted
    in SQL by the sweep: the same rule as ``programmes.selectors.Progress``."""

    sessions_attended: int
    unexcused_total: int
    unexcused_consecutive: int
    dropout_consecutive: int | None
    dropout_total: int | None

    @property
    def dropout_rule_hit(self) -> bool:
        return bool(
            (self.dropout_consecutive and self.unexcused_consecutive >= self.dropout_consecutive)
            or (self.dropout_total and self.unexcused_total >= self.dropout_total)
        )


def _dropout_sql() -> str:
    """One statement: the active enrolments over their template's dropout
    rule with no dropout event yet, with their tallies. Only enrolments with
    at least as many counted unexcused absences as the smaller of the two
    limits have their marks read (a run is never longer than the total), and
    the trailing run is the counted unexcused absences after the last
    session attended (an excused or uncounted absence neither counts nor
    ends it), as ``programmes.selectors.progress`` counts it."""
    from programmes.models import Attendance, Enrolment, ProgrammeTemplate, Session

    attendance, session = Attendance._meta.db_table, Session._meta.db_table
    enrolment, template = Enrolment._meta.db_table, ProgrammeTemplate._meta.db_table
    event = SafetyEvent._meta.db_table
    # Table names from the models; every value travels as a parameter.
    return f"""
        WITH counted AS (
            SELECT a.enrolment_id AS id, count(*) AS n
            FROM {attendance} a JOIN {session} s ON s.id = a.session_id
            WHERE a.mark = %(unexcused)s AND (NOT a.short_notice OR a.absence_confirmed)
              AND s.status = ANY(%(logged)s)
            GROUP BY a.enrolment_id
        ), candidates AS (
            SELECT e.id, t.dropout_consecutive, t.dropout_total
            FROM counted c
            JOIN {enrolment} e ON e.id = c.id
            JOIN {template} t ON t.id = e.template_id
            WHERE e.status = %(active)s
              AND c.n >= LEAST(t.dropout_consecutive, t.dropout_total)
              AND NOT EXISTS (
                  SELECT 1 FROM {event} ev
                  WHERE ev.dedupe_key = %(key_prefix)s || e.id::text AND ev.case_id = e.case_id
              )
        ), marks AS (
            SELECT a.enrolment_id AS id,
                   a.mark IN (%(present)s, %(late)s) AS attended,
                   a.mark = %(unexcused)s AND (NOT a.short_notice OR a.absence_confirmed) AS counted,
                   count(*) FILTER (WHERE a.mark IN (%(present)s, %(late)s))
                       OVER (PARTITION BY a.enrolment_id ORDER BY s.starts_at DESC, s.id DESC) AS attended_since
            FROM {attendance} a JOIN {session} s ON s.id = a.session_id
            WHERE a.enrolment_id IN (SELECT id FROM candidates) AND s.status = ANY(%(logged)s)
        ), tallies AS (
            SELECT id,
                   count(*) FILTER (WHERE attended) AS attended,
                   count(*) FILTER (WHERE counted) AS total,
                   count(*) FILTER (WHERE counted AND attended_since = 0) AS run
            FROM marks GROUP BY id
        )
        SELECT c.id, t.attended, t.total, t.run, c.dropout_consecutive, c.dropout_total
        FROM candidates c JOIN tallies t ON t.id = c.id
        WHERE t.run >= c.dropout_consecutive OR t.total >= c.dropout_total
        ORDER BY c.id
    """  # noqa: S608 # nosec B608 - table names from the models' meta; values travel as parameters


def dropout_rule_reached() -> dict[int, DropoutTally]:
    """{enrolment id: tally} of the active enrolments over their template's
    dropout rule that have no dropout event yet. One query."""
    from programmes.models import LOGGED_STATUSES, Attendance, Enrolment

    params: dict[str, Any] = {
        "unexcused": Attendance.Mark.UNEXCUSED,
        "present": Attendance.Mark.PRESENT,
        "late": Attendance.Mark.LATE,
        "logged": [str(status) for status in LOGGED_STATUSES],
        "active": Enrolment.Status.ACTIVE,
        "key_prefix": f"{E.DROPOUT}:enrolment:",
    }
    with connection.cursor() as cursor:
        cursor.execute(_dropout_sql(), params)
        return {
            pk: DropoutTally(attended, total, run, consecutive, most)
            for pk, attended, total, run, consecutive, most in cursor.fetchall()
        }


def dropout_sweep(*, now: dt.datetime | None = None, batch: int = 200) -> int:
    """The scheduled safety net behind ``dropout_rule_notify``: every active
    enrolment over its template's dropout rule (consecutive or total
    unexcused absences) with no dropout event yet gets its event. The rule
    is counted in one SQL statement over the whole register
    (``dropout_rule_reached``); only the enrolments it returns are loaded,
    ``batch`` at a time. Returns the number of events recorded. Each
    enrolment is recorded in its own short transaction, so one bad row
    cannot hold the others back."""
    from programmes.models import Enrolment

    tallies = dropout_rule_reached()
    ids = sorted(tallies)
    recorded = 0
    for start in range(0, len(ids), batch):
        rows = Enrolment.objects.filter(pk__in=ids[start : start + batch]).select_related("case", "case__referral")
        for enrolment in rows.order_by("pk"):
            with transaction.atomic():
                if dropout_rule_notify(enrolment=enrolment, state=tallies[enrolment.pk], now=now):
                    recorded += 1
    return recorded


def attendance_missed_notify(
    *, enrolment, session, by=None, recorded_in_field_at: dt.datetime | None = None
) -> SafetyEvent | None:
    """An unexcused absence: the referring police unit hears of it when the
    referral is mandatory and the protection order was running on that day.
    An absence recorded in the field and sent later says when it was
    recorded (``recorded_in_field_at``). Call inside the transaction that
    logged the absence."""
    referral = enrolment.case.referral
    if not referral_is_mandatory(referral):
        return None
    missed_on = session.local_date
    expires = referral.order_current_expiry
    issued = referral.order_issued_on
    if expires is None or missed_on > expires or (issued and missed_on < issued):
        return None
    return safety_event_record(
        kind=E.NON_COMPLIANCE,
        case=enrolment.case,
        facts={
            "missed_on": missed_on,
            "session_number": session.number,
            "session_kind": session.kind,
            "order_expires_on": expires,
            **field_time(recorded_in_field_at),
        },
        dedupe_key=f"non_compliance:enrolment:{enrolment.pk}:session:{session.pk}",
        by=by,
    )


# --- the provider's decision on a referral -----------------------------------------


def referral_decided_notify(*, referral: Referral, by=None, now: dt.datetime | None = None) -> SafetyEvent | None:
    """The provider accepted or declined a referral: its referring body is
    told, for information (a decline with its reason, as a code; never the
    explanation, the person or the survivors). Once per decision. Nobody is
    told of a self-referral: the provider decided on its own. Call inside
    the transaction that recorded the decision."""
    kind = DECISION_EVENTS.get(referral.status)
    if kind is None or not decision_recipients(referral):
        return None
    facts = {"decline_reason": referral.decline_reason} if kind == E.REFERRAL_DECLINED else {}
    return safety_event_record(
        kind=kind,
        case=None,
        referral=referral,
        facts=facts,
        dedupe_key=f"{kind}:referral:{referral.pk}",
        by=by,
        now=now,
    )


# --- new violence ------------------------------------------------------------------


def _may_report_violence(scope: Scope, case: Case) -> bool:
    if scope.organisation is None:
        return False
    if scope.is_clinical and scope.organisation_id == case.provider_id:
        return True
    if scope.is_police and case.referral.referring_body_id == scope.organisation_id:
        return True
    return scope.is_survivor_worker and case.survivor_services.filter(organisation=scope.organisation).exists()


@transaction.atomic
def new_violence_report(
    *,
    case: Case,
    by,
    reported_on: dt.date | None,
    summary: str,
    submission_key: uuid.UUID | None = None,
    now: dt.datetime | None = None,
) -> ViolenceReport:
    """Someone working on the case reports new violence: the survivor
    service(s) and the police hear of it at once. The summary is encrypted
    and never leaves the report; the notices carry the date only.

    A resend with the same ``submission_key`` (by the same person, on the
    same case) returns the first report: no second event, notice or
    message."""
    scope = Scope.for_user(by)
    if not _may_report_violence(scope, case):
        raise PermissionDenied(_("Only the case's psychologists, social workers, survivor service or police do this."))
    mine = ViolenceReport.objects.filter(case=case, reported_by=by)
    existing, submission_key = known_submission(mine, submission_key)
    if existing is not None:
        return existing
    now = now or timezone.now()
    errors: dict[str, list] = {}
    summary = (summary or "").strip()
    if reported_on is None:
        errors["reported_on"] = [_("Enter the date.")]
    elif reported_on > timezone.localdate(now):
        errors["reported_on"] = [_("This date is in the future.")]
    if not summary:
        errors["summary"] = [_("Describe what happened.")]
    elif len(summary) > NOTE_MAX_LENGTH:
        errors["summary"] = [_("Keep the description under %(n)d characters.") % {"n": NOTE_MAX_LENGTH}]
    if errors:
        raise ValidationError(errors)
    report, created = save_once(
        ViolenceReport(
            case=case,
            reported_by=by,
            organisation=scope.organisation,
            reported_on=reported_on,
            summary=summary,
            created_at=now,
            submission_key=submission_key,
        ),
        mine,
    )
    if not created:
        return report
    safety_event_record(
        kind=E.NEW_VIOLENCE,
        case=case,
        facts={"reported_on": reported_on, "reported_by": scope.kind},
        dedupe_key=f"new_violence:report:{report.pk}",
        by=by,
        now=now,
    )
    return report


def monitoring_violence_notify(*, meeting, by=None) -> SafetyEvent | None:
    """A monitoring body recorded, at a meeting after the programme, that new
    violence was reported: the same "new violence" event as a report on the
    case (who reported it is the body's kind; never its note). Once per
    meeting. Call inside the transaction that recorded the meeting."""
    return safety_event_record(
        kind=E.NEW_VIOLENCE,
        case=meeting.enrolment.case,
        facts={"reported_on": meeting.met_on, "reported_by": meeting.body_kind},
        dedupe_key=f"new_violence:monitoring:{meeting.pk}",
        by=by,
    )


# --- acknowledgement and escalation ------------------------------------------------


@transaction.atomic
def notice_acknowledge(
    *,
    notice: Notice,
    by,
    actions: list[str] | tuple[str, ...] = (),
    note: str = "",
    action: str = "",
    now: dt.datetime | None = None,
) -> Notice:
    """A member of the recipient organisation records what was done: one or
    more action codes that fit the recipient (``Notice.action_choices``),
    and a note (required for "no contact possible" and "other").
    ``action``: one code, as earlier callers passed it."""
    scope = Scope.for_user(by)
    if not may_acknowledge(scope, notice):
        raise PermissionDenied(_("Only the organisation this notice is for can acknowledge it."))
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.status == Notice.Status.ACKNOWLEDGED:
        raise ValidationError({"__all__": [_("This notice has already been acknowledged.")]})
    codes = list(dict.fromkeys([*(actions or ()), *([action] if action else [])]))
    codes = [LEGACY_ACTIONS.get(code, code) for code in codes]
    allowed = {code for code, _label in notice.action_choices()}
    errors: dict[str, list] = {}
    note = (note or "").strip()
    if not codes:
        errors["actions"] = [_("Choose what was done.")]
    elif unknown := [code for code in codes if code not in Notice.Action.values]:
        errors["actions"] = [_("Unknown action: %(codes)s.") % {"codes": ", ".join(unknown)}]
    elif wrong := [code for code in codes if code not in allowed]:
        errors["actions"] = [
            _("Not an action for this notice: %(actions)s.")
            % {"actions": ", ".join(str(Notice.Action(code).label) for code in wrong)}
        ]
    elif ACTIONS_NEEDING_A_NOTE.intersection(codes) and not note:
        errors["note"] = [_("Say why there was no contact, or what was done.")]
    if len(note) > 2000:
        errors["note"] = [_("Keep the note under 2000 characters.")]
    if errors:
        raise ValidationError(errors)
    # In the order the recipient is offered them.
    order = {code: i for i, (code, _label) in enumerate(notice.action_choices())}
    notice.status = Notice.Status.ACKNOWLEDGED
    notice.acknowledged_by = by
    notice.acknowledged_at = now or timezone.now()
    notice.actions = sorted(codes, key=order.__getitem__)
    notice.ack_note = note
    notice.save(update_fields=["status", "acknowledged_by", "acknowledged_at", "actions", "ack_note"])
    logger.info("Notice #%s acknowledged (%s).", notice.pk, ",".join(notice.actions))
    return notice


def _every_channel(membership: Membership, rows: list[Delivery], notice: Notice, level: int, now) -> list[Delivery]:
    """An urgent escalation goes by every confirmed channel the person can be
    reached on, whether or not she chose it for notices of this urgency."""
    from notifications.alerts import live_channels

    user = membership.user
    have = {row.channel for row in rows}
    common = {
        "notice": notice,
        "event_id": notice.event_id,
        "user": user,
        "language": user.preferred_language,
        "escalation_level": level,
        "next_attempt_at": now,
        "created_at": now,
    }
    return [Delivery(channel=c.kind, address=c.address, **common) for c in live_channels(user) if c.kind not in have]


def escalation_deliveries(
    notice: Notice, level: int, now: dt.datetime, *, channels=("inbox", "email", "sms", "telegram")
):
    """Deliveries to the people a notice escalates to at ``level`` (see
    ``recipients.escalation_members``). Already existing ones are skipped.
    An urgent notice escalates by inbox, email and SMS at once, to everyone
    who has an address or a phone."""
    from notifications.recipients import escalation_members

    rows = []
    for membership in escalation_members(notice, level):
        if "inbox" in channels:
            rows.append(_inbox(notice, now, user=membership.user, level=level))
        outgoing = _outgoing(notice, membership, level, now)
        if notice.urgency == Urgency.URGENT:
            outgoing += _every_channel(membership, outgoing, notice, level, now)
        rows.extend(d for d in outgoing if d.channel in channels)
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    return rows


def _escalate(notice: Notice, level: int, now: dt.datetime) -> None:
    notice.escalation_level = level
    notice.escalated_at = now
    notice.save(update_fields=["escalation_level", "escalated_at"])
    escalation_deliveries(notice, level, now)
    logger.info("Notice #%s (%s) escalated to level %d.", notice.pk, notice.urgency, level)


def _escalation_due(now: dt.datetime) -> Q:
    """Open notices whose next level is due: level 1 at the deadline, level
    n at n times the urgency's deadline after the notice. Information
    notices have no deadline and never match."""
    due = Q(escalation_level=0, ack_due_at__lte=now)
    for urgency in (Urgency.URGENT, Urgency.ACTION):
        period = ack_deadline(urgency)
        due |= Q(urgency=urgency, escalation_level=1, ack_due_at__lte=now - period)
    return due


def escalate_overdue(*, now: dt.datetime | None = None, batch: int = 200) -> int:
    """Open notices not acknowledged in time, on their urgency's deadline
    (``notifications.urgency.ack_deadline``): level 1 (the organisation's
    managers) at the deadline, level 2 (the case provider's programme
    managers) at twice the deadline: 2 h and 4 h for an urgent notice, 24 h
    and 48 h for one that asks for action. Safe to run concurrently and
    often."""
    now = now or timezone.now()
    count = 0
    while True:
        with transaction.atomic():
            notices = list(
                Notice.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(_escalation_due(now), status=Notice.Status.OPEN, ack_due_at__isnull=False)
                .select_related("event", "event__case")
                .order_by("ack_due_at", "id")[:batch]
            )
            for notice in notices:
                period = ack_deadline(notice.urgency) or dt.timedelta(hours=settings.NOTIFY_ACK_HOURS_ACTION)
                # A relay that was down for days escalates through every level.
                target = 2 if now >= notice.ack_due_at + period else 1
                for level in range(notice.escalation_level + 1, target + 1):
                    _escalate(notice, level, now)
            if notices:
                _schedule_nudge()
        count += len(notices)
        if len(notices) < batch:
            return count


# --- protection order expiry -------------------------------------------------------


def referrals_with_expiring_orders(today: dt.date, days: int):
    """Referrals with an open case, an unfinished programme and a protection
    order (as extended) that expires between today and ``days`` from now."""
    from programmes.models import Enrolment

    completed = Enrolment.objects.filter(case__referral=OuterRef("pk"), status=Enrolment.Status.COMPLETED)
    return (
        Referral.objects.filter(case__isnull=False, case__status=Case.Status.OPEN, order_expires_on__isnull=False)
        .exclude(status__in=[Referral.Status.COMPLETED, Referral.Status.DECLINED])
        .annotate(
            current_expiry=Greatest(
                F("order_expires_on"),
                Coalesce(Max("order_extensions__new_expiry"), F("order_expires_on"), output_field=DateField()),
            )
        )
        .filter(current_expiry__gte=today, current_expiry__lte=today + dt.timedelta(days=days))
        .exclude(Exists(completed))
        .select_related("case")
        .order_by("current_expiry", "id")
    )


def order_expiry_sweep(today: dt.date | None = None, *, now: dt.datetime | None = None) -> int:
    """Warn the police unit and the provider when a protection order
    expires within NOTIFY_ORDER_EXPIRY_DAYS while the programme is
    unfinished. Idempotent: one event per referral and expiry date, so it
    can run as often as wanted; an extension (a new date) warns again."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    created = 0
    for referral in referrals_with_expiring_orders(today, settings.NOTIFY_ORDER_EXPIRY_DAYS):
        expiry = referral.current_expiry
        with transaction.atomic():
            event = safety_event_record(
                kind=E.ORDER_EXPIRING,
                case=referral.case,
                facts={"order_expires_on": expiry, "days_left": (expiry - today).days},
                dedupe_key=f"order_expiring:referral:{referral.pk}:{expiry.isoformat()}",
                now=now,
            )
        created += event is not None
    return created
