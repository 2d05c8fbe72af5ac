"""Idle sessions end after 30 minutes without a write on every request.

The session row is written at sign-in and when its contents change, and
expires SESSION_MAX_HOURS later; the time of the last request travels in a
signed activity cookie (accounts.middleware.IdleSignOutMiddleware).
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import activity_cookie_value
from tests import factories as f
from tests.accounts.conftest import code_for
from tests.core.test_security import ROOT, _production_env

PAGE = reverse("referrals:police_list")
IDLE = 30 * 60


def _session_row(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def _active(client, *, signed_in_ago: int = 0, idle_for: int = 0) -> None:
    now = int(time.time())
    client.cookies[settings.ACTIVITY_COOKIE_NAME] = activity_cookie_value(
        signed_in_at=now - signed_in_ago, active_at=now - idle_for
    )


def _session_writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if "django_session" in q["sql"] and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))
    ]


def _is_sign_in(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_the_idle_timeout_is_thirty_minutes_and_the_session_lasts_twelve_hours_at_most():
    assert settings.SESSION_IDLE_SECONDS == IDLE
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    assert settings.SESSION_SAVE_EVERY_REQUEST is False


def test_a_signed_in_page_view_does_not_write_the_session(client, users, login):
    login(users["police"])
    client.get(PAGE)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PAGE)
    assert response.status_code == 200
    assert _session_writes(queries.captured_queries) == []


def test_a_page_view_renews_the_activity_cookie(client, users, login):
    login(users["police"])
    _active(client, signed_in_ago=IDLE + 600, idle_for=IDLE - 60)
    response = client.get(PAGE)
    assert response.status_code == 200
    cookie = response.cookies[settings.ACTIVITY_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"
    assert not cookie["max-age"]  # gone when the browser closes, as the session cookie
    # Active within each 30 minutes: still signed in after 40 minutes in all.
    assert client.get(PAGE).status_code == 200


def test_an_idle_session_has_ended(client, users, login):
    login(users["police"])
    key = client.session.session_key
    _active(client, signed_in_ago=IDLE + 60, idle_for=IDLE + 1)
    response = client.get(PAGE)
    assert _is_sign_in(response)
    assert not Session.objects.filter(session_key=key).exists()
    assert response.cookies[settings.ACTIVITY_COOKIE_NAME].value == ""  # deleted
    assert _is_sign_in(client.get(PAGE))


@pytest.mark.parametrize("cookie", [None, "", "1:2", "tampered"])
def test_a_missing_or_tampered_activity_cookie_signs_out(client, users, login, cookie):
    login(users["police"])
    key = client.session.session_key
    if cookie is None:
        del client.cookies[settings.ACTIVITY_COOKIE_NAME]
    elif cookie == "tampered":
        # A cookie of two hours ago, its times moved to now: the signature no longer fits.
        now = int(time.time())
        signature = activity_cookie_value(signed_in_at=now - 7200, active_at=now - 7200).rsplit(":", 1)[1]
        client.cookies[settings.ACTIVITY_COOKIE_NAME] = f"{now}:{now}:{signature}"
    else:
        client.cookies[settings.ACTIVITY_COOKIE_NAME] = cookie
    assert _is_sign_in(client.get(PAGE))
    assert not Session.objects.filter(session_key=key).exists()


def test_a_session_ends_twelve_hours_after_sign_in_however_active(client, users, login):
    login(users["police"])
    _active(client, signed_in_ago=12 * 3600 + 1, idle_for=60)
    assert _is_sign_in(client.get(PAGE))


def test_the_session_row_expires_twelve_hours_after_sign_in(client, users, login):
    login(users["police"])
    expected = timezone.now() + dt.timedelta(hours=12)
    assert abs((_session_row(client).expire_date - expected).total_seconds()) < 10
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    assert _is_sign_in(client.get(PAGE))


def test_signing_in_sets_the_activity_cookie_and_signing_out_deletes_it(client, users):
    user = users["police"]
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": f.PASSWORD, "otp_token": code_for()}
    )
    assert response.status_code == 302
    assert response.cookies[settings.ACTIVITY_COOKIE_NAME].value
    assert client.get(PAGE).status_code == 200
    response = client.post(reverse("accounts:logout"))
    assert response.cookies[settings.ACTIVITY_COOKIE_NAME].value == ""
    assert _is_sign_in(client.get(PAGE))


def test_a_token_request_gets_no_activity_cookie(api, users):
    response = api(users["police"]).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert settings.ACTIVITY_COOKIE_NAME not in response.cookies


def test_production_names_the_activity_cookie_for_https_and_this_host_only():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.ACTIVITY_COOKIE_NAME, settings.SESSION_COOKIE_SECURE)"
    )
    result = subprocess.run(  # noqa: S603 - fixed command, our own interpreter
        [sys.executable, "-c", code], cwd=ROOT, env=_production_env(), capture_output=True, text=True, timeout=120
    )
    assert result.stdout.split() == ["__Host-activity", "True"], result.stderr


def test_a_secure_deployment_sends_the_activity_cookie_secure(client, users, login, settings):
    settings.ACTIVITY_COOKIE_NAME = "__Host-activity"
    settings.SESSION_COOKIE_SECURE = True
    login(users["police"])
    cookie = client.get(PAGE, secure=True).cookies["__Host-activity"]
    assert cookie["secure"] and cookie["httponly"] and cookie["path"] == "/" and not cookie["domain"]
