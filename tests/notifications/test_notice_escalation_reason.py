"""The notice page says in plain words why a notice went up the chain: at
once because nobody there could be alerted off-line for its urgency, or
because it was not acknowledged in time; to everyone who may see the notice,
and to nobody else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import SafetyEvent
from notifications.services import escalate_overdue
from tests.notifications.conftest import confirm, notice_of, record

E = SafetyEvent.Kind
AT_ONCE = (
    "Escalated at once: when the notice was made, nobody at Sezim Crisis Centre who handles it could be alerted "
    "away from the screen (by SMS, Telegram or email) for {what}, so the next level was alerted without waiting "
    "for the deadline."
)
OVERDUE = "Escalated because it was not acknowledged by the deadline."


@pytest.fixture(autouse=True)
def _deadlines(settings):
    settings.NOTIFY_ACK_HOURS_URGENT = 2
    settings.NOTIFY_ACK_HOURS_ACTION = 24


def url(notice) -> str:
    return reverse("notifications:notice_detail", args=[notice.pk])


def page(client, notice) -> str:
    response = client.get(url(notice))
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


@pytest.mark.parametrize(
    ("kind", "facts", "what"),
    [
        (E.DROPOUT, {"ending": "dropped_out"}, "notices that need action"),
        (E.NEW_VIOLENCE, {}, "urgent notices"),
    ],
)
def test_a_notice_nobody_could_be_alerted_to_says_so(client, login, users, orgs, case_with_service, kind, facts, what):
    notice = notice_of(record(kind, case_with_service, facts=facts), orgs["survivor_service"])
    assert notice.escalated_because == "unreachable"
    login(users["survivor_worker"])
    assert AT_ONCE.format(what=what) in page(client, notice)


def test_the_provider_manager_it_was_escalated_to_sees_why(client, login, users, orgs, case_with_service):
    notice = notice_of(record(E.DROPOUT, case_with_service), orgs["survivor_service"])
    login(users["manager"])  # level 1: the survivor service has no managers of its own here
    assert AT_ONCE.format(what="notices that need action") in page(client, notice)


def test_an_overdue_notice_says_it_was_not_acknowledged_in_time(
    client, login, users, orgs, case_with_service, contacts
):
    confirm(users)
    notice = notice_of(record(E.DROPOUT, case_with_service), orgs["survivor_service"])
    login(users["survivor_worker"])
    content = page(client, notice)
    assert "Escalated" not in content
    escalate_overdue(now=timezone.now() + dt.timedelta(hours=25))
    content = page(client, notice)
    assert OVERDUE in content
    assert "Escalated at once" not in content


def test_an_outsider_gets_404(client, login, users, orgs, case_with_service):
    notice = notice_of(record(E.DROPOUT, case_with_service), orgs["survivor_service"])
    login(users["other_survivor_worker"])
    assert client.get(url(notice)).status_code == 404
