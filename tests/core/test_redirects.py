"""A ``next`` parameter and the links of error pages never lead off-site,
nor to a page that does not exist."""

from __future__ import annotations

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse

from core.redirects import safe_next
from tests.accounts.test_login import _post
from tests.programmes.views_sessions_support import men_group_today

OFF_SITE = [
    "https://evil.example.com/",
    "http://testserver.evil.example.com/cases/",
    "//evil.example.com/cases/",
    "/\\evil.example.com",
    "\\\\evil.example.com",
    "https:/\\evil.example.com",
    "javascript:alert(1)",
    " //evil.example.com",
]


@pytest.mark.parametrize("url", [*OFF_SITE, "Programme", "0001-01-01", "/no/such/page/", ""])
def test_it_refuses_anything_but_a_page_of_this_site(url):
    request = RequestFactory().get("/")
    assert safe_next(request, url) is None


@pytest.mark.parametrize("url", ["/cases/", "/cases/?page=2", "/referrals/mine/"])
def test_it_keeps_a_page_of_this_site(url):
    assert safe_next(RequestFactory().get("/"), url) == url


@pytest.mark.parametrize("target", OFF_SITE)
def test_signing_in_with_an_off_site_next_lands_on_home(client, users, target):
    response = _post(client, "police", next=target)
    assert response.status_code == 302
    assert response["Location"] == reverse("frontdoor:home")


def test_a_session_form_with_an_off_site_next_goes_back_to_today(client, users, orgs, login):
    _group, _people, session = men_group_today(users, orgs, size=1)
    login(users["psychologist"])
    url = reverse("programmes:session_cancel", args=[session.pk])
    page = client.get(url, {"next": "https://evil.example.com/"})
    assert page.context["next"] == reverse("programmes:today")
    content = page.content.decode()
    assert f'href="{reverse("programmes:today")}"' in content  # the Back link
    assert '"https://evil.example.com/"' not in content
    response = client.post(url, {"reason": "Room flooded", "next": "//evil.example.com/"})
    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:today")


def _links(content: str) -> list[str]:
    return re.findall(r'(?:href|action)="([^"]*)"', content)


@pytest.mark.parametrize(
    ("role", "url", "status"),
    [
        ("psychologist", "/cases/999999/?next=https://evil.example.com/", 404),
        ("psychologist", "/referrals/new/?next=https://evil.example.com/", 403),
        ("police", "/no/such/page/?next=//evil.example.com/", 404),
        ("police", "/cases/?q=%00&next=https://evil.example.com/", 400),
    ],
)
def test_error_pages_link_only_to_this_site(client, users, login, role, url, status):
    login(users[role])
    response = client.get(url)
    assert response.status_code == status
    links = _links(response.content.decode())
    assert reverse("frontdoor:home") in links
    for link in links:
        if link == "data:," or link.startswith("#"):  # the empty favicon, the skip link
            continue
        assert link.startswith("/") and not link.startswith("//"), link
        assert "evil.example.com" not in link, link
