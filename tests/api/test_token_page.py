"""The organisation administrator's API token page: list, issue (shown
once), revoke; a fresh second-factor code before issuing or revoking."""

from __future__ import annotations

import datetime as dt
import logging
import time

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts import reauth
from accounts.models import ApiToken, Role
from accounts.tokens import api_token_create, api_token_issue, api_token_withdraw, digest
from tests import factories as f
from tests.accounts.conftest import code_for, other_code
from tests.conftest import login_verified, sign_in

LIST = reverse("accounts:api_tokens")
ISSUE = reverse("accounts:api_token_issue")


def _revoke_url(row: ApiToken) -> str:
    return reverse("accounts:api_token_revoke", args=[row.pk])


def _recent(client, user):
    """Signed in with the second factor, and a code typed just now."""
    login_verified(client, user)
    session = client.session
    session[reauth.SESSION_KEY] = time.time()
    session.save()
    return client


def _api(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + token)
    return client


@pytest.fixture
def admin(users):
    return users["provider_admin"]


@pytest.fixture
def police_admin(orgs):
    return f.make_user(orgs["police"], Role.ORG_ADMIN, "police_admin")


# -- the list ------------------------------------------------------------------


def test_it_lists_the_tokens_of_the_organisation_only(client, users, admin):
    live, _ = api_token_create(user=users["psychologist"], name="mis-live")
    gone, _ = api_token_create(user=users["manager"], name="mis-gone")
    api_token_withdraw(token=gone, by=admin)
    ApiToken.objects.filter(pk=live.pk).update(last_used_at=timezone.now())
    api_token_create(user=users["police"], name="pis-main")
    login_verified(client, admin)

    response = client.get(LIST)

    assert response.status_code == 200
    page = response.content.decode()
    assert "mis-live" in page and "mis-gone" in page
    assert "pis-main" not in page
    assert "psychologist" in page and "manager" in page
    assert "revoked" in page and "by provider_admin" in page
    assert page.count(">Revoke<") == 1
    assert live.digest not in page


def test_an_expired_token_is_shown_as_expired(client, users, admin):
    row, _ = api_token_create(user=users["psychologist"], name="old")
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
    login_verified(client, admin)
    assert "expired" in client.get(LIST).content.decode()


def test_a_session_without_the_second_factor_is_sent_to_verify(client, admin):
    sign_in(client, admin)
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:verify") + "?next=" + LIST.replace("/", "%2F")


# -- a fresh code before issuing or revoking -------------------------------------


