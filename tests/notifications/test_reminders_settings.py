"""Reminder settings: typed, bounded, and scheduled in beat."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.env import envint
from notifications.reminders import RULES


def test_every_rule_is_in_the_beat_schedule_hourly():
    entries = {
        entry["args"][0]: entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "notifications.reminder_sweep"
    }
    assert set(entries) == set(RULES)
    assert {(e["schedule"], e["options"]["expires"]) for e in entries.values()} == {(3600.0, 3000)}


def test_the_reminder_task_takes_a_rule_name_and_is_acks_late():
    from notifications.tasks import reminder_sweep

    assert (reminder_sweep.name, reminder_sweep.acks_late, reminder_sweep.time_limit) == (
        "notifications.reminder_sweep",
        True,
        300,
    )


def test_the_defaults():
    assert (settings.REMIND_PARTICIPANT_FROM_HOUR, settings.REMIND_PARTICIPANT_UNTIL_HOUR) == (9, 20)
    assert (settings.REMIND_UNLOGGED_AFTER_HOURS, settings.REMIND_UNLOGGED_LOOKBACK_DAYS) == (24, 14)
    assert (
        settings.REMIND_RISK_DAYS_SEVERE,
        settings.REMIND_RISK_DAYS_HIGH,
        settings.REMIND_RISK_DAYS_MEDIUM,
        settings.REMIND_RISK_DAYS_LOW,
    ) == (14, 30, 60, 90)


def test_envint_reads_a_bounded_number(monkeypatch):
    monkeypatch.setenv("REMIND_TEST_HOURS", "12")
    assert envint("REMIND_TEST_HOURS", 9, minimum=0, maximum=23) == 12
    monkeypatch.delenv("REMIND_TEST_HOURS")
    assert envint("REMIND_TEST_HOURS", 9, minimum=0, maximum=23) == 9


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("25", "REMIND_TEST_HOURS must be an integer from 0 to 23, got 25."),
        ("-1", "REMIND_TEST_HOURS must be an integer from 0 to 23, got -1."),
        ("nine", "REMIND_TEST_HOURS must be an integer, got 'nine'."),
    ],
)
def test_envint_refuses_a_bad_value_at_start_up(monkeypatch, value, message):
    monkeypatch.setenv("REMIND_TEST_HOURS", value)
    with pytest.raises(ImproperlyConfigured) as exc:
        envint("REMIND_TEST_HOURS", 9, minimum=0, maximum=23)
    assert str(exc.value) == message
