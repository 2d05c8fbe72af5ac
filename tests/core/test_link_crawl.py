"""No link leads to a 404 (or a server error): every demo user, signed in
with the second factor, follows every link of every page reachable from
the home page (within the site, admin pages aside), breadth first, and
every page answers. A link to a page the role may not use answers 403;
that is allowed, a dead link is not.

A link is written by a page's template, the same for every record it
shows: so of each kind of page (its URL name and the names of its query
parameters) the first PER_KIND met are followed, which reaches every kind
of page and several records of each in half the requests of following all.
A link that resolves to no page is always followed: it is what the test is
looking for."""

from __future__ import annotations

import re
from collections import Counter, deque
from html import unescape
from urllib.parse import parse_qs, urldefrag, urlsplit

import pytest
from django.urls import Resolver404, resolve

from accounts.models import User
from tests.conftest import login_verified
from tests.frontdoor.test_demo_data import demo_data  # noqa: F401 - the module-scoped fixture

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="([^"]+)"')
SKIP_PREFIXES = ("/static/", "/media/", "/admin/", "/accounts/logout", "/i18n/")
# Enough to reach every kind of page from the demo data; the first pages
# of every list and the records they link to.
MAX_PAGES = 400
PER_KIND = 8
USERS = (
    "police.kg",
    "psychologist.kg",
    "social.kg",
    "manager.kg",
    "crisis.kg",
    "monitor.kg",
    "admin.kg",
    "police.tj",
    "psychologist.tj",
    "socdev.kg",
)


def _links(base: str, html: str) -> list[str]:
    found = []
    for raw in HREF.findall(html):
        href = urldefrag(unescape(raw))[0]
        if not href or href.startswith(("mailto:", "tel:", "javascript:", "data:")):
            continue
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            continue  # another site: never followed
        if not href.startswith("/"):
            href = base.rsplit("/", 1)[0] + "/" + href if not href.startswith("?") else base + href
        if href.startswith(SKIP_PREFIXES):
            continue
        found.append(href)
    return found


def _kind(url: str) -> object:
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return url  # each unknown path is its own kind: always followed
    return (match.view_name, tuple(sorted(parse_qs(parts.query, keep_blank_values=True))))


class TestEveryLink:
    """The demo (module-scoped, rolled back after the module) is loaded once
    for every user rather than once per user."""

    @pytest.mark.parametrize("username", USERS)
    def test_every_link_of_the_demo_leads_somewhere(self, client, demo_data, username):  # noqa: F811
        login_verified(client, User.objects.get(username=username))
        seen = {"/"}
        kinds: Counter[object] = Counter()
        queue = deque(["/"])

        def follow(link: str) -> None:
            if link in seen:
                return
            seen.add(link)
            kind = _kind(link)
            if kinds[kind] < PER_KIND:
                kinds[kind] += 1
                queue.append(link)

        dead: list[str] = []
        visited = 0
        while queue and visited < MAX_PAGES:
            url = queue.popleft()
            response = client.get(url)
            visited += 1
            if response.status_code == 404 or response.status_code >= 500:
                dead.append(f"{response.status_code} {url} (from a page seen by {username})")
                continue
            if response.status_code in (301, 302):
                target = response["Location"]
                if target.startswith("/") and not target.startswith(SKIP_PREFIXES):
                    follow(target)
                continue
            if "text/html" not in response.get("Content-Type", ""):
                continue
            for link in _links(urlsplit(url).path, response.content.decode()):
                follow(link)
        assert visited > 5, f"{username} reached only {visited} pages"
        assert dead == []
