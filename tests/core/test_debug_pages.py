"""DEBUG's error pages are never shown: production refuses to start with
DEBUG on, and a development server (DEBUG on) answers a 404 with the site's
own page, not Django's list of every URL pattern."""

from __future__ import annotations

import subprocess
import sys
from urllib.parse import quote

from django.urls import reverse

from tests.core.test_security import ROOT, _production_env

URL_LIST_MARKERS = ("Django tried these URL patterns", "URLconf", "api/v1/", "Page not found")
OUR_PAGE = "This page does not exist"


def _run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed command, our own interpreter
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_with_debug_on():
    for value in ("1", "true", "on"):
        result = _run("import django; django.setup()", _production_env(DEBUG=value))
        assert result.returncode != 0
        assert "DEBUG must not be on with the production settings; unset DEBUG." in result.stderr


def _test_database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return f"postgresql://{quote(db['USER'], safe='')}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def test_a_production_404_lists_no_url_patterns(db):
    # The production settings as they are, but for the static files' manifest,
    # which only `collectstatic` (the image build) writes.
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings; from django.test import Client, override_settings\n"
        "assert settings.DEBUG is False\n"
        "plain = {**settings.STORAGES, 'staticfiles': {'BACKEND': "
        "'django.contrib.staticfiles.storage.StaticFilesStorage'}}\n"
        "with override_settings(STORAGES=plain):\n"
        "    response = Client().get('/no-such-page/', secure=True, HTTP_HOST='casework.example.org', "
        "HTTP_ACCEPT_LANGUAGE='en')\n"
        "print(response.status_code); print(response.content.decode())\n"
    )
    result = _run(code, _production_env(DEBUG="false", DATABASE_URL=_test_database_url()))
    assert result.returncode == 0, result.stderr
    status, _, page = result.stdout.partition("\n")
    assert status == "404"
    assert OUR_PAGE in page
    for marker in URL_LIST_MARKERS:
        assert marker not in page


def test_under_debug_an_unknown_address_gets_the_sites_own_404(client, settings):
    settings.DEBUG = True
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert OUR_PAGE in page
    for marker in URL_LIST_MARKERS:
        assert marker not in page


def test_under_debug_a_404_from_a_view_gets_the_sites_own_page(client, login, users, referral, settings):
    settings.DEBUG = True
    login(users["other_police"])
    response = client.get(reverse("referrals:police_detail", args=[referral.pk]))
    assert response.status_code == 404
    page = response.content.decode()
    assert "belongs to a record your organisation is not a party to" in page
    assert "Raised by:" not in page


def test_under_debug_a_missing_slash_is_still_added(client, login, users, settings):
    settings.DEBUG = True
    login(users["psychologist"])
    url = reverse("casework:case_list")
    response = client.get(url.rstrip("/"))
    assert (response.status_code, response["Location"]) == (301, url)
