"""Urgency of a safety event: the kind and its facts decide it, and each
urgency has its own acknowledgement deadline from settings."""

import datetime as dt

import pytest

from notifications.models import SafetyEvent
from notifications.urgency import Urgency, ack_deadline, keeps_quiet_hours, kinds_of, urgency_for

E = SafetyEvent.Kind


@pytest.mark.parametrize(
    ("kind", "facts", "expected"),
    [
        (E.NEW_VIOLENCE, {}, Urgency.URGENT),
        (E.RISK_RAISED, {"from_level": "medium", "to_level": "high"}, Urgency.URGENT),
        (E.RISK_RAISED, {"from_level": "high", "to_level": "severe"}, Urgency.URGENT),
        (E.RISK_RAISED, {"from_level": "low", "to_level": "medium"}, Urgency.ACTION),
        (E.EXPULSION, {"for_violence": True}, Urgency.URGENT),
        (E.EXPULSION, {"for_violence": False}, Urgency.ACTION),
        (E.EXPULSION, {}, Urgency.ACTION),
        (E.DROPOUT, {}, Urgency.ACTION),
        (E.NON_COMPLIANCE, {}, Urgency.ACTION),
        (E.ORDER_EXPIRING, {}, Urgency.ACTION),
        (E.COMPLETION, {}, Urgency.INFORMATION),
    ],
)
def test_it_gives_each_event_its_urgency(kind, facts, expected):
    assert urgency_for(kind, facts) == expected


def test_every_event_kind_has_an_urgency_and_is_listed():
    listed = set(kinds_of(Urgency.URGENT)) | set(kinds_of(Urgency.ACTION)) | set(kinds_of(Urgency.INFORMATION))
    assert listed == set(E.values)
    for kind in E.values:
        assert urgency_for(kind, {}) in Urgency.values


def test_it_rejects_an_unknown_kind():
    with pytest.raises(ValueError, match="Unknown safety event kind"):
        urgency_for("tea_break", {})


def test_deadlines_come_from_settings(settings):
    settings.NOTIFY_ACK_HOURS_URGENT = 3
    settings.NOTIFY_ACK_HOURS_ACTION = 30
    assert ack_deadline(Urgency.URGENT) == dt.timedelta(hours=3)
    assert ack_deadline(Urgency.ACTION) == dt.timedelta(hours=30)
    assert ack_deadline(Urgency.INFORMATION) is None


def test_default_deadlines_are_two_hours_and_a_day():
    from django.conf import settings

    assert settings.NOTIFY_ACK_HOURS_URGENT == 2
    assert settings.NOTIFY_ACK_HOURS_ACTION == 24


def test_only_reminders_keep_quiet_hours():
    assert keeps_quiet_hours(None) is True
    for urgency in Urgency.values:
        assert keeps_quiet_hours(urgency) is False
