"""An authenticator app is enrolled only with a single-use, expiring code
issued by an administrator; the password alone never reaches a secret.
Enrolments and resets are audited and told to the user."""

from __future__ import annotations

import datetime as dt
import io
from binascii import unhexlify

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import EnrolmentCode, Role, SealedTOTPDevice, TwoFactorEvent
from accounts.services import device_key_hex
from tests import factories as f
from tests.accounts.conftest import code_for

LOGIN = "/accounts/login/"
SETUP = "/accounts/two-factor/setup/"
INVALID = "This enrolment code is not valid: it may be mistyped, used already or expired."


@pytest.fixture
def newcomer(orgs):
    user = f.make_user(orgs["provider"], Role.PSYCHOLOGIST, "newcomer", totp=False)
    user.email = "newcomer@example.org"
    user.save()
    return user


@pytest.fixture
def superuser(orgs):
    user = f.make_user(orgs["provider"], Role.ORG_ADMIN, "root")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def _password_login(client, username="newcomer"):
    return client.post(LOGIN, {"username": username, "password": f.PASSWORD, "otp_token": ""})


def _no_secret(response) -> None:
    content = response.content.decode() if hasattr(response, "content") else ""
    assert "otpauth" not in content
    assert "totp-secret" not in content
    assert "data:image/svg+xml" not in content
    assert "secret" not in (response.context or {})


def test_the_password_alone_never_reaches_a_secret(client, newcomer):
    response = _password_login(client)
    assert response["Location"] == SETUP
    for response in (
        client.get(SETUP),
        client.post(SETUP, {"otp_token": "123456"}),
        client.get(reverse("frontdoor:home"), follow=True),
    ):
        _no_secret(response)
    page = client.get(SETUP)
    assert "enrolment code" in page.content.decode().lower()
    assert not TOTPDevice.objects.filter(user=newcomer).exists()
    # Nothing else in the site is open to the session either.
    assert client.get(reverse("casework:case_list"))["Location"].startswith(SETUP)


def test_the_code_from_the_administrator_opens_the_setup_and_enrols(
    client, newcomer, django_capture_on_commit_callbacks, settings
):
    settings.LANGUAGE_CODE = "ru"  # the site's language, as in production
    with django_capture_on_commit_callbacks(execute=True):
        code = services.enrolment_code_issue(user=newcomer, actor=None)
    _password_login(client)
    response = client.post(SETUP, {"enrolment_code": code.lower().replace("-", " ")})
    assert response["Location"] == SETUP
    page = client.get(SETUP)
    assert "otpauth" not in page.content.decode()  # the QR is an image
    device = SealedTOTPDevice.objects.get(user=newcomer)
    assert page.context["secret"].replace(" ", "")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SETUP, {"otp_token": f"{totp(unhexlify(device_key_hex(device))):06d}"})
    assert response.status_code == 302
    assert client.session[DEVICE_ID_SESSION_KEY] == SealedTOTPDevice.objects.get(user=newcomer).persistent_id
    assert list(TwoFactorEvent.objects.filter(user=newcomer).order_by("created_at").values_list("kind", flat=True)) == [
        "code_issued",
        "enrolled",
    ]
    assert [m.to for m in mail.outbox] == [["newcomer@example.org"], ["newcomer@example.org"]]
    # In the account's language: the site's (Russian) until the user picks one.
    assert "подключено приложение-аутентификатор" in mail.outbox[1].body
    assert code not in mail.outbox[0].body
    assert EnrolmentCode.objects.get(user=newcomer).used_at is not None


def test_only_the_hash_of_the_code_is_stored(newcomer):
    code = services.enrolment_code_issue(user=newcomer, actor=None)
    row = EnrolmentCode.objects.get(user=newcomer)
    assert code not in row.code_hash and services.normalise_enrolment_code(code) not in row.code_hash
    assert len(row.code_hash) == 64


