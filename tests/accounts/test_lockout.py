"""Five failed sign-ins from the same address lock the account there for 15 minutes."""

from __future__ import annotations

import datetime as dt

from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.accounts.conftest import code_for, other_code

LOGIN = "/accounts/login/"
LOCKED_MESSAGE = "There were too many failed sign-in attempts for this account from this network."


def _post(client, password=f.PASSWORD, code=None, username="police", **extra):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "otp_token": code_for() if code is None else code},
        **extra,
    )


def test_five_wrong_passwords_lock_out_even_the_right_credentials(client, users):
    for _ in range(4):
        assert _post(client, password="not the password").status_code == 200
    fifth = _post(client, password="not the password")
    assert fifth.status_code == 429
    sixth = _post(client)
    assert sixth.status_code == 429
    assert LOCKED_MESSAGE in sixth.content.decode()
    assert "Sign-in is blocked for 15 minutes." in sixth.content.decode()
    assert "templates/accounts/locked_out.html" in sixth.templates[0].origin.name
    assert client.session.get("_auth_user_id") is None


def test_wrong_codes_count_as_failures(client, users):
    for _ in range(5):
        _post(client, code=other_code())
    response = _post(client)
    assert response.status_code == 429
    assert client.session.get("_auth_user_id") is None


def test_the_lockout_is_per_username_and_address(client, users):
    for _ in range(5):
        _post(client, password="not the password")
    # Another user from the same address still gets in.
    assert _post(client, username="psychologist").status_code == 302
    client.logout()
    # The same user from another address too.
    assert _post(client, REMOTE_ADDR="10.1.2.3").status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, users):
    for _ in range(5):
        _post(client, password="not the password")
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    response = _post(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("frontdoor:home")


def test_a_success_resets_the_count(client, users):
    for _ in range(4):
        _post(client, password="not the password")
    assert _post(client).status_code == 302
    client.logout()
    users["police"].totpdevice_set.update(last_t=-1)
    for _ in range(4):
        assert _post(client, password="not the password").status_code == 200
    assert _post(client).status_code == 302


def test_the_attempt_log_does_not_keep_the_password_or_code(client, users):
    _post(client, password="my secret password", code="123456")
    attempt = AccessAttempt.objects.get()
    assert "my secret password" not in attempt.post_data
    assert "123456" not in attempt.post_data


def test_behind_a_proxy_the_lockout_counts_the_real_client(client, users, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(5):
        _post(client, password="not the password", HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)
    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"
    # Someone else behind the same proxy is not locked out with them ...
    assert _post(client, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy).status_code == 302
    client.logout()
    users["police"].totpdevice_set.update(last_t=-1)
    # ... and a forged entry on the left does not get the attacker a fresh count.
    forged = _post(client, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9", **proxy)
    assert forged.status_code == 429


def test_without_proxies_the_forwarded_header_is_ignored(client, users):
    for _ in range(5):
        _post(client, password="not the password", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert AccessAttempt.objects.get().ip_address == "127.0.0.1"
    assert _post(client, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429


def test_many_usernames_from_one_address_are_blocked_at_the_address_limit(client, users, settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8
    for i in range(7):
        assert _post(client, username=f"nobody{i}", password="guess").status_code == 200
    eighth = _post(client, username="nobody7", password="guess")
    assert eighth.status_code == 429
    # Now even a real user with the right password and code is refused there,
    # with the same message as any lockout.
    response = _post(client, username="psychologist")
    assert response.status_code == 429
    assert LOCKED_MESSAGE in response.content.decode()
    assert client.session.get("_auth_user_id") is None
    # Another address is not affected.
    assert _post(client, username="psychologist", REMOTE_ADDR="10.9.9.9").status_code == 302


def test_forty_usernames_from_one_address_are_blocked_with_the_default_limit(client, users, settings):
    statuses = [_post(client, username=f"user{i}", password="guess").status_code for i in range(40)]
    assert statuses.index(429) == settings.AXES_ADDRESS_FAILURE_LIMIT - 1
    assert set(statuses[settings.AXES_ADDRESS_FAILURE_LIMIT - 1 :]) == {429}


def test_one_username_from_many_addresses_is_blocked_at_the_username_limit(client, users, settings):
    settings.AXES_USERNAME_FAILURE_LIMIT = 6
    statuses = [_post(client, password="guess", REMOTE_ADDR=f"10.0.0.{i}").status_code for i in range(1, 7)]
    assert statuses == [200] * 5 + [429]
    response = _post(client, REMOTE_ADDR="10.0.0.99")
    assert response.status_code == 429
    assert LOCKED_MESSAGE in response.content.decode()
    # Other usernames from those addresses still get in.
    assert _post(client, username="psychologist", REMOTE_ADDR="10.0.0.99").status_code == 302
