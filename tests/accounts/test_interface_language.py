"""The interface in the seven languages of the region: the switcher on every
page, the choice kept on the user's profile, and pages, emails and SMS in it."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import TwoFactorEvent, User
from accounts.services import _email_event
from notifications.texts import outgoing_message
from tests.conftest import login_verified

LOCAL_NAMES = {
    "ru": "Русский",
    "ky": "Кыргызча",
    "tg": "Тоҷикӣ",
    "uz": "Oʻzbek tili",
    "kk": "Қазақ",
    "tk": "Türkmençe",
    "en": "English",
}


def switch(client, language: str, next_url: str):
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


def test_every_page_offers_the_seven_languages_each_in_its_own_name(client, db):
    content = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    offered = re.findall(r'name="language" value="(\w+)" type="submit" lang="\w+"[^>]*>([^<]+)<', content)
    assert offered == list(LOCAL_NAMES.items())


@pytest.mark.parametrize("language", list(LOCAL_NAMES))
def test_the_sign_in_page_renders_in_each_language(client, db, language):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE=language)
    content = response.content.decode()
    assert response["Content-Language"] == language
    assert f'<html lang="{language}">' in content
    with translation.override(language):
        title = translation.gettext("Sign in")
        username = translation.gettext("Username")
    assert f"<title>{title} · " in content
    assert username in content
    if language != "en":
        assert title != "Sign in"
        assert "Username" not in content


def test_the_switcher_keeps_a_signed_in_users_choice_on_her_profile(client, users):
    user = users["psychologist"]
    login_verified(client, user)
    response = switch(client, "ky", reverse("programmes:today"))
    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:today")
    user.refresh_from_db()
    assert user.preferred_language == "ky"

    # Another browser, with no cookie and an English Accept-Language: Kyrgyz.
    elsewhere = login_verified(Client(), user)
    response = elsewhere.get(reverse("programmes:today"), HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "ky"
    assert '<html lang="ky">' in response.content.decode()


def test_a_user_who_never_chose_reads_her_browsers_language(client, users):
    user = users["manager"]
    assert user.preferred_language == ""
    login_verified(client, user)
    assert client.get(reverse("reports:dashboard"), HTTP_ACCEPT_LANGUAGE="tg")["Content-Language"] == "tg"
    assert client.get(reverse("reports:dashboard"), HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "en"


def test_switching_before_sign_in_changes_no_profile(client, users):
    switch(client, "uz", reverse("accounts:login"))
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "uz"
    assert '<html lang="uz">' in client.get(reverse("accounts:login")).content.decode()
    assert set(User.objects.values_list("preferred_language", flat=True)) == {""}


@pytest.mark.parametrize("hostile", ["de", "xx", "", "ru; DROP TABLE", "k" * 300, "RU"])
def test_a_language_the_interface_lacks_changes_nothing(client, users, hostile):
    user = users["psychologist"]
    login_verified(client, user)
    response = switch(client, hostile, reverse("programmes:today"))
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.preferred_language == ""
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_only_a_post_switches(client, users):
    login_verified(client, users["psychologist"])
    response = client.get(reverse("set_language") + "?language=ky&next=/reports/")
    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    users["psychologist"].refresh_from_db()
    assert users["psychologist"].preferred_language == ""


@pytest.mark.parametrize("language", ["ky", "tg", "uz", "kk", "tk"])
def test_staff_emails_are_written_in_the_users_language(language):
    subject, body = outgoing_message(case_id=7, language=language)
    with translation.override(language):
        expected = translation.gettext("Safety notice about case %(case)s")
    assert expected != "Safety notice about case %(case)s"
    assert subject.startswith(expected.split("%(case)s")[0])


def test_a_two_factor_email_follows_the_profile_language(users):
    user = users["psychologist"]
    user.email = "psychologist@example.org"
    user.preferred_language = "kk"
    user.save()
    _email_event(TwoFactorEvent.objects.create(user=user, kind=TwoFactorEvent.Kind.ENROLLED))
    with translation.override("kk"):
        when = translation.gettext("When: %(when)s").split("%(when)s")[0]
    assert when != "When: "
    assert when in mail.outbox[-1].body
