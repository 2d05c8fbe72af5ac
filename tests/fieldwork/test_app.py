"""The installable app: the manifest, the service worker and the icons, all
served by the app itself; every page names the manifest and loads the
script that registers the worker."""

from __future__ import annotations

import json
import re

from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse
from PIL import Image

from fieldwork.views import OFFLINE_ASSETS


def test_the_manifest_installs_the_app_on_today(client):
    response = client.get(reverse("fieldwork:manifest"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert (manifest["name"], manifest["short_name"]) == ("Perpetrator programmes", "Programmes")
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == ("/programmes/today/", "/", "standalone")
    assert [(i["sizes"], i.get("purpose", "any")) for i in manifest["icons"]] == [
        ("192x192", "any"),
        ("512x512", "any"),
        ("512x512", "maskable"),
    ]


def test_the_manifest_speaks_the_readers_language(client):
    manifest = client.get(reverse("fieldwork:manifest"), HTTP_ACCEPT_LANGUAGE="ru").json()
    assert manifest["name"] == "Программы коррекции поведения"


def test_the_icons_are_pngs_of_their_sizes_served_as_static_files():
    for name, size in [
        ("icon-192.png", 192),
        ("icon-512.png", 512),
        ("maskable-512.png", 512),
        ("apple-touch-icon.png", 180),
        ("favicon-32.png", 32),
    ]:
        path = finders.find(f"fieldwork/icons/{name}")
        assert path, name
        with Image.open(path) as image:
            assert (image.format, image.size) == ("PNG", (size, size))


def test_the_service_worker_keeps_the_static_files_of_every_page(client):
    response = client.get(reverse("fieldwork:service_worker"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    assets = json.loads(re.search(r"var ASSETS = (\[.*?\]);", body).group(1))
    assert assets == [static(name) for name in OFFLINE_ASSETS]
    assert all(finders.find(name) for name in OFFLINE_ASSETS)
    assert re.search(r'var VERSION = "[0-9a-f]{16}";', body)
    assert 'var SHELL = "/field/";' in body
    # No CDN: every address it names is the site's own.
    assert not re.search(r"https?://", body)


def test_every_page_names_the_manifest_and_registers_the_worker(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert f'<link rel="manifest" href="{reverse("fieldwork:manifest")}">' in page
    assert f'src="{static("fieldwork/field.js")}" data-sw="/sw.js"' in page
    assert f'href="{static("fieldwork/icons/apple-touch-icon.png")}"' in page


def test_the_offline_page_holds_no_personal_data(users, today_group, signed_in):
    """The service worker keeps a copy of it: it carries the words and the
    addresses of the field pages, never a name, a session or a token."""
    _group, people, _session = today_group
    response = signed_in(users["psychologist"]).get(reverse("fieldwork:shell"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-field-shell="1"' in page
    assert '"save_here": "Save on this phone"' in page
    names = [p.case.referral.person.full_name for p in people]
    for secret in [*names, "Tuesday men", "Kara-Suu", "csrfmiddlewaretoken"]:
        assert secret not in page
    assert users["psychologist"].get_username() not in page
