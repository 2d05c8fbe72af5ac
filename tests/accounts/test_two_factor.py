"""Enrolling an authenticator app, and the code for a session signed in
with the password only."""

from __future__ import annotations

import base64
from binascii import unhexlify

from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp

from accounts import services
from accounts.models import Role, SealedTOTPDevice
from accounts.services import device_key_hex
from tests import factories as f
from tests.accounts.conftest import code_for, other_code
from tests.conftest import sign_in

SETUP = "/accounts/two-factor/setup/"
VERIFY = "/accounts/verify/"


def _code(device: SealedTOTPDevice) -> str:
    return f"{totp(unhexlify(device_key_hex(device))):06d}"


def _new_user(orgs):
    return f.make_user(orgs["provider"], Role.PSYCHOLOGIST, "newcomer", totp=False)


def _with_enrolment_code(client, user):
    """Sign in with the password and redeem a code issued by an administrator."""
    code = services.enrolment_code_issue(user=user, actor=None)
    sign_in(client, user)
    response = client.post(SETUP, {"enrolment_code": code})
    assert response["Location"] == SETUP
    return client


def test_urls():
    assert reverse("accounts:two_factor_setup") == SETUP
    assert reverse("accounts:verify") == VERIFY


def test_a_user_without_a_device_signs_in_with_the_password_and_must_set_one_up(client, orgs):
    user = _new_user(orgs)
    response = client.post("/accounts/login/", {"username": "newcomer", "password": f.PASSWORD, "otp_token": ""})
    assert response["Location"] == SETUP
    assert client.session["_auth_user_id"] == str(user.pk)
    assert DEVICE_ID_SESSION_KEY not in client.session
    # Every page but the account pages sends the user back to the setup.
    for path in (reverse("frontdoor:home"), reverse("referrals:incoming"), reverse("casework:case_list")):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == f"{SETUP}?next={path.replace('/', '%2F')}", path


def test_the_setup_page_shows_a_qr_code_and_the_secret(client, orgs):
    user = _new_user(orgs)
    _with_enrolment_code(client, user)
    response = client.get(SETUP)
    assert response.status_code == 200
    device = SealedTOTPDevice.objects.get(user=user)
    assert device.confirmed is False
    content = response.content.decode()
    assert 'src="data:image/svg+xml;base64,' in content
    assert base64.b32encode(unhexlify(device_key_hex(device))).decode().rstrip("=") == response.context[
        "secret"
    ].replace(" ", "")
    assert response.context["secret"] in content
    assert "style=" not in content
    assert response["Cache-Control"].startswith("max-age=0")
    # A reload keeps the same secret, so a code scanned a moment ago still works.
    client.get(SETUP)
    assert device_key_hex(SealedTOTPDevice.objects.get(user=user)) == device_key_hex(device)


def test_the_qr_code_holds_the_otpauth_url(client, orgs):
    user = _new_user(orgs)
    _with_enrolment_code(client, user)
    response = client.get(SETUP)
    svg = base64.b64decode(response.context["qr_data_uri"].split(",", 1)[1]).decode()
    assert "<svg" in svg and "<path" in svg
    assert "style=" not in svg


def test_it_confirms_the_device_with_a_code_from_it(client, orgs):
    user = _new_user(orgs)
    _with_enrolment_code(client, user)
    client.get(SETUP)
    device = SealedTOTPDevice.objects.get(user=user)
    response = client.post(SETUP, {"otp_token": _code(device), "next": "/cases/"})
    assert response["Location"] == "/cases/"
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert "Open today's sessions" in client.get(reverse("frontdoor:home")).content.decode()


