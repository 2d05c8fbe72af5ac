"""The reminder rules Celery beat runs: each finds what is due and records a reminder with its deliveries."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.db import connection, transaction
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from accounts.models import Membership, Role
from casework.models import SafetyPlan
from notifications.models import Delivery, ParticipantReminderSetting, Reminder, StaffContact
from notifications.reminder_texts import participant_language
from programmes.models import Enrolment, Session
from programmes.selectors import expected_by_session, local_midnight

from .selectors import (
    CASE_WORKER_ROLES,
    _active_members,
    _follow_ups_due,
    _iso,
    _staff_of,
    case_psychologists,
    monitoring_meetings_to_remind,
    monitoring_members,
    reminded,
    risk_reassessments_due,
    unlogged_sessions,
)

logger = logging.getLogger(__name__)
K = Reminder.Kind
D = Delivery.Status


def _in_sms_window(local: dt.datetime) -> bool:
    return settings.REMIND_PARTICIPANT_FROM_HOUR <= local.hour < settings.REMIND_PARTICIPANT_UNTIL_HOUR


# --- recording -----------------------------------------------------------------------


def _contact(user) -> StaffContact | None:
    try:
        return user.staff_contact
    except StaffContact.DoesNotExist:
        return None


def _staff_deliveries(reminder: Reminder, users: Iterable, now: dt.datetime) -> list[Delivery]:
    """Each user's inbox row (sent: the row is the message) and, when their
    contact settings allow it, an email. Staff reminders are not urgent:
    no SMS."""
    rows = []
    for user in users:
        common = {"reminder": reminder, "user": user, "language": user.preferred_language, "created_at": now}
        rows.append(Delivery(channel=Delivery.Channel.INBOX, status=D.SENT, sent_at=now, next_attempt_at=now, **common))
        contact = _contact(user)
        if user.email and (contact is None or contact.email_enabled):
            rows.append(Delivery(channel=Delivery.Channel.EMAIL, address=user.email, next_attempt_at=now, **common))
    return rows


def _record(
    *, kind: str, key: str, due_on: dt.date, organisation_id: int, now: dt.datetime, deliveries, **links
) -> Reminder | None:
    """One reminder and its deliveries, in one transaction. None when a
    reminder with this key exists already (recorded by an earlier or a
    concurrent sweep)."""
    with transaction.atomic():
        reminder, created = Reminder.objects.get_or_create(
            dedupe_key=key,
            defaults={"kind": kind, "due_on": due_on, "organisation_id": organisation_id, "created_at": now, **links},
        )
        if not created:
            return None
        Delivery.objects.bulk_create(deliveries(reminder), ignore_conflicts=True)
    return reminder


def _record_many(pending: list[tuple[Reminder, list]], now: dt.datetime, *, batch: int = 500) -> int:
    """Many staff reminders (unsaved, with their users), ``batch`` at a time:
    each batch in one transaction, ``INSERT ... ON CONFLICT (dedupe_key) DO
    NOTHING RETURNING``, then the deliveries of exactly the reminders this
    sweep inserted. A key recorded earlier or by a concurrent sweep is
    skipped, as in ``_record``; a reminder never exists without its
    deliveries. Returns the number recorded."""
    fields = [f for f in Reminder._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    table = connection.ops.quote_name(Reminder._meta.db_table)
    recorded = 0
    for start in range(0, len(pending), batch):
        chunk = pending[start : start + batch]
        by_key = {reminder.dedupe_key: (reminder, users) for reminder, users in chunk}
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        params = [
            f.get_db_prep_save(getattr(reminder, f.attname), connection) for reminder, _u in chunk for f in fields
        ]
        # Names from the model's meta; every value travels as a parameter.
        values = ", ".join([row] * len(chunk))
        sql = f"INSERT INTO {table} ({columns}) VALUES {values} ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, dedupe_key"  # noqa: S608, E501 # nosec B608
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
            deliveries = []
            for pk, key in cursor.fetchall():
                reminder, users = by_key[key]
                reminder.pk = pk
                deliveries += _staff_deliveries(reminder, users, now)
                recorded += 1
            Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    return recorded


# --- rule 1: the participant's session tomorrow -----------------------------------


def _participant_key(session: Session, enrolment: Enrolment) -> str:
    # The planned time is part of the key: a session moved to another time
    # tomorrow is reminded again with the new time (the old SMS, if still
    # waiting, is cancelled by ``prepare``).
    return f"{K.SESSION_TOMORROW}:session:{session.pk}:enrolment:{enrolment.pk}:{session.starts_at:%Y%m%dT%H%M}"


def _planned_sessions_on(day: dt.date) -> list[Session]:
    """The planned sessions of active providers on this local date."""
    return list(
        Session.objects.filter(
            status=Session.Status.PLANNED,
            provider__is_active=True,
            starts_at__gte=local_midnight(day),
            starts_at__lt=local_midnight(day + dt.timedelta(days=1)),
        )
        .select_related("provider")
        .order_by("starts_at", "id")
    )


def _participants_to_remind(sessions: list[Session]) -> Iterator[tuple[Session, Enrolment, str]]:
    """(session, enrolment, reminder key) for each participant expected at
    a session who is still in the programme, has a phone, has not turned
    the SMS off and has no reminder for this session and time yet."""
    expected = expected_by_session(sessions)
    enrolment_ids = {e.pk for people in expected.values() for e in people}
    opted_out = set(
        ParticipantReminderSetting.objects.filter(enrolment_id__in=enrolment_ids, sms_enabled=False).values_list(
            "enrolment_id", flat=True
        )
    )
    existing = set(
        Reminder.objects.filter(kind=K.SESSION_TOMORROW, session__in=[s.pk for s in sessions]).values_list(
            "dedupe_key", flat=True
        )
    )
    for session in sessions:
        for enrolment in expected.get(session.pk, []):
            person = enrolment.case.referral.person
            if enrolment.status != Enrolment.Status.ACTIVE or not person.phone or enrolment.pk in opted_out:
                continue
            key = _participant_key(session, enrolment)
            if key in existing:
                continue
            yield session, enrolment, key


def _record_participant_reminder(
    session: Session, enrolment: Enrolment, key: str, due_on: dt.date, now: dt.datetime
) -> Reminder | None:
    """The reminder of a session with its one SMS, in the participant's
    language."""
    language = participant_language(enrolment.case.referral.person.preferred_language)

    def deliveries(reminder):
        return [
            Delivery(
                reminder=reminder,
                channel=Delivery.Channel.SMS,
                language=language,
                next_attempt_at=now,
                created_at=now,
            )
        ]

    return _record(
        kind=K.SESSION_TOMORROW,
        key=key,
        due_on=due_on,
        organisation_id=session.provider_id,
        now=now,
        deliveries=deliveries,
        session=session,
        enrolment=enrolment,
        case_id=enrolment.case_id,
        facts={"starts_at": session.starts_at.isoformat()},
    )


def participant_session_reminders(*, now: dt.datetime | None = None) -> int:
    """One SMS per (session, participant, planned time) for the planned
    sessions of tomorrow (local date). Outside the SMS hours it records
    nothing: the next hourly run inside them does. Returns the number of
    reminders recorded."""
    if not settings.REMIND_PARTICIPANT_SMS:
        return 0
    now = now or timezone.now()
    local = timezone.localtime(now)
    if not _in_sms_window(local):
        return 0
    tomorrow = local.date() + dt.timedelta(days=1)
    sessions = _planned_sessions_on(tomorrow)
    if not sessions:
        return 0
    recorded = 0
    for session, enrolment, key in _participants_to_remind(sessions):
        reminder = _record_participant_reminder(session, enrolment, key, tomorrow, now)
        recorded += reminder is not None
    return recorded


def unlogged_session_reminders(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    after = dt.timedelta(hours=settings.REMIND_UNLOGGED_AFTER_HOURS)
    sessions = list(unlogged_sessions(now))
    existing = set(
        Reminder.objects.filter(kind=K.UNLOGGED_SESSION, session__in=[s.pk for s in sessions]).values_list(
            "dedupe_key", flat=True
        )
    )
    recorded = 0
    for session in sessions:
        key = f"{K.UNLOGGED_SESSION}:session:{session.pk}:{session.starts_at:%Y%m%dT%H%M}"
        if key in existing:
            continue
        users = _staff_of(
            session.provider_id, [session.facilitator, session.co_facilitator], CASE_WORKER_ROLES
        ) or _active_members(session.provider_id, [Role.PROGRAMME_MANAGER])
        reminder = _record(
            kind=K.UNLOGGED_SESSION,
            key=key,
            due_on=timezone.localtime(session.ends + after).date(),
            organisation_id=session.provider_id,
            now=now,
            deliveries=lambda r, users=users: _staff_deliveries(r, users, now),
            session=session,
            enrolment=session.enrolment,
            case_id=session.enrolment.case_id if session.enrolment_id else None,
            facts={"starts_at": session.starts_at.isoformat()},
        )
        recorded += reminder is not None
    return recorded


def risk_reassessment_reminders(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = list(risk_reassessments_due(today))
    # Those reminded already are left out by the selector's anti-join.
    recorded = 0
    for assessment, due_on in due:
        key = f"{K.RISK_REASSESSMENT}:assessment:{assessment.pk}:{due_on.isoformat()}"
        case = assessment.case
        users = case_psychologists(case)
        reminder = _record(
            kind=K.RISK_REASSESSMENT,
            key=key,
            due_on=due_on,
            organisation_id=case.provider_id,
            now=now,
            deliveries=lambda r, users=users: _staff_deliveries(r, users, now),
            case=case,
            facts={
                "assessment": assessment.pk,
                "level": assessment.level,
                "assessed_on": timezone.localtime(assessment.assessed_at).date().isoformat(),
            },
        )
        recorded += reminder is not None
    return recorded


# --- rule 4: safety-plan review ------------------------------------------------------


def safety_plan_review_reminders(*, now: dt.datetime | None = None) -> int:
    """Plans whose next review date has come. Not limited to open cases: the
    survivor's plan outlives the perpetrator's case."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    plans = (
        SafetyPlan.objects.filter(next_review_on__lte=today, organisation__is_active=True)
        .exclude(
            Exists(
                Reminder.objects.filter(
                    kind=K.SAFETY_PLAN_REVIEW, safety_plan=OuterRef("pk"), due_on=OuterRef("next_review_on")
                )
            )
        )
        .only("pk", "case_id", "organisation_id", "next_review_on")
        .order_by("next_review_on", "id")
    )
    recorded = 0
    for plan in plans:
        users = _active_members(plan.organisation_id, [Role.SURVIVOR_WORKER]) or _active_members(
            plan.organisation_id, [Role.PROGRAMME_MANAGER]
        )
        reminder = _record(
            kind=K.SAFETY_PLAN_REVIEW,
            key=f"{K.SAFETY_PLAN_REVIEW}:plan:{plan.pk}:{plan.next_review_on.isoformat()}",
            due_on=plan.next_review_on,
            organisation_id=plan.organisation_id,
            now=now,
            deliveries=lambda r, users=users: _staff_deliveries(r, users, now),
            case_id=plan.case_id,
            safety_plan_id=plan.pk,
        )
        recorded += reminder is not None
    return recorded


