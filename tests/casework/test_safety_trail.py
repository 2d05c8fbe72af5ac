"""The case page's trail of safety notices: for each event the viewer's
organisation was told of, every organisation notified, by which channels
and when, who acknowledged and when, and what was done; the note only for
the organisation that wrote it. Its query count does not grow with the
number of events."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Delivery, SafetyEvent
from notifications.services import notice_acknowledge
from tests.notices import case_deliveries
from tests.notifications.conftest import confirm, notice_of, record

E = SafetyEvent.Kind
T0 = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def contacts(users):
    """Every standing user has a confirmed email; those who handle notices a
    confirmed SMS too (``tests.notifications.conftest.confirm``)."""
    for name, user in users.items():
        user.email = f"{name}@example.org"
        user.save(update_fields=["email"])
    confirm(users)
    return users


def _url(case):
    return reverse("casework:case_detail", args=[case.pk])


def _trail(content: str) -> str:
    start = content.index('id="safety-trail"')
    return content[start : content.index("</section>", start)]


@pytest.fixture
def violence(case_with_service, orgs, users, contacts):
    event = record(E.NEW_VIOLENCE, case_with_service, facts={"reported_on": "2026-03-09"}, now=T0)
    case_deliveries().filter(event=event, channel__in=["email", "sms"]).update(
        status="sent", sent_at=T0 + dt.timedelta(minutes=1)
    )
    notice_acknowledge(
        notice=notice_of(event, orgs["survivor_service"]),
        by=users["survivor_worker"],
        actions=["survivor_called", "safety_plan_reviewed"],
        note="She is at her sister's.",
        now=T0 + dt.timedelta(minutes=30),
    )
    return event


def test_the_survivor_worker_sees_who_was_told_how_and_what_was_done(client, login, users, violence):
    login(users["survivor_worker"])
    trail = _trail(client.get(_url(violence.case)).content.decode())
    assert "New violence reported" in trail
    for organisation in (
        "Sezim Crisis Centre",
        "Bishkek City Police, Pervomaisky district",
        "Bishkek Consultation Room",
    ):
        assert organisation in trail
    assert "Inbox:" in trail and "Email" in trail and "SMS" in trail
    assert "survivor_worker" in trail  # who acknowledged
    assert "<li>Called her</li>" in trail and "<li>Reviewed her safety plan</li>" in trail
    assert "She is at her sister" in trail  # her own organisation's note
    assert "Not yet" in trail  # the police and the provider have not acknowledged
    assert "Urgent" in trail


@pytest.mark.parametrize("role", ["psychologist", "manager", "social_worker"])
def test_programme_staff_see_the_trail_without_the_crisis_centres_note(client, login, users, violence, role):
    login(users[role])
    trail = _trail(client.get(_url(violence.case)).content.decode())
    assert "Sezim Crisis Centre" in trail
    assert "<li>Called her</li>" in trail
    assert "sister" not in trail


def test_an_event_the_viewers_organisation_was_not_told_of_is_not_shown(client, login, users, case_with_service):
    record(E.NON_COMPLIANCE, case_with_service, facts={"missed_on": "2026-03-02"})  # the police only
    for role in ("survivor_worker", "psychologist"):
        login(users[role])
        assert 'id="safety-trail"' not in client.get(_url(case_with_service)).content.decode()


def test_the_old_static_text_is_gone_from_the_case_page(client, login, users, violence):
    login(users["psychologist"])
    assert "must be told" not in client.get(_url(violence.case)).content.decode()


def test_a_new_channel_gets_a_generic_label(client, login, users, violence, orgs):
    notice = notice_of(violence, orgs["survivor_service"])
    Delivery.objects.create(
        notice=notice,
        event=violence,
        user=users["survivor_worker"],
        channel="viber",
        status="sent",
        sent_at=T0,
    )
    login(users["survivor_worker"])
    assert "Other channel (viber):" in _trail(client.get(_url(violence.case)).content.decode())


def test_the_trails_query_count_does_not_grow_with_the_events(client, login, users, case_with_service, contacts):
    login(users["survivor_worker"])
    record(E.NEW_VIOLENCE, case_with_service, key="v0")
    with CaptureQueriesContext(connection) as one:
        client.get(_url(case_with_service))
    for n in range(1, 6):
        record(E.RISK_RAISED, case_with_service, key=f"r{n}", facts={"to_level": "high"})
    with CaptureQueriesContext(connection) as six:
        response = client.get(_url(case_with_service))
    assert len(response.context["safety_trail"]) == 6
    assert len(six) == len(one)