def test_issuing_asks_for_a_fresh_code_and_comes_back(client, admin):
    login_verified(client, admin)

    response = client.get(ISSUE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:reauth") + "?next=")

    right = client.post(reverse("accounts:reauth"), {"otp_token": code_for(), "next": ISSUE})
    assert right.status_code == 302 and right["Location"] == ISSUE
    assert client.get(ISSUE).status_code == 200


def test_a_wrong_code_is_refused_and_counted(client, admin):
    login_verified(client, admin)
    wrong = client.post(reverse("accounts:reauth"), {"otp_token": other_code(), "next": ISSUE})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors == {"otp_token": ["The code is incorrect. Enter the code your app shows now."]}
    assert client.get(ISSUE).status_code == 302
    from axes.models import AccessAttempt

    assert AccessAttempt.objects.get(username="provider_admin").failures_since_start == 1


def test_a_code_typed_long_ago_is_not_recent(client, admin):
    _recent(client, admin)
    session = client.session
    session[reauth.SESSION_KEY] = time.time() - reauth.RECENT.total_seconds() - 1
    session.save()
    assert client.get(ISSUE).status_code == 302


def test_signing_in_with_a_code_counts_as_recent(client, admin):
    response = client.post(
        reverse("accounts:login"), {"username": "provider_admin", "password": f.PASSWORD, "otp_token": code_for()}
    )
    assert response.status_code == 302
    assert client.get(ISSUE).status_code == 200


# -- issuing -----------------------------------------------------------------------


def test_it_issues_a_token_shown_once(client, users, admin, caplog):
    _recent(client, admin)

    with caplog.at_level(logging.DEBUG):
        response = client.post(ISSUE, {"user": users["psychologist"].pk, "name": "mis", "days": "30"})

    assert response.status_code == 200
    token = response.context["token"]
    page = response.content.decode()
    assert token in page
    assert "no-store" in response["Cache-Control"]
    row = ApiToken.objects.get(user=users["psychologist"], name="mis")
    assert row.digest == digest(token)
    assert row.issued_by == admin
    assert row.expires_at - row.created_at == pytest.approx(dt.timedelta(days=30), abs=dt.timedelta(seconds=5))
    assert all(token not in str(m) for m in get_messages(response.wsgi_request))
    assert token not in str(dict(client.session))
    assert token not in caplog.text
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        assert token not in str(cursor.fetchall())
    # It works, as the psychologist.
    assert _api(token).get("/api/v1/programme-templates/").status_code == 200
    # The list never shows it again.
    assert token not in client.get(LIST).content.decode()


def test_sending_the_form_again_does_not_issue_a_second_token(client, users, admin):
    _recent(client, admin)
    data = {"user": users["psychologist"].pk, "name": "mis", "days": "30"}
    first = client.post(ISSUE, data)
    again = client.post(ISSUE, data)

    assert again.status_code == 200
    assert "token" not in again.context
    assert again.context["form"].errors == {
        "name": ["This member already has a live token with this name: revoke it first, or choose another name."]
    }
    assert first.context["token"] not in again.content.decode()
    assert ApiToken.objects.filter(user=users["psychologist"]).count() == 1


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"name": "", "days": "30"}, {"name": ["This field is required."]}),
        ({"name": "mis", "days": "0"}, {"days": ["Ensure this value is greater than or equal to 1."]}),
        ({"name": "mis", "days": "366"}, {"days": ["Ensure this value is less than or equal to 365."]}),
        ({"name": "mis", "days": "soon"}, {"days": ["Enter a whole number."]}),
        ({"name": "x" * 101, "days": "30"}, {"name": ["Ensure this value has at most 100 characters (it has 101)."]}),
    ],
)
def test_bad_input_is_answered_field_by_field(client, users, admin, data, errors):
    _recent(client, admin)
    response = client.post(ISSUE, {"user": users["psychologist"].pk, **data})
    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert response.context["form"]["name"].value() == data["name"]
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("member", ["provider_admin", "police"])
def test_only_the_organisations_members_with_an_api_use_can_be_chosen(client, users, admin, member):
    _recent(client, admin)
    choices = [c[0].value for c in client.get(ISSUE).context["form"].fields["user"].choices]
    assert set(choices) == {users[k].pk for k in ("psychologist", "social_worker", "manager")}
    response = client.post(ISSUE, {"user": users[member].pk, "name": "mis", "days": "30"})
    assert response.context["form"].errors == {
        "user": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert not ApiToken.objects.exists()


def test_a_member_without_an_authenticator_is_refused_with_a_clear_message(client, users, admin):
    TOTPDevice.objects.filter(user=users["psychologist"]).update(confirmed=False)
    _recent(client, admin)
    response = client.post(ISSUE, {"user": users["psychologist"].pk, "name": "mis", "days": "30"})
    assert response.context["form"].errors == {
        "user": [
            "This member has not set up two-factor sign-in yet. A token is issued only to a member with a "
            "confirmed authenticator app: give them an enrolment code first."
        ]
    }
    assert not ApiToken.objects.exists()


def test_the_service_refuses_anyone_but_the_members_administrator(users, police_admin):
    for by in (users["manager"], police_admin):
        with pytest.raises(PermissionDenied):
            api_token_issue(user=users["psychologist"], name="mis", days=30, by=by)


def test_the_service_refuses_a_role_without_an_api_use(users, orgs):
    from django.core.exceptions import ValidationError

    admin = f.make_user(orgs["probation"], Role.ORG_ADMIN, "probation_admin")
    with pytest.raises(ValidationError) as exc:
        api_token_issue(user=users["probation_officer"], name="x", days=30, by=admin)
    assert exc.value.message_dict == {
        "user": ["This member's role has no use for the API, so no token can be issued to them."]
    }


# -- revoking --------------------------------------------------------------------


def test_revoking_asks_to_confirm_then_revokes_and_records_who(client, users, admin):
    row, token = api_token_create(user=users["psychologist"], name="mis")
    _recent(client, admin)

    page = client.get(_revoke_url(row))
    assert page.status_code == 200 and "mis" in page.content.decode()

    first = client.post(_revoke_url(row))
    assert first.status_code == 200
    assert first.context["confirm"].what.startswith("You are about to revoke the token “mis” of psychologist.")
    row.refresh_from_db()
    assert row.revoked_at is None

    done = client.post(_revoke_url(row), {"confirmed": "1"})
    assert done.status_code == 302 and done["Location"] == LIST
    row.refresh_from_db()
    assert row.revoked_at is not None and row.revoked_by == admin
    assert _api(token).get("/api/v1/programme-templates/").status_code == 401


def test_revoking_asks_for_a_fresh_code(client, users, admin):
    row, _ = api_token_create(user=users["psychologist"], name="mis")
    login_verified(client, admin)
    response = client.post(_revoke_url(row), {"confirmed": "1"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:reauth"))
    row.refresh_from_db()
    assert row.revoked_at is None


def test_another_organisations_token_is_not_found(client, users, police_admin):
    row, token = api_token_create(user=users["psychologist"], name="mis")
    _recent(client, police_admin)
    assert client.get(_revoke_url(row)).status_code == 404
    assert client.post(_revoke_url(row), {"confirmed": "1"}).status_code == 404
    row.refresh_from_db()
    assert row.revoked_at is None
    assert "mis" not in client.get(LIST).content.decode()


def test_the_police_units_administrator_issues_to_its_officers(client, users, police_admin):
    _recent(client, police_admin)
    choices = [c[0].value for c in client.get(ISSUE).context["form"].fields["user"].choices]
    assert set(choices) == {users["police"].pk, users["police2"].pk}
    response = client.post(ISSUE, {"user": users["police"].pk, "name": "pis", "days": "90"})
    assert _api(response.context["token"]).get("/api/v1/providers/").status_code == 200


def test_an_organisation_without_members_who_use_the_api_is_told_so(client, db):
    from accounts.models import Organisation

    lonely = f.make_org(Organisation.Kind.MONITORING_BODY, name="A body with no viewers yet")
    admin = f.make_user(lonely, Role.ORG_ADMIN, "lonely_admin")
    _recent(client, admin)
    response = client.get(ISSUE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "No member of your organisation has a role with a use for the API" in page
    assert 'name="name"' not in page
