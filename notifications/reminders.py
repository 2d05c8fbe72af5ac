"""Reminders, run by Celery beat: what is coming up or overdue.

Five rules (``RULES``), each a sweep that is safe to run as often as wanted:

- ``session_tomorrow``: a participant with a phone, actively enrolled, not
  opted out, gets one SMS the day before each planned session, between
  REMIND_PARTICIPANT_FROM_HOUR and REMIND_PARTICIPANT_UNTIL_HOUR local time
  (settings.TIME_ZONE, the zone the session pages show and take times in);
- ``unlogged_session``: a planned session that ended more than
  REMIND_UNLOGGED_AFTER_HOURS ago with no attendance logged → its
  facilitator and co-facilitator (looking back REMIND_UNLOGGED_LOOKBACK_DAYS);
- ``risk_reassessment``: the latest risk assessment of an open case is older
  than the interval for its level (REMIND_RISK_DAYS_*) → the case's
  psychologist;
- ``safety_plan_review``: a safety plan's next review date is reached → the
  survivor-service workers of the plan's organisation;
- ``follow_up``: ``outcomes.selectors.follow_ups_due`` (when that app
  provides it) → the enrolment's psychologist.

The database is the truth. A sweep writes a ``Reminder`` (unique
``dedupe_key`` per thing and due date) and its ``Delivery`` rows in one
transaction: a staff member's inbox row (sent on creation: the row is the
message) and an email when their contact settings allow it; for a
participant an SMS row without a user, whose number is read when it is
sent. The relay (``notifications.relay``) sends them like safety
deliveries, with the same claim, backoff and give-up, but a reminder that
gives up does not escalate, and just before sending ``prepare`` checks that
it is still due (a cancelled or moved session, an ended enrolment, an
opt-out, a reassessment done meanwhile → the delivery is "cancelled").

Recipients are resolved when the reminder is recorded. A sweep that runs
twice records nothing new; a new due date (a plan reviewed and given a new
date, a new assessment, a session moved) is a new reminder.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import DateTimeField, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Role
from accounts.scope import Scope
from casework.models import Case, RiskAssessment, SafetyPlan
from notifications.models import Delivery, ParticipantReminderSetting, Reminder, StaffContact
from notifications.reminder_texts import participant_language, participant_sms, staff_email
from programmes.models import Attendance, Enrolment, Session
from programmes.selectors import expected_by_session, local_midnight

logger = logging.getLogger(__name__)

K = Reminder.Kind
D = Delivery.Status


# --- settings ------------------------------------------------------------------------


def risk_interval_days(level: str) -> int | None:
    """Days after an assessment at ``level`` when the next one is due."""
    return {
        "low": settings.REMIND_RISK_DAYS_LOW,
        "medium": settings.REMIND_RISK_DAYS_MEDIUM,
        "high": settings.REMIND_RISK_DAYS_HIGH,
        "severe": settings.REMIND_RISK_DAYS_SEVERE,
    }.get(level)


def _in_sms_window(local: dt.datetime) -> bool:
    return settings.REMIND_PARTICIPANT_FROM_HOUR <= local.hour < settings.REMIND_PARTICIPANT_UNTIL_HOUR


def _at_local(day: dt.date, hour: int) -> dt.datetime:
    return local_midnight(day) + dt.timedelta(hours=hour)


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


def _active_members(organisation_id: int, roles: Iterable[str]):
    return [
        m.user
        for m in Membership.objects.filter(
            organisation_id=organisation_id, role__in=list(roles), user__is_active=True, organisation__is_active=True
        )
        .select_related("user", "user__staff_contact")
        .order_by("user_id")
    ]


def _staff_of(organisation_id: int, candidates: Iterable, roles: Iterable[str]) -> list:
    """Those of ``candidates`` (users or None, in order, duplicates allowed)
    who are still active members of the organisation in one of ``roles``."""
    ids = [u.pk for u in candidates if u is not None]
    members = {
        m.user_id: m.user
        for m in Membership.objects.filter(
            user_id__in=ids, organisation_id=organisation_id, role__in=list(roles), user__is_active=True
        ).select_related("user", "user__staff_contact")
    }
    chosen: dict[int, object] = {}
    for user_id in ids:
        if user_id in members:
            chosen.setdefault(user_id, members[user_id])
    return list(chosen.values())


CASE_WORKER_ROLES = (Role.PSYCHOLOGIST, Role.SOCIAL_WORKER, Role.PROGRAMME_MANAGER)


def case_psychologists(case: Case, *, enrolment: Enrolment | None = None) -> list:
    """Who is responsible for a case's risk and follow-up: the psychologist
    of ``enrolment`` (or of the case's active enrolment, else its latest),
    else whoever made the latest risk assessment, while they still work for
    the provider; otherwise the provider's programme managers."""
    candidates = []
    if enrolment is not None:
        candidates.append(enrolment.psychologist)
    latest = (
        Enrolment.objects.filter(case=case, provider=case.provider_id)
        .select_related("psychologist")
        .order_by(
            # The active enrolment first, then the most recent one.
            F("ended_on").desc(nulls_first=True),
            "-starts_on",
            "-id",
        )
        .first()
    )
    if latest is not None:
        candidates.append(latest.psychologist)
    assessment = RiskAssessment.objects.filter(case=case).select_related("assessed_by").order_by("-assessed_at", "-id")
    first = assessment.first()
    if first is not None:
        candidates.append(first.assessed_by)
    found = _staff_of(case.provider_id, candidates, CASE_WORKER_ROLES)
    return found[:1] or _active_members(case.provider_id, [Role.PROGRAMME_MANAGER])


# --- rule 1: the participant's session tomorrow -----------------------------------


def _participant_key(session: Session, enrolment: Enrolment) -> str:
    # The planned time is part of the key: a session moved to another time
    # tomorrow is reminded again with the new time (the old SMS, if still
    # waiting, is cancelled by ``prepare``).
    return f"{K.SESSION_TOMORROW}:session:{session.pk}:enrolment:{enrolment.pk}:{session.starts_at:%Y%m%dT%H%M}"


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
    sessions = list(
        Session.objects.filter(
            status=Session.Status.PLANNED,
            provider__is_active=True,
            starts_at__gte=local_midnight(tomorrow),
            starts_at__lt=local_midnight(tomorrow + dt.timedelta(days=1)),
        )
        .select_related("provider")
        .order_by("starts_at", "id")
    )
    if not sessions:
        return 0
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
    recorded = 0
    for session in sessions:
        for enrolment in expected.get(session.pk, []):
            person = enrolment.case.referral.person
            if enrolment.status != Enrolment.Status.ACTIVE or not person.phone or enrolment.pk in opted_out:
                continue
            key = _participant_key(session, enrolment)
            if key in existing:
                continue
            language = participant_language(person.preferred_language)

            def deliveries(reminder, language=language):
                return [
                    Delivery(
                        reminder=reminder,
                        channel=Delivery.Channel.SMS,
                        language=language,
                        next_attempt_at=now,
                        created_at=now,
                    )
                ]

            reminder = _record(
                kind=K.SESSION_TOMORROW,
                key=key,
                due_on=tomorrow,
                organisation_id=session.provider_id,
                now=now,
                deliveries=deliveries,
                session=session,
                enrolment=enrolment,
                case_id=enrolment.case_id,
                facts={"starts_at": session.starts_at.isoformat()},
            )
            recorded += reminder is not None
    return recorded


# --- rule 2: unlogged sessions -----------------------------------------------------


def _ends_at() -> ExpressionWrapper:
    minutes = ExpressionWrapper(F("duration_minutes") * Value(dt.timedelta(minutes=1)), output_field=DurationField())
    return ExpressionWrapper(F("starts_at") + minutes, output_field=DateTimeField())


def unlogged_sessions(now: dt.datetime):
    """Planned sessions that ended more than REMIND_UNLOGGED_AFTER_HOURS ago
    with no attendance logged, and became so within the last
    REMIND_UNLOGGED_LOOKBACK_DAYS."""
    cutoff = now - dt.timedelta(hours=settings.REMIND_UNLOGGED_AFTER_HOURS)
    oldest = cutoff - dt.timedelta(days=settings.REMIND_UNLOGGED_LOOKBACK_DAYS)
    return (
        Session.objects.filter(status=Session.Status.PLANNED, provider__is_active=True)
        .filter(starts_at__lt=cutoff, starts_at__gte=oldest - dt.timedelta(days=1))
        .annotate(ends=_ends_at())
        .filter(ends__lt=cutoff, ends__gte=oldest)
        .exclude(Exists(Attendance.objects.filter(session=OuterRef("pk"))))
        .select_related("facilitator", "co_facilitator", "enrolment")
        .order_by("starts_at", "id")
    )


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


# --- rule 3: risk reassessment ---------------------------------------------------------


def _latest_assessment_id() -> Subquery:
    return Subquery(
        RiskAssessment.objects.filter(case=OuterRef("case")).order_by("-assessed_at", "-id").values("pk")[:1]
    )


def risk_reassessments_due(today: dt.date):
    """(assessment, due date) for the latest assessment of each open case
    whose interval (by its level) has run out by ``today``."""
    shortest = min(risk_interval_days(level) for level in ("low", "medium", "high", "severe"))
    latest = (
        RiskAssessment.objects.filter(
            case__status=Case.Status.OPEN,
            case__provider__is_active=True,
            assessed_at__lt=local_midnight(today - dt.timedelta(days=shortest) + dt.timedelta(days=1)),
        )
        .filter(pk=_latest_assessment_id())
        .select_related("case")
        .order_by("assessed_at", "id")
    )
    for assessment in latest:
        days = risk_interval_days(assessment.level)
        if days is None:
            continue
        due = timezone.localtime(assessment.assessed_at).date() + dt.timedelta(days=days)
        if due <= today:
            yield assessment, due


def risk_reassessment_reminders(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = list(risk_reassessments_due(today))
    keys = {a.pk: f"{K.RISK_REASSESSMENT}:assessment:{a.pk}:{d.isoformat()}" for a, d in due}
    existing = set(Reminder.objects.filter(dedupe_key__in=keys.values()).values_list("dedupe_key", flat=True))
    recorded = 0
    for assessment, due_on in due:
        key = keys[assessment.pk]
        if key in existing:
            continue
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


# --- rule 5: follow-ups (outcomes) ---------------------------------------------------


def _follow_ups_due() -> Callable | None:
    """``outcomes.selectors.follow_ups_due`` if the outcomes app provides it
    (it is being built alongside); None until then."""
    try:
        from outcomes.selectors import follow_ups_due
    except ImportError as exc:
        # Only "no such module" or "no such function": an import error
        # deeper inside outcomes is a bug and is raised.
        if exc.name not in {"outcomes", "outcomes.selectors"}:
            raise
        return None
    return follow_ups_due


def follow_up_reminders(*, now: dt.datetime | None = None) -> int:
    """Each due follow-up point → the psychologist of its enrolment. Uses
    ``follow_ups_due(on=date)``: follow-up points with ``pk``, ``due_on`` and
    ``enrolment`` (``outcomes.models.FollowUp``)."""
    selector = _follow_ups_due()
    if selector is None:
        return 0
    now = now or timezone.now()
    points = list(selector(on=timezone.localdate(now)))
    keys = {p.pk: f"{K.FOLLOW_UP}:follow_up:{p.pk}:{p.due_on.isoformat()}" for p in points}
    existing = set(Reminder.objects.filter(dedupe_key__in=keys.values()).values_list("dedupe_key", flat=True))
    recorded = 0
    for point in points:
        if keys[point.pk] in existing:
            continue
        enrolment = point.enrolment
        users = case_psychologists(enrolment.case, enrolment=enrolment)
        reminder = _record(
            kind=K.FOLLOW_UP,
            key=keys[point.pk],
            due_on=point.due_on,
            organisation_id=enrolment.case.provider_id,
            now=now,
            deliveries=lambda r, users=users: _staff_deliveries(r, users, now),
            case_id=enrolment.case_id,
            enrolment=enrolment,
            facts={"follow_up": point.pk},
        )
        recorded += reminder is not None
    return recorded


RULES: dict[str, Callable[..., int]] = {
    K.SESSION_TOMORROW: participant_session_reminders,
    K.UNLOGGED_SESSION: unlogged_session_reminders,
    K.RISK_REASSESSMENT: risk_reassessment_reminders,
    K.SAFETY_PLAN_REVIEW: safety_plan_review_reminders,
    K.FOLLOW_UP: follow_up_reminders,
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


# --- just before sending (called by the relay) ----------------------------------------


@dataclass(frozen=True)
class Outgoing:
    """What the relay does with a reminder delivery: send ``body`` (and
    ``subject``) to ``to``; or cancel it (``cancel``: a short reason code,
    kept in ``last_error``); or put it back until ``defer_until``."""

    to: str = ""
    subject: str = ""
    body: str = ""
    cancel: str = ""
    defer_until: dt.datetime | None = None

    @property
    def held(self) -> bool:
        return bool(self.cancel or self.defer_until)


def _participant_outgoing(reminder: Reminder, delivery: Delivery, now: dt.datetime) -> Outgoing:
    session = reminder.session
    enrolment = reminder.enrolment
    if session is None or enrolment is None:
        return Outgoing(cancel="gone")
    if session.status != Session.Status.PLANNED:
        return Outgoing(cancel=f"session_{session.status}")
    if session.starts_at.isoformat() != (reminder.facts or {}).get("starts_at"):
        return Outgoing(cancel="rescheduled")
    if enrolment.status != Enrolment.Status.ACTIVE:
        return Outgoing(cancel="not_active")
    if ParticipantReminderSetting.objects.filter(enrolment=enrolment, sms_enabled=False).exists():
        return Outgoing(cancel="opted_out")
    if not settings.REMIND_PARTICIPANT_SMS:
        return Outgoing(cancel="switched_off")
    person = enrolment.case.referral.person
    if not person.phone:
        return Outgoing(cancel="no_phone")
    local = timezone.localtime(now)
    day_before = session.local_date - dt.timedelta(days=1)
    if local.date() > day_before or (
        local.date() == day_before and local.hour >= settings.REMIND_PARTICIPANT_UNTIL_HOUR
    ):
        return Outgoing(cancel="too_late")
    if local.date() < day_before or local.hour < settings.REMIND_PARTICIPANT_FROM_HOUR:
        return Outgoing(defer_until=_at_local(day_before, settings.REMIND_PARTICIPANT_FROM_HOUR))
    body = participant_sms(
        language=delivery.language, starts_at=session.starts_at, place=session.location, provider=session.provider.name
    )
    return Outgoing(to=person.phone.as_e164, body=body)


def still_due(reminder: Reminder) -> bool:
    """Whether a staff reminder still asks for something (read fresh)."""
    if reminder.kind == K.UNLOGGED_SESSION:
        return (
            reminder.session_id is not None
            and Session.objects.filter(pk=reminder.session_id, status=Session.Status.PLANNED).exists()
        )
    if reminder.kind == K.RISK_REASSESSMENT:
        latest = RiskAssessment.objects.filter(case_id=reminder.case_id).order_by("-assessed_at", "-id").first()
        return (
            latest is not None
            and latest.pk == (reminder.facts or {}).get("assessment")
            and Case.objects.filter(pk=reminder.case_id, status=Case.Status.OPEN).exists()
        )
    if reminder.kind == K.SAFETY_PLAN_REVIEW:
        return SafetyPlan.objects.filter(pk=reminder.safety_plan_id, next_review_on=reminder.due_on).exists()
    if reminder.kind == K.FOLLOW_UP:
        return _follow_up_still_due(reminder)
    return True


def _follow_up_still_due(reminder: Reminder) -> bool:
    from django.apps import apps

    try:
        model = apps.get_model("outcomes", "FollowUp")
    except LookupError:
        return True
    point = model.objects.filter(pk=(reminder.facts or {}).get("follow_up")).first()
    if point is None:
        return False
    status = getattr(point, "status", None)
    return status in (None, "due") and point.due_on == reminder.due_on


def prepare(delivery: Delivery, now: dt.datetime) -> Outgoing:
    """Read the reminder behind ``delivery`` and say what to do with it."""
    reminder = (
        Reminder.objects.select_related(
            "session", "session__provider", "enrolment", "enrolment__case__referral__person"
        )
        .filter(pk=delivery.reminder_id)
        .first()
    )
    if reminder is None:
        return Outgoing(cancel="gone")
    if reminder.kind == K.SESSION_TOMORROW:
        return _participant_outgoing(reminder, delivery, now)
    if not still_due(reminder):
        return Outgoing(cancel="done")
    subject, body = staff_email(reminder, language=delivery.language)
    return Outgoing(to=delivery.address, subject=subject, body=body)


# --- the participant's setting (a page on the enrolment) ------------------------------


def sms_enabled_for(enrolment: Enrolment) -> bool:
    setting = ParticipantReminderSetting.objects.filter(enrolment=enrolment).first()
    return True if setting is None else setting.sms_enabled


@transaction.atomic
def participant_reminders_set(
    *, enrolment: Enrolment, enabled: bool, by, now: dt.datetime | None = None
) -> ParticipantReminderSetting:
    """Turn a participant's SMS reminders on or off (the participant asked,
    or staff judge the phone unsafe to write to). Provider staff of the
    enrolment's provider, while the enrolment is active."""
    scope = Scope.for_user(by)
    if not (scope.is_provider_staff and scope.organisation_id == enrolment.provider_id):
        raise PermissionDenied(_("Only the programme staff of this provider can change reminders."))
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status != Enrolment.Status.ACTIVE:
        raise ValidationError({"__all__": [_("This enrolment has ended; no reminders are sent.")]})
    setting = ParticipantReminderSetting.objects.select_for_update().filter(enrolment=enrolment).first()
    if setting is None:
        setting = ParticipantReminderSetting(enrolment=enrolment, changed_by=by)
    setting.sms_enabled = bool(enabled)
    setting.changed_by = by
    setting.changed_at = now or timezone.now()
    setting.full_clean(exclude=["enrolment", "changed_by"])
    setting.save()
    logger.info("SMS reminders of enrolment #%s turned %s.", enrolment.pk, "on" if setting.sms_enabled else "off")
    return setting


# --- reads -----------------------------------------------------------------------------


def reminder_inbox_for(scope: Scope):
    """The user's own reminders (their inbox rows), newest first."""
    if scope.organisation is None or scope.user_id is None:
        return Delivery.objects.none()
    return (
        Delivery.objects.filter(user_id=scope.user_id, channel=Delivery.Channel.INBOX, reminder__isnull=False)
        .select_related("reminder", "reminder__session", "reminder__session__group", "reminder__safety_plan")
        .annotate(
            latest_assessment=Subquery(
                RiskAssessment.objects.filter(case=OuterRef("reminder__case"))
                .order_by("-assessed_at", "-id")
                .values("pk")[:1]
            )
        )
        .order_by("-created_at", "-id")
    )


def is_settled(reminder: Reminder, latest_assessment: int | None = None) -> bool:
    """Done since it was sent (from what the list has loaded: no query)."""
    if reminder.kind == K.UNLOGGED_SESSION:
        return reminder.session is None or reminder.session.status != Session.Status.PLANNED
    if reminder.kind == K.RISK_REASSESSMENT:
        return latest_assessment != (reminder.facts or {}).get("assessment")
    if reminder.kind == K.SAFETY_PLAN_REVIEW:
        return reminder.safety_plan is None or reminder.safety_plan.next_review_on != reminder.due_on
    return False


def participant_deliveries(enrolment: Enrolment, limit: int = 10):
    return (
        Delivery.objects.filter(reminder__kind=K.SESSION_TOMORROW, reminder__enrolment=enrolment)
        .select_related("reminder", "reminder__session")
        .order_by("-created_at", "-id")[:limit]
    )


def next_planned_session(enrolment: Enrolment, now: dt.datetime | None = None) -> Session | None:
    match = Q(enrolment=enrolment)
    if enrolment.group_id and enrolment.group_from:
        match |= Q(group_id=enrolment.group_id, starts_at__gte=local_midnight(enrolment.group_from))
    return (
        Session.objects.filter(match, status=Session.Status.PLANNED, starts_at__gte=now or timezone.now())
        .select_related("provider")
        .order_by("starts_at", "id")
        .first()
    )
