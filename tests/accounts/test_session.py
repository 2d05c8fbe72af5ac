"""Idle sessions end after 30 minutes; every request starts the 30 minutes again."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone


def _session_row(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_the_idle_timeout_is_thirty_minutes():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_a_request_sets_the_expiry_thirty_minutes_ahead(client, users, login):
    login(users["police"])
    client.get(reverse("referrals:police_list"))
    expiry = _session_row(client).expire_date
    expected = timezone.now() + dt.timedelta(minutes=30)
    assert abs((expiry - expected).total_seconds()) < 10


def test_each_request_renews_the_expiry(client, users, login):
    login(users["police"])
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() + dt.timedelta(minutes=2)
    )
    assert client.get(reverse("referrals:police_list")).status_code == 200
    remaining = _session_row(client).expire_date - timezone.now()
    assert remaining > dt.timedelta(minutes=29)


def test_an_idle_session_has_ended(client, users, login):
    login(users["police"])
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get(reverse("referrals:police_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
