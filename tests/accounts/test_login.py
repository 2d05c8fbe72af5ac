"""Sign-in with username, password and the 6-digit code."""

from __future__ import annotations

from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.models import SealedTOTPDevice
from tests import factories as f
from tests.accounts.conftest import code_for, other_code
from tests.conftest import sign_in

GENERIC_ERROR = "Username, password or code is incorrect."
LOGIN = "/accounts/login/"


def _post(client, username, password=f.PASSWORD, code=None, **extra):
    data = {"username": username, "password": password, "otp_token": code_for() if code is None else code}
    data.update(extra)
    return client.post(LOGIN, data)


def _signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_the_page_shows_username_password_and_code_fields(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    content = response.content.decode()
    for name in ('name="username"', 'name="password"', 'name="otp_token"', 'autocomplete="one-time-code"'):
        assert name in content
    assert reverse("accounts:login") == LOGIN


def test_it_signs_in_with_the_right_code_and_lands_on_home(client, users):
    response = _post(client, "police")
    assert response.status_code == 302
    assert response["Location"] == reverse("frontdoor:home")
    assert _signed_in_user_id(client) == str(users["police"].pk)
    device = SealedTOTPDevice.objects.get(user=users["police"])
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    # Verified: the home page sends the officer on to his start page.
    assert client.get(reverse("frontdoor:home"))["Location"] == reverse("referrals:police_list")


def test_it_accepts_a_code_typed_with_a_space(client, users):
    code = code_for()
    response = _post(client, "police", code=f"{code[:3]} {code[3:]}")
    assert response.status_code == 302
    assert _signed_in_user_id(client) == str(users["police"].pk)


def test_it_rejects_a_wrong_code_with_the_generic_error(client, users):
    response = _post(client, "police", code=other_code())
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [GENERIC_ERROR]
    assert _signed_in_user_id(client) is None
    assert "password" not in response.context["form"].data
    assert "otp_token" not in response.context["form"].data
    assert 'value="police"' in response.content.decode()


def test_it_rejects_a_missing_code_for_an_enrolled_user(client, users):
    response = _post(client, "police", code="")
    assert response.context["form"].non_field_errors() == [GENERIC_ERROR]
    assert _signed_in_user_id(client) is None


def test_it_rejects_a_wrong_password_with_the_same_error(client, users):
    response = _post(client, "police", password="wrong password entirely")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [GENERIC_ERROR]
    assert _signed_in_user_id(client) is None


def test_it_rejects_an_unknown_user_with_the_same_error(client, users):
    response = _post(client, "nobody")
    assert response.context["form"].non_field_errors() == [GENERIC_ERROR]
    assert _signed_in_user_id(client) is None


def test_it_rejects_an_inactive_user_with_the_same_error(client, users):
    users["police"].is_active = False
    users["police"].save()
    response = _post(client, "police")
    assert response.context["form"].non_field_errors() == [GENERIC_ERROR]
    assert _signed_in_user_id(client) is None


def test_it_follows_next_on_this_site(client, users):
    response = _post(client, "police", next="/referrals/mine/?page=2")
    assert response["Location"] == "/referrals/mine/?page=2"


def test_it_ignores_next_to_another_host(client, users):
    for target in ("https://evil.example.com/", "//evil.example.com/x", "https:/\\evil.example.com"):
        client.logout()
        response = _post(client, "police", next=target, code=code_for())
        assert response.status_code == 302, target
        assert response["Location"] == reverse("frontdoor:home"), target
        # Fresh device state for the next round: the same code cannot be used twice.
        users["police"].totpdevice_set.update(last_t=-1)


def test_it_keeps_a_safe_next_from_the_query_string_in_the_form(client):
    response = client.get(LOGIN, {"next": "/cases/"})
    assert 'name="next" value="/cases/"' in response.content.decode()
    response = client.get(LOGIN, {"next": "https://evil.example.com/"})
    assert response.context["form"]["next"].value() == ""
    assert '<input type="hidden" name="next" id="id_next">' in response.content.decode()


def test_a_used_code_cannot_be_used_again(client, users):
    code = code_for()
    assert _post(client, "police", code=code).status_code == 302
    client.logout()
    response = _post(client, "police", code=code)
    assert response.context["form"].non_field_errors() == [GENERIC_ERROR]
    assert _signed_in_user_id(client) is None


def test_a_verified_user_is_sent_on_from_the_login_page(client, users, login):
    login(users["police"])
    response = client.get(LOGIN)
    assert response["Location"] == reverse("frontdoor:home")


def test_logout_signs_out_and_needs_post(client, users, login):
    login(users["police"])
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert _signed_in_user_id(client) == str(users["police"].pk)
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
    # The browser deletes what the site keeps on the device (the field-work store).
    assert response["Clear-Site-Data"] == '"storage"'
    assert _signed_in_user_id(client) is None
    assert client.get(reverse("referrals:police_list"))["Location"].startswith(LOGIN)


def test_logout_needs_the_csrf_token(users):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    sign_in(client, users["police"])
    assert client.post(reverse("accounts:logout")).status_code == 403
    assert client.session.get("_auth_user_id") == str(users["police"].pk)