def test_a_code_works_once(client, newcomer):
    code = services.enrolment_code_issue(user=newcomer, actor=None)
    _password_login(client)
    assert client.post(SETUP, {"enrolment_code": code})["Location"] == SETUP
    other = Client()
    _password_login(other)
    response = other.post(SETUP, {"enrolment_code": code})
    assert response.status_code == 200
    assert INVALID in response.content.decode()
    assert response.context["form"]["enrolment_code"].value() in (None, "")
    _no_secret(response)


def test_an_expired_code_is_refused(client, newcomer):
    code = services.enrolment_code_issue(user=newcomer, actor=None)
    EnrolmentCode.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    _password_login(client)
    response = client.post(SETUP, {"enrolment_code": code})
    assert INVALID in response.content.decode()
    _no_secret(response)


def test_the_code_expires_after_the_configured_hours(newcomer, settings):
    settings.ENROLMENT_CODE_HOURS = 6
    services.enrolment_code_issue(user=newcomer, actor=None)
    row = EnrolmentCode.objects.get(user=newcomer)
    assert row.expires_at - row.created_at == pytest.approx(dt.timedelta(hours=6), abs=dt.timedelta(seconds=5))


def test_another_users_code_is_refused(client, newcomer, orgs):
    other = f.make_user(orgs["provider"], Role.SOCIAL_WORKER, "other_newcomer", totp=False)
    code = services.enrolment_code_issue(user=other, actor=None)
    _password_login(client)
    response = client.post(SETUP, {"enrolment_code": code})
    assert INVALID in response.content.decode()
    _no_secret(response)
    assert EnrolmentCode.objects.get(user=other).used_at is None


def test_a_wrong_code_is_refused_and_counts_towards_the_lockout(client, newcomer):
    services.enrolment_code_issue(user=newcomer, actor=None)
    _password_login(client)
    for _ in range(4):
        response = client.post(SETUP, {"enrolment_code": "AAAA-BBBB-CCCC-DDDD"})
        assert INVALID in response.content.decode()
    response = client.post(SETUP, {"enrolment_code": "AAAA-BBBB-CCCC-DDDD"})
    assert response.status_code == 429
    assert client.session.get("_auth_user_id") is None


def test_a_new_code_replaces_the_earlier_one(client, newcomer):
    first = services.enrolment_code_issue(user=newcomer, actor=None)
    services.enrolment_code_issue(user=newcomer, actor=None)
    _password_login(client)
    assert INVALID in client.post(SETUP, {"enrolment_code": first}).content.decode()


def test_the_command_prints_a_code_for_the_first_administrator(client, db):
    from accounts.models import User

    User.objects.create_superuser("admin", "admin@example.org", f.PASSWORD)
    out = io.StringIO()
    call_command("issue_enrolment", "admin", stdout=out, stderr=io.StringIO())
    code = out.getvalue().strip()
    _password_login(client, "admin")
    assert client.post(SETUP, {"enrolment_code": code})["Location"] == SETUP
    assert "secret" in client.get(SETUP).context
    event = TwoFactorEvent.objects.get(user__username="admin")
    assert event.kind == "code_issued" and event.actor is None


def test_the_command_refuses_a_user_with_a_device_unless_reset(users):
    with pytest.raises(CommandError, match="already has an authenticator"):
        call_command("issue_enrolment", "police", stdout=io.StringIO())
    out = io.StringIO()
    call_command("issue_enrolment", "police", "--reset", stdout=out, stderr=io.StringIO())
    assert out.getvalue().strip()
    assert not TOTPDevice.objects.filter(user=users["police"]).exists()
    assert set(TwoFactorEvent.objects.filter(user=users["police"]).values_list("kind", flat=True)) == {
        "reset",
        "code_issued",
    }


