"""Thin Celery tasks: primitives in, a service call, safe to run twice.

Beat runs the relay every few seconds and the escalation every minute; a
nudge after each recorded event runs the relay at once; and a loop in the
worker process relays from the database even while Redis is away
(``notifications.worker``). The rows are the truth: a lost task only costs
delay.
"""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from notifications import relay, services
from notifications import worker as _worker  # noqa: F401 - the relay loop starts with the worker

TRANSIENT = (OperationalError, InterfaceError)
COMMON = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "ignore_result": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(name="notifications.relay_deliveries", time_limit=90, soft_time_limit=80, **COMMON)
def relay_deliveries(batch: int = 50) -> int:
    # Stops claiming after 60 s; a send has its own timeout (EMAIL_TIMEOUT,
    # SMS_HTTP_TIMEOUT), so the task ends well inside its time limit.
    return relay.relay_deliveries(batch=int(batch), time_budget=60).sent


@shared_task(name="notifications.escalate_overdue", time_limit=120, soft_time_limit=100, **COMMON)
def escalate_overdue() -> int:
    return services.escalate_overdue()


@shared_task(name="notifications.dropout_sweep", time_limit=300, soft_time_limit=280, **COMMON)
def dropout_sweep() -> int:
    return services.dropout_sweep()


@shared_task(name="notifications.order_expiry_sweep", time_limit=300, soft_time_limit=280, **COMMON)
def order_expiry_sweep() -> int:
    return services.order_expiry_sweep()


@shared_task(name="notifications.reminder_sweep", time_limit=300, soft_time_limit=280, **COMMON)
def reminder_sweep(rule: str) -> int:
    """One reminder rule (``notifications.reminders.RULES``), by name."""
    from notifications import reminders

    return reminders.reminder_sweep(str(rule))


@shared_task(name="notifications.heartbeat", time_limit=30, soft_time_limit=20, ignore_result=True)
def heartbeat() -> None:
    """Sent by beat through the broker, run by a worker: a fresh "beat"
    heartbeat proves beat, the broker and the worker's consumer together
    (``/healthz``)."""
    from core.heartbeat import BEAT, heartbeat_record

    heartbeat_record(name=BEAT)


@shared_task(name="notifications.telegram_link_poll", time_limit=60, soft_time_limit=50, **COMMON)
def telegram_link_poll() -> int:
    """Link the Telegram chats that sent "/start <code>" to the bot."""
    from notifications import alerts
    from notifications.channels import ChannelError

    try:
        return alerts.telegram_link_poll()
    except ChannelError as exc:
        # The next poll tries again; the reason never holds the token.
        alerts.logger.warning("Telegram poll failed: %s.", exc.reason)
        return 0
