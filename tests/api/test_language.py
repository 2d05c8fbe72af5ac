"""The API answers in the language Accept-Language names, English without one
(core/api_language.py); the web pages keep Russian as their default, and the
OpenAPI document says so."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from tests.api.conftest import referral_body

URL = "/api/v1/referrals/"
MESSAGE = "The order cannot expire before it was issued."


@pytest.fixture(autouse=True)
def site_in_russian(settings):
    """The site's default as in production (config/settings/test.py has English)."""
    settings.LANGUAGE_CODE = "ru"


def refused(client, **headers):
    """A referral whose order expires before it was issued: a 400 naming the field."""
    today = dt.date.today()
    body = referral_body(client.provider_id)
    body["order"].update(issued_on=today.isoformat(), expires_on=(today - dt.timedelta(days=1)).isoformat())
    response = client.post(URL, data=json.dumps(body), content_type="application/json", **headers)
    assert response.status_code == 400
    return response


def message(response) -> str:
    [text] = response.json()["order"]["expires_on"]
    return text


@pytest.fixture
def police(api, users, orgs):
    client = api(users["police"])
    client.provider_id = orgs["provider"].pk
    return client


def in_language(language: str) -> str:
    with translation.override(language):
        return translation.gettext(MESSAGE)


def test_without_accept_language_the_errors_are_in_english(police):
    response = refused(police)
    assert message(response) == MESSAGE
    assert response["Content-Language"] == "en"
    assert "Accept-Language" in response["Vary"]


@pytest.mark.parametrize("language", ["ru", "ky", "kk"])
def test_the_errors_follow_accept_language(police, language):
    response = refused(police, HTTP_ACCEPT_LANGUAGE=language)
    assert message(response) == in_language(language)
    assert message(response) != MESSAGE
    assert response["Content-Language"] == language


@pytest.mark.parametrize(
    ("header", "language"),
    [("ky-KG, ru;q=0.8", "ky"), ("de, kk;q=0.5, ru;q=0.4", "kk"), ("ru-RU", "ru"), ("en-GB, ru;q=0.9", "en")],
)
def test_a_weighted_list_picks_the_first_language_the_interface_has(police, header, language):
    response = refused(police, HTTP_ACCEPT_LANGUAGE=header)
    assert message(response) == in_language(language)
    assert response["Content-Language"] == language


@pytest.mark.parametrize("header", ["de", "de-DE, fr;q=0.8", "*", "", "xx-invalid!"])
def test_a_language_the_interface_lacks_is_english(police, header):
    response = refused(police, HTTP_ACCEPT_LANGUAGE=header)
    assert message(response) == MESSAGE
    assert response["Content-Language"] == "en"


def test_the_language_cookie_does_not_count(police):
    police.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    response = refused(police)
    assert message(response) == MESSAGE
    assert response["Content-Language"] == "en"
    # The header still does.
    assert message(refused(police, HTTP_ACCEPT_LANGUAGE="ky")) == in_language("ky")


def test_other_errors_follow_it_too(police, api):
    assert api().get(URL)["Content-Language"] == "en"
    with translation.override("ru"):
        russian = translation.gettext("Not found.")
    response = police.get(f"{URL}999999/", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 404
    assert response.json() == {"detail": russian}
    assert russian != "Not found."
    assert police.get(f"{URL}999999/").json() == {"detail": "Not found."}


def test_the_web_pages_keep_russian_by_default(client, db):
    response = client.get(reverse("accounts:login"))
    assert response["Content-Language"] == "ru"
    with translation.override("ru"):
        assert translation.gettext("Sign in") in response.content.decode()
    # The switcher's cookie still counts there.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ky"
    assert client.get(reverse("accounts:login"))["Content-Language"] == "ky"


def test_a_signed_in_users_profile_language_does_not_reach_the_api(client, users, login):
    user = users["police"]
    User.objects.filter(pk=user.pk).update(preferred_language="ru")
    login(user)
    # Her web pages are in her language, whatever the browser says.
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "ru"

    for path in ["/api/schema/", "/api/docs/"]:
        response = client.get(path)
        assert response.status_code == 200
        assert response["Content-Language"] == "en"
        assert client.get(path, HTTP_ACCEPT_LANGUAGE="kk")["Content-Language"] == "kk"


def test_the_schema_follows_accept_language(police):
    with translation.override("ru"):
        russian = translation.gettext("Token of")
    assert russian != "Token of"
    english = police.get("/api/schema/?format=json")
    assert english["Content-Language"] == "en"
    assert "| Token of |" in english.content.decode()
    in_russian = police.get("/api/schema/?format=json", HTTP_ACCEPT_LANGUAGE="ru")
    assert in_russian["Content-Language"] == "ru"
    assert f"| {russian} |" in in_russian.content.decode()


def test_the_schema_documents_the_header_on_every_operation(police):
    schema = police.get("/api/schema/?format=json").json()
    description = schema["info"]["description"]
    assert "Accept-Language" in description
    assert "English" in description
    codes = [code for code, _name in settings.LANGUAGES]
    operations = [op for methods in schema["paths"].values() for op in methods.values()]
    assert operations
    for operation in operations:
        [header] = [p for p in operation["parameters"] if p["name"] == "Accept-Language"]
        assert header["in"] == "header"
        assert header.get("required", False) is False
        assert header["schema"] == {"type": "string", "enum": sorted(codes), "default": "en"}
        assert "English" in header["description"]