def test_it_rejects_a_wrong_code_and_keeps_the_device_unconfirmed(client, orgs):
    user = _new_user(orgs)
    _with_enrolment_code(client, user)
    client.get(SETUP)
    device = SealedTOTPDevice.objects.get(user=user)
    response = client.post(SETUP, {"otp_token": other_code(device_key_hex(device))})
    assert response.status_code == 200
    assert response.context["form"].errors["otp_token"] == [
        "This code does not match. Check that the time on your phone is correct and try again."
    ]
    device.refresh_from_db()
    assert device.confirmed is False
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_it_rejects_a_malformed_code_with_a_field_error(client, orgs):
    user = _new_user(orgs)
    _with_enrolment_code(client, user)
    response = client.post(SETUP, {"otp_token": "12ab"})
    assert response.context["form"].errors["otp_token"] == ["Enter the 6 digits shown in your authenticator app."]


def test_an_unverified_session_cannot_add_a_second_device(client, users):
    """Someone who knows only the password must not enrol their own phone."""
    sign_in(client, users["psychologist"])
    response = client.get(SETUP)
    assert response["Location"] == VERIFY
    response = client.post(SETUP, {"otp_token": "123456"})
    assert response["Location"] == VERIFY
    assert users["psychologist"].totpdevice_set.count() == 1


def test_an_unverified_session_is_sent_to_verify_from_a_case_page(client, users, case):
    sign_in(client, users["psychologist"])
    path = reverse("casework:case_detail", args=[case.pk])
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next={path.replace('/', '%2F')}"


def test_verify_with_the_right_code_continues_to_next(client, users, case):
    sign_in(client, users["psychologist"])
    path = reverse("casework:case_detail", args=[case.pk])
    response = client.post(VERIFY, {"otp_token": code_for(), "next": path})
    assert response["Location"] == path
    device = SealedTOTPDevice.objects.get(user=users["psychologist"])
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_verify_rejects_a_wrong_code(client, users):
    sign_in(client, users["psychologist"])
    response = client.post(VERIFY, {"otp_token": other_code()})
    assert response.status_code == 200
    assert response.context["form"].errors["otp_token"] == ["The code is incorrect. Enter the code your app shows now."]
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_verify_ignores_next_to_another_host(client, users):
    sign_in(client, users["psychologist"])
    response = client.post(VERIFY, {"otp_token": code_for(), "next": "https://evil.example.com/"})
    assert response["Location"] == reverse("frontdoor:home")


def test_five_wrong_codes_on_verify_lock_out_and_sign_out(client, users):
    sign_in(client, users["psychologist"])
    statuses = [client.post(VERIFY, {"otp_token": other_code()}).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert client.session.get("_auth_user_id") is None


def test_account_pages_need_a_signed_in_user(client):
    for path in (SETUP, VERIFY):
        response = client.get(path)
        assert response["Location"] == f"/accounts/login/?next={path}"


def test_an_htmx_request_from_an_unverified_session_gets_a_full_page_redirect(client, users):
    sign_in(client, users["psychologist"])
    response = client.get(
        reverse("casework:case_list"), HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/cases/?q=x"
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{VERIFY}?next=%2Fcases%2F%3Fq%3Dx"


def test_an_htmx_request_after_the_session_ended_gets_a_full_page_redirect(client, users):
    response = client.get(
        reverse("casework:case_list"), HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/cases/"
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=%2Fcases%2F"


def test_each_setup_step_posts_to_the_setup_with_its_button_and_offers_to_sign_out(client, orgs):
    """GIVEN a newcomer signed in with the password, WHEN the setup asks for the
    administrator's code and then for the app's code, THEN each step's form posts
    to the setup page with its own button, and each offers to sign out."""
    user = _new_user(orgs)
    sign_in(client, user)
    asking_code = client.get(SETUP).content.decode()
    _with_enrolment_code(client, user)
    confirming = client.get(SETUP).content.decode()

    for page, button in ((asking_code, "Continue"), (confirming, "Confirm")):
        assert f'<form method="post" action="{SETUP}" novalidate>' in page
        assert f'<button type="submit" class="btn btn-primary">{button}</button>' in page
        assert 'action="/accounts/logout/"' in page and "Sign out</button>" in page
    assert 'name="enrolment_code"' in asking_code and 'name="enrolment_code"' not in confirming
