"""Who and what a reminder is due for: the reads the reminder rules are built on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db.models import Case as Case_
from django.db.models import (
    CharField,
    DateField,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat, TruncDate
from django.utils import timezone

from accounts.models import Membership, Role
from accounts.permissions import POST_MONITOR_ROLES
from accounts.scope import Scope
from casework.models import Case, RiskAssessment, SafetyPlan
from notifications.models import Delivery, ParticipantReminderSetting, Reminder
from outcomes.models import MonitoringMeeting
from programmes.models import Attendance, Enrolment, Session
from programmes.selectors import local_midnight

K = Reminder.Kind

# --- settings ------------------------------------------------------------------------


def risk_interval_days(level: str) -> int | None:
    """Days after an assessment at ``level`` when the next one is due."""
    return {
        "low": settings.REMIND_RISK_DAYS_LOW,
        "medium": settings.REMIND_RISK_DAYS_MEDIUM,
        "high": settings.REMIND_RISK_DAYS_HIGH,
        "severe": settings.REMIND_RISK_DAYS_SEVERE,
    }.get(level)


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


# --- rule 3: risk reassessment ---------------------------------------------------------


def _latest_assessment_id() -> Subquery:
    return Subquery(
        RiskAssessment.objects.filter(case=OuterRef("case")).order_by("-assessed_at", "-id").values("pk")[:1]
    )


def _iso(date_expression) -> Func:
    """SQL: a date as the ISO text the reminder keys hold (``date.isoformat()``)."""
    return Func(date_expression, Value("YYYY-MM-DD"), function="to_char", output_field=CharField())


def reminded(key) -> Exists:
    """The rows whose reminder (``key``: the dedupe key as an SQL expression
    of ``OuterRef``s) is recorded already; ``.exclude(reminded(key))`` is an
    anti-join on the unique key, so a steady-state sweep never loads what it
    reminded before."""
    return Exists(Reminder.objects.filter(dedupe_key=key))


def _risk_due_on():
    """SQL: the assessment's local date plus its level's interval, as ``risk_interval_days``."""
    days = Case_(
        *[When(level=level, then=Value(risk_interval_days(level))) for level in ("low", "medium", "high", "severe")],
        default=Value(None),
        output_field=IntegerField(),
    )
    return Func(
        TruncDate("assessed_at"),
        days,
        template="(%(expressions)s)",
        arg_joiner=" + ",
        output_field=DateField(),
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
        .annotate(reminder_due_on=_risk_due_on())
        .filter(reminder_due_on__lte=today)
        .exclude(
            reminded(
                Concat(
                    Value(f"{K.RISK_REASSESSMENT}:assessment:"),
                    Cast(OuterRef("pk"), CharField()),
                    Value(":"),
                    _iso(OuterRef("reminder_due_on")),
                )
            )
        )
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


# --- rule 6: monitoring meetings after the programme (outcomes) -------------------------


def monitoring_meetings_to_remind(today: dt.date):
    """Meetings of active monitoring bodies still due on or before
    ``today`` + REMIND_MONITORING_DAYS_BEFORE (the body has time to arrange
    them), oldest first. Overdue ones are included: they are missed until
    recorded, and one reminder per meeting and due date is all they get."""
    return (
        MonitoringMeeting.objects.filter(
            status=MonitoringMeeting.Status.DUE,
            organisation__is_active=True,
            due_on__lte=today + dt.timedelta(days=settings.REMIND_MONITORING_DAYS_BEFORE),
        )
        .exclude(
            reminded(
                Concat(
                    Value(f"{K.MONITORING_MEETING}:meeting:"),
                    Cast(OuterRef("pk"), CharField()),
                    Value(":"),
                    Cast(OuterRef("organisation_id"), CharField()),
                    Value(":"),
                    _iso(OuterRef("due_on")),
                )
            )
        )
        .select_related("enrolment")
        .defer("note")
        .order_by("due_on", "id")
    )


def monitoring_members(organisation_id: int, body_kind: str) -> list:
    """The members of a monitoring body who monitor after the programme."""
    return _active_members(organisation_id, POST_MONITOR_ROLES.get(body_kind, frozenset()))


def _monitoring_still_due(reminder: Reminder) -> bool:
    meeting_id = (reminder.facts or {}).get("monitoring_meeting")
    if not isinstance(meeting_id, int):
        return False
    return MonitoringMeeting.objects.filter(
        pk=meeting_id,
        status=MonitoringMeeting.Status.DUE,
        organisation_id=reminder.organisation_id,
        due_on=reminder.due_on,
    ).exists()


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
    if reminder.kind == K.MONITORING_MEETING:
        return _monitoring_still_due(reminder)
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


# --- the participant's setting (a page on the enrolment) ------------------------------


def sms_enabled_for(enrolment: Enrolment) -> bool:
    setting = ParticipantReminderSetting.objects.filter(enrolment=enrolment).first()
    return True if setting is None else setting.sms_enabled


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