def follow_up_reminders(*, now: dt.datetime | None = None) -> int:
    """Each due follow-up point → the psychologist of its enrolment. Uses
    ``follow_ups_due(on=date)``: follow-up points with ``pk``, ``due_on`` and
    ``enrolment`` (``outcomes.models.FollowUp``)."""
    selector = _follow_ups_due()
    if selector is None:
        return 0
    now = now or timezone.now()
    key = Concat(
        Value(f"{K.FOLLOW_UP}:follow_up:"), Cast(OuterRef("pk"), CharField()), Value(":"), _iso(OuterRef("due_on"))
    )
    points = list(selector(on=timezone.localdate(now)).exclude(reminded(key)))
    psychologists = _qualified_psychologists(points)
    pending = []
    for point in points:
        enrolment = point.enrolment
        # The enrolment's own psychologist when still qualified, as
        # ``case_psychologists`` would choose him first; else its full rule.
        found = psychologists.get((enrolment.psychologist_id, enrolment.case.provider_id))
        users = [found] if found else case_psychologists(enrolment.case, enrolment=enrolment)
        reminder = Reminder(
            kind=K.FOLLOW_UP,
            dedupe_key=f"{K.FOLLOW_UP}:follow_up:{point.pk}:{point.due_on.isoformat()}",
            due_on=point.due_on,
            organisation_id=enrolment.case.provider_id,
            created_at=now,
            case_id=enrolment.case_id,
            enrolment=enrolment,
            facts={"follow_up": point.pk},
        )
        pending.append((reminder, users))
    return _record_many(pending, now)


