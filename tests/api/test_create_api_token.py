"""manage.py create_api_token: hashed tokens, shown once, with an expiry and a name."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tokens import digest


def run(*args) -> str:
    out = StringIO()
    call_command("create_api_token", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def _client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + token)
    return client


def test_it_prints_only_the_token_and_stores_only_its_hash(users):
    output = run("police")
    token = output.strip()
    assert output == token + "\n"
    assert len(token) >= 40
    row = ApiToken.objects.get(user=users["police"])
    assert row.digest == digest(token)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        assert token not in str(cursor.fetchall())


def test_each_run_makes_a_new_token_and_revokes_the_old_one_of_that_name(users):
    old = run("police").strip()
    new = run("police").strip()
    assert new != old
    assert _client(old).get("/api/v1/providers/").status_code == 401
    assert _client(new).get("/api/v1/providers/").status_code == 200
    assert run("police", "--rotate").strip() != new


def test_the_printed_token_works_on_the_api(users):
    assert _client(run("police").strip()).get("/api/v1/providers/").status_code == 200


def test_it_expires_after_the_configured_days(users, settings):
    settings.API_TOKEN_DAYS = 90
    token = run("police").strip()
    row = ApiToken.objects.get(user=users["police"])
    assert row.expires_at - row.created_at == pytest.approx(dt.timedelta(days=90), abs=dt.timedelta(seconds=5))
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = _client(token).get("/api/v1/providers/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_days_can_be_chosen(users):
    run("police", "--days", "7")
    row = ApiToken.objects.get(user=users["police"])
    assert row.expires_at - row.created_at == pytest.approx(dt.timedelta(days=7), abs=dt.timedelta(seconds=5))


def test_tokens_are_listed_and_revoked_by_name(users):
    first = run("police", "--name", "pis-main").strip()
    second = run("police", "--name", "pis-backup").strip()
    listing = run("police", "--list")
    assert [line.split("\t")[0] for line in listing.splitlines()] == ["pis-backup", "pis-main"]
    assert first not in listing and second not in listing
    run("police", "--revoke", "pis-main")
    assert _client(first).get("/api/v1/providers/").status_code == 401
    assert _client(second).get("/api/v1/providers/").status_code == 200
    assert [line.split("\t")[0] for line in run("police", "--list").splitlines()] == ["pis-backup"]
    with pytest.raises(CommandError, match="no live token named"):
        run("police", "--revoke", "pis-main")


def test_it_refuses_a_user_without_a_confirmed_authenticator(users):
    TOTPDevice.objects.filter(user=users["police"]).update(confirmed=False)
    with pytest.raises(CommandError, match="has no confirmed authenticator"):
        run("police")
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("username", ["provider_admin", "probation_officer", "facility_officer"])
def test_it_refuses_users_whose_role_has_no_use_for_the_api(users, username):
    with pytest.raises(CommandError) as exc:
        run(username)

    assert str(exc.value) == (
        f"User '{username}' has no role with a use for the API; API tokens are only for the referring "
        "bodies' officers, monitoring viewers, the social-development department's monitoring officers "
        "and a programme provider's staff."
    )
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "username",
    [
        "police",
        "psychologist",
        "social_worker",
        "manager",
        "monitoring",
        "monitoring_officer",
        "judge",
        "court_clerk",
        "child_protection",
        "social_officer",
        "ministry_officer",
        "survivor_worker",
    ],
)
def test_it_makes_tokens_for_every_role_with_a_use_for_the_api(users, username):
    run(username)
    assert ApiToken.objects.get().user == users[username]


def test_it_refuses_an_inactive_user(users):
    users["police"].is_active = False
    users["police"].save()

    with pytest.raises(CommandError, match="is inactive"):
        run("police")
    assert not ApiToken.objects.exists()


def test_a_token_of_a_user_made_inactive_stops_working(users):
    token = run("police").strip()
    users["police"].is_active = False
    users["police"].save()
    assert _client(token).get("/api/v1/providers/").status_code == 401


def test_the_admin_lists_tokens_by_name_and_never_shows_a_key(client, login, users, orgs):
    from django.urls import reverse

    from tests import factories as f

    root = f.make_user(orgs["provider"], "org_admin", "root")
    root.is_staff = root.is_superuser = True
    root.save()
    token = run("police", "--name", "pis-main").strip()
    row = ApiToken.objects.get()
    login(root)
    page = client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()
    assert "pis-main" in page
    assert token not in page and row.digest not in page
    detail = client.get(reverse("admin:accounts_apitoken_change", args=[row.pk])).content.decode()
    assert token not in detail and row.digest not in detail
    response = client.post(
        reverse("admin:accounts_apitoken_changelist"), {"action": "revoke", "_selected_action": [row.pk]}
    )
    assert response.status_code == 302
    assert _client(token).get("/api/v1/providers/").status_code == 401
    row.refresh_from_db()
    assert row.revoked_by == root
