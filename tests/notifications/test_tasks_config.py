"""The Celery side of safety notifications: the tasks survive a worker that
dies mid-task (acknowledged late, redelivered when the worker is lost), are
bounded in time, and beat runs the relay every few seconds and the
escalation every minute."""

from __future__ import annotations

import pytest
from django.conf import settings

from config.celery_app import app
from notifications import tasks  # noqa: F401 - registers the tasks

# Registered name → (time_limit, soft_time_limit), as set in notifications/tasks.py.
LIMITS = {
    "notifications.relay_deliveries": (90, 80),
    "notifications.escalate_overdue": (120, 100),
    "notifications.dropout_sweep": (300, 280),
    "notifications.order_expiry_sweep": (300, 280),
}


@pytest.mark.parametrize("name", sorted(LIMITS))
def test_a_task_lost_with_its_worker_runs_again_within_its_time_limit(name):
    task = app.tasks[name]
    assert task.acks_late is True
    assert task.reject_on_worker_lost is True
    assert (task.time_limit, task.soft_time_limit) == LIMITS[name]
    assert task.soft_time_limit < task.time_limit
    assert task.ignore_result is True


def test_the_relay_ends_well_inside_its_soft_time_limit():
    """It stops claiming after 60 s, and a send that started then has its own
    timeout; both together stay under the soft limit."""
    budget = 60
    slowest_send = max(settings.EMAIL_TIMEOUT, settings.SMS_HTTP_TIMEOUT)
    assert budget + slowest_send < app.tasks["notifications.relay_deliveries"].soft_time_limit


BEAT_KEYS = {"notifications-relay", "notifications-escalate", "notifications-order-expiry", "notifications-dropout"}


def test_the_beat_schedule():
    schedule = app.conf.beat_schedule
    entries = {
        key: (entry["task"], entry["schedule"], entry["options"]["expires"])
        for key, entry in schedule.items()
        if key in BEAT_KEYS
    }
    assert entries == {
        "notifications-relay": ("notifications.relay_deliveries", 5.0, 60),
        "notifications-escalate": ("notifications.escalate_overdue", 60.0, 120),
        "notifications-order-expiry": ("notifications.order_expiry_sweep", 3600.0, 3000),
        "notifications-dropout": ("notifications.dropout_sweep", 900.0, 800),
    }
    # Every scheduled task exists under that name (a typo would never run).
    assert {entry["task"] for entry in schedule.values()} <= set(app.tasks)