def test_the_admin_resets_a_lost_device_and_the_code_is_shown_once(
    client, login, superuser, users, django_capture_on_commit_callbacks
):
    target = users["psychologist"]
    target.email = "psy@example.org"
    target.save()
    login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "reset_two_factor", "_selected_action": [target.pk]},
        )
    assert response.status_code == 200
    code = response.context["issued"][0][1]
    assert code in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert not TOTPDevice.objects.filter(user=target).exists()
    events = TwoFactorEvent.objects.filter(user=target)
    assert {(e.kind, e.actor_id) for e in events} == {("reset", superuser.pk), ("code_issued", superuser.pk)}
    assert {tuple(m.to) for m in mail.outbox} == {("psy@example.org",)}
    assert all(code not in m.body for m in mail.outbox)
    # Not kept anywhere: not in the session, not in the audit pages.
    assert code not in str(dict(client.session))
    audit = client.get(reverse("admin:accounts_twofactorevent_changelist"))
    assert audit.status_code == 200
    assert code not in audit.content.decode()
    # The user enrols with it.
    other = Client()
    _password_login(other, "psychologist")
    assert other.post(SETUP, {"enrolment_code": code})["Location"] == SETUP


def test_issue_action_skips_users_who_have_a_device(client, login, superuser, users):
    login(superuser)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "issue_enrolment_code", "_selected_action": [users["police"].pk]},
    )
    assert response.context["issued"] == []
    assert response.context["skipped"] == [users["police"]]
    assert TOTPDevice.objects.filter(user=users["police"]).exists()


def test_the_user_is_told_at_the_next_sign_in(client, users):
    user = users["police"]
    TwoFactorEvent.objects.create(user=user, actor=None, kind=TwoFactorEvent.Kind.CODE_ISSUED)
    response = client.post(LOGIN, {"username": "police", "password": f.PASSWORD, "otp_token": code_for()}, follow=True)
    assert "An administrator issued a code to set up two-factor sign-in for your account." in response.content.decode()
    assert TwoFactorEvent.objects.get(user=user).seen_at is not None


def _token_works(token: str) -> int:
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get(reverse("api-provider-list")).status_code


def test_resetting_the_authenticator_revokes_every_api_token(client, login, superuser, users):
    from accounts.models import ApiToken
    from accounts.tokens import api_token_create

    target, bystander = users["police"], users["police2"]
    _row, first = api_token_create(user=target, name="police-system")
    _row, second = api_token_create(user=target, name="backup")
    _row, other = api_token_create(user=bystander, name="police-system")
    assert _token_works(first) == 200
    login(superuser)
    response = client.post(
        reverse("admin:accounts_user_changelist"), {"action": "reset_two_factor", "_selected_action": [target.pk]}
    )
    assert response.status_code == 200
    assert _token_works(first) == 401
    assert _token_works(second) == 401
    assert not ApiToken.objects.filter(user=target, revoked_at=None).exists()
    # Another user's token is untouched.
    assert _token_works(other) == 200


def test_the_reset_command_revokes_the_api_tokens_too(users):
    from accounts.tokens import api_token_create, live_tokens

    _row, token = api_token_create(user=users["police"], name="police-system")
    call_command("issue_enrolment", "police", "--reset", stdout=io.StringIO(), stderr=io.StringIO())
    assert list(live_tokens(users["police"])) == []
    assert _token_works(token) == 401


def test_issuing_a_first_code_revokes_nothing(newcomer, users):
    from accounts.tokens import api_token_create, live_tokens

    _row, token = api_token_create(user=users["police"], name="police-system")
    services.enrolment_code_issue(user=newcomer, actor=None)
    assert [t.name for t in live_tokens(users["police"])] == ["police-system"]


def test_devices_are_not_in_the_admin(client, login, superuser):
    """A device is reset only through the audited action; the admin shows no
    device page (it would show the secret and delete without revoking)."""
    login(superuser)
    response = client.get("/admin/otp_totp/totpdevice/")
    assert response.status_code == 404
