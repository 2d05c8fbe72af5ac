"""Reminders, run by Celery beat: what is coming up or overdue.

Six rules (``RULES``), each a sweep that is safe to run as often as wanted:

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
  provides it) → the enrolment's psychologist;
- ``monitoring_meeting``: a monitoring body's meeting after the programme
  due within REMIND_MONITORING_DAYS_BEFORE days (or overdue) → the body's
  members who monitor (``accounts.permissions.POST_MONITOR_ROLES``).

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

The package is split by subject; every name stays importable from here."""

from .rules import (
    RULES,
    _contact,
    _record,
    _staff_deliveries,
    follow_up_reminders,
    monitoring_meeting_reminders,
    participant_session_reminders,
    reminder_sweep,
    risk_reassessment_reminders,
    safety_plan_review_reminders,
    unlogged_session_reminders,
)
from .selectors import (
    CASE_WORKER_ROLES,
    _follow_ups_due,
    case_psychologists,
    is_settled,
    monitoring_meetings_to_remind,
    next_planned_session,
    participant_deliveries,
    reminder_inbox_for,
    risk_interval_days,
    risk_reassessments_due,
    sms_enabled_for,
    still_due,
    unlogged_sessions,
)
from .services import Outgoing, participant_reminders_set, prepare

__all__ = [
    "CASE_WORKER_ROLES",
    "D",
    "K",
    "Outgoing",
    "RULES",
    "_contact",
    "_follow_ups_due",
    "_record",
    "_staff_deliveries",
    "case_psychologists",
    "follow_up_reminders",
    "is_settled",
    "monitoring_meeting_reminders",
    "monitoring_meetings_to_remind",
    "logger",
    "next_planned_session",
    "participant_deliveries",
    "participant_reminders_set",
    "participant_session_reminders",
    "prepare",
    "reminder_inbox_for",
    "reminder_sweep",
    "risk_interval_days",
    "risk_reassessment_reminders",
    "risk_reassessments_due",
    "safety_plan_review_reminders",
    "sms_enabled_for",
    "still_due",
    "unlogged_session_reminders",
    "unlogged_sessions",
]