def _qualified_psychologists(points) -> dict[tuple[int, int], object]:
    """{(user id, provider id): user} of the points' enrolments' psychologists
    who are still active members of the case's provider in a case worker's
    role (``_staff_of``'s rule), in one query."""
    pairs = {(p.enrolment.psychologist_id, p.enrolment.case.provider_id) for p in points if p.enrolment.psychologist_id}
    if not pairs:
        return {}
    members = Membership.objects.filter(
        user_id__in={u for u, _o in pairs},
        organisation_id__in={o for _u, o in pairs},
        role__in=list(CASE_WORKER_ROLES),
        user__is_active=True,
    ).select_related("user", "user__staff_contact")
    return {(m.user_id, m.organisation_id): m.user for m in members if (m.user_id, m.organisation_id) in pairs}


def monitoring_meeting_reminders(*, now: dt.datetime | None = None) -> int:
    """Each monitoring meeting coming due (or overdue) → the members of the
    body named for it who monitor after the programme. The reminder names
    the case number and the date, never the person."""
    now = now or timezone.now()
    meetings = list(monitoring_meetings_to_remind(timezone.localdate(now)))
    keys = {m.pk: f"{K.MONITORING_MEETING}:meeting:{m.pk}:{m.organisation_id}:{m.due_on.isoformat()}" for m in meetings}
    recorded = 0
    for meeting in meetings:
        users = monitoring_members(meeting.organisation_id, meeting.body_kind)
        reminder = _record(
            kind=K.MONITORING_MEETING,
            key=keys[meeting.pk],
            due_on=meeting.due_on,
            organisation_id=meeting.organisation_id,
            now=now,
            deliveries=lambda r, users=users: _staff_deliveries(r, users, now),
            case_id=meeting.enrolment.case_id,
            enrolment=meeting.enrolment,
            facts={"monitoring_meeting": meeting.pk},
        )
        recorded += reminder is not None
    return recorded


RULES: dict[str, Callable[..., int]] = {
    K.SESSION_TOMORROW: participant_session_reminders,
    K.UNLOGGED_SESSION: unlogged_session_reminders,
    K.RISK_REASSESSMENT: risk_reassessment_reminders,
    K.SAFETY_PLAN_REVIEW: safety_plan_review_reminders,
    K.FOLLOW_UP: follow_up_reminders,
    K.MONITORING_MEETING: monitoring_meeting_reminders,
}


def reminder_sweep(rule: str, *, now: dt.datetime | None = None) -> int:
    """Run one rule; nudge the relay when it recorded something."""
    if rule not in RULES:
        raise ValueError(f"Unknown reminder rule {rule!r}")
    recorded = RULES[rule](now=now)
    if recorded:
        from notifications.services import nudge_relay

        logger.info("Reminders (%s): %d recorded.", rule, recorded)
        nudge_relay()
    return recorded
