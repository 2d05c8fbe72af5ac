"""The "My alerts" page, the reach status in the inbox, the reach page, the
administrator's home flag and ``manage.py alert_reach``."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from notifications.models import AlertChannel
from tests import factories as f
from tests.notifications.conftest import confirm

MY = reverse("notifications:my_alerts")


@pytest.fixture
def english(users):
    for user in users.values():
        user.preferred_language = "en"
        user.save(update_fields=["preferred_language"])
    return users


def test_the_page_says_she_will_not_be_alerted_without_a_channel(login, english, client):
    login(english["police"])
    response = client.get(MY)
    assert "You will not be alerted away from the screen" in response.content.decode()
    inbox = client.get(reverse("notifications:inbox")).content.decode()
    assert "You will not be alerted away from the screen" in inbox
    assert MY in inbox


def test_saving_a_number_keeps_it_unconfirmed_and_a_bad_number_is_explained(login, english, client):
    login(english["police"])
    bad = client.post(MY, {"action": "sms", "phone": "12ab", "urgencies": ["urgent"]})
    assert bad.status_code == 400
    page = bad.content.decode()
    assert "Enter a mobile number with its country code" in page
    assert 'value="12ab"' in page  # nothing typed is lost
    good = client.post(MY, {"action": "sms", "phone": "+996 555 123 456", "urgencies": ["urgent", "action"]})
    assert good.status_code == 302
    channel = AlertChannel.objects.get(user=english["police"], kind="sms")
    assert (channel.address, channel.urgencies, channel.confirmed_at) == ("+996555123456", ["urgent", "action"], None)
    assert "not confirmed" in client.get(MY).content.decode()


def test_test_message_and_confirmation_through_the_page(login, english, client, sms_sink):
    login(english["police"])
    client.post(MY, {"action": "sms", "phone": "+996555123456", "urgencies": ["urgent"]})
    channel = AlertChannel.objects.get(user=english["police"], kind="sms")
    url = reverse("notifications:my_alert_channel", args=[channel.pk])
    client.post(url, {"action": "test"})
    code = sms_sink()[-1]["text"].rsplit(" ", 1)[-1]
    wrong = client.post(url, {"action": "confirm", "code": "12"})
    assert wrong.status_code == 400 and "The code has 6 digits." in wrong.content.decode()
    assert client.post(url, {"action": "confirm", "code": code}).status_code == 302
    channel.refresh_from_db()
    assert channel.is_confirmed
    assert "Urgent notices reach you by SMS." in client.get(MY).content.decode()


def test_the_telegram_link_is_shown_with_its_code(login, english, client, settings):
    settings.TELEGRAM_BOT_USERNAME = "casework_bot"
    login(english["police"])
    page = client.post(MY, {"action": "telegram"}).content.decode()
    assert "https://t.me/casework_bot?start=" in page


def test_another_users_channel_is_404(login, english, client):
    theirs = AlertChannel.objects.create(user=english["police2"], kind="sms", address="+996555000003")
    login(english["police"])
    url = reverse("notifications:my_alert_channel", args=[theirs.pk])
    assert client.post(url, {"action": "delete"}).status_code == 404
    assert AlertChannel.objects.filter(pk=theirs.pk).exists()


def test_the_reach_page_flags_an_urgency_nobody_can_be_alerted_for(login, english, client, orgs):
    manager = english["manager"]  # the provider's programme manager handles its notices
    AlertChannel.objects.create(
        user=manager, kind="sms", address="+996555000004", urgencies=["urgent"], confirmed_at=timezone.now()
    )
    login(manager)
    page = client.get(reverse("notifications:reach")).content.decode()
    assert "nobody reachable" in page
    assert 'id="reach-gaps"' in page
    assert "manager" in page


def test_the_admin_home_shows_the_gap_and_not_when_covered(login, english, client, orgs):
    admin = english["provider_admin"]
    login(admin)
    page = client.get(reverse("frontdoor:home")).content.decode()
    assert 'id="reach-gaps"' in page
    confirm({"manager": english["manager"]})
    page = client.get(reverse("frontdoor:home")).content.decode()
    assert 'id="reach-gaps"' not in page


def test_alert_reach_command_text_and_json(english, orgs):
    crisis = f.make_user(orgs["survivor_service"], Role.PROGRAMME_MANAGER, "crisis_boss")
    AlertChannel.objects.create(
        user=crisis, kind="telegram", address="77", urgencies=["urgent"], confirmed_at=timezone.now()
    )
    out = StringIO()
    call_command("alert_reach", "--json", stdout=out)
    data = {o["organisation_id"]: o for o in json.loads(out.getvalue())["organisations"]}
    crisis_org = data[orgs["survivor_service"].pk]
    assert crisis_org["urgencies"]["urgent"]["channels"]["telegram"] == [{"id": crisis.pk, "username": "crisis_boss"}]
    assert crisis_org["urgencies"]["urgent"]["gap"] is False
    assert crisis_org["gaps"] == ["action", "information"]
    assert "new_violence" in crisis_org["urgencies"]["urgent"]["event_kinds"]
    assert orgs["monitoring"].pk not in data  # receives no safety notices
    text = StringIO()
    call_command("alert_reach", stdout=text)
    assert "crisis_boss" in text.getvalue() and "GAP: action, information" in text.getvalue()
