"""manage.py create_api_token USERNAME [--rotate]."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def run(*args) -> str:
    out = StringIO()
    call_command("create_api_token", *args, stdout=out)
    return out.getvalue()


def test_it_creates_and_prints_only_the_token(users):
    output = run("police")

    token = Token.objects.get(user=users["police"])
    assert output == token.key + "\n"
    assert len(token.key) == 40


def test_it_prints_the_existing_token_again(users):
    first = run("police")

    assert run("police") == first
    assert Token.objects.filter(user=users["police"]).count() == 1


def test_rotate_replaces_the_token(users):
    old = run("police").strip()

    new = run("police", "--rotate").strip()

    assert new != old
    assert Token.objects.get(user=users["police"]).key == new
    assert not Token.objects.filter(key=old).exists()


def test_the_printed_token_works_on_the_api(users):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + run("police").strip())

    assert client.get("/api/v1/providers/").status_code == 200


def test_a_rotated_token_stops_working(users):
    old = run("police").strip()
    run("police", "--rotate")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + old)

    assert client.get("/api/v1/providers/").status_code == 401


@pytest.mark.parametrize("username", ["psychologist", "survivor_worker", "monitoring", "provider_admin"])
def test_it_refuses_users_who_are_not_police_officers(users, username):
    with pytest.raises(CommandError) as exc:
        run(username)

    assert str(exc.value) == (
        f"User '{username}' is not a police officer; API tokens are only for police officers "
        "(a police unit membership with the police officer role)."
    )
    assert not Token.objects.exists()


def test_it_refuses_an_inactive_user(users):
    users["police"].is_active = False
    users["police"].save()

    with pytest.raises(CommandError, match="is inactive"):
        run("police")
    assert not Token.objects.exists()


def test_it_refuses_an_unknown_username(db):
    with pytest.raises(CommandError) as exc:
        run("nobody")

    assert str(exc.value) == "No user named 'nobody'."
