"""Hostile input never makes a 500: every GET URL the project resolves, as
each main role, with NUL bytes, huge and odd values in the query string; a
NUL in a search box, a form field or an API body; a search term that is too
long. A NUL in a query string or an API body is answered 400 once, at the
root (core/middleware.py); a form or a search box says what is wrong."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.search import MAX_TERM
from tests.conftest import login_verified
from tests.test_permission_matrix import MATRIX, _expected, world  # noqa: F401 - the matrix's fixture

MAIN_ROLES = ["anonymous", "police", "psychologist", "manager", "provider_admin", "survivor_worker", "monitoring"]

# Every query parameter a view reads, and a few it does not.
PARAMETERS = (
    "q page status tab instrument survivor edit country template next lang follow_up risk "
    "date_from date_to provider region sex"
).split()
ODD_VALUES = [
    "x" * 10_000,
    "0001-01-01",
    "-1",
    "99999999999999999999999",
    "'\"><script>alert(1)</script>",
    "\u202eevil",
    "../../../../etc/passwd",
    "1e400",
    "%",
]
NUL_MESSAGE = "The request contains a NUL character"

GET_URLS = [name for name, entry in MATRIX.items() if entry.method == "get"]
# A NUL is answered at the root (core/middleware.py), before any view and any
# role check: a signed-out and a signed-in visitor take every path to it.
NUL_ROLES = {"anonymous", "psychologist"}


def _reaches_the_view(entry, role) -> bool:
    """False where the sign-in or the role check answers before the view
    reads its parameters: a 401 or 403, or the sign-in page for anonymous."""
    expected = _expected(entry, role)
    return expected not in (401, 403) and not (role == "anonymous" and not entry.public)


def _rounds(entry, role) -> range:
    """Which rounds of odd values a role sends to a URL. The view reads its
    parameters the same way for every role, so the first main role it
    answers sends every round, and each other role every third round from
    an offset of its own: each role's own path through the view (its
    scope, its buttons) still meets odd values, in a third of the requests."""
    reaching = [r for r in MAIN_ROLES if _reaches_the_view(entry, r)]
    if role == reaching[0]:
        return range(len(ODD_VALUES))
    return range(reaching.index(role) % 3, len(ODD_VALUES), 3)


def _client_for(role, users, client):
    client.raise_request_exception = False  # a 500 is a finding, not a crash of the test
    if role == "anonymous":
        return client
    return login_verified(client, users[role])


@pytest.mark.parametrize("role", MAIN_ROLES)
def test_no_get_url_answers_500_to_hostile_query_strings(role, world, users, client):  # noqa: F811
    client = _client_for(role, users, client)
    failures = []
    for name in GET_URLS:
        entry = MATRIX[name]
        url = reverse(name, kwargs=entry.kwargs(world))
        if role in NUL_ROLES:
            nul = client.get(url, {p: "\x00" for p in PARAMETERS})
            if nul.status_code != 400 or NUL_MESSAGE not in nul.content.decode():
                failures.append((name, "nul", nul.status_code))
            nul_key = client.get(f"{url}?%00=1")
            if nul_key.status_code != 400:
                failures.append((name, "nul key", nul_key.status_code))
        if not _reaches_the_view(entry, role):
            continue  # refused before the view reads a parameter (the matrix asserts how)
        for index in _rounds(entry, role):
            value = ODD_VALUES[index]
            # Each parameter gets a different odd value on each round.
            query = {p: ODD_VALUES[(index + i) % len(ODD_VALUES)] for i, p in enumerate(PARAMETERS)}
            response = client.get(url, query)
            if response.status_code >= 500:
                failures.append((name, value[:20], response.status_code))
    assert not failures, "\n".join(map(str, failures))


def test_a_nul_in_the_path_is_a_400(client, users):
    login_verified(client, users["psychologist"])
    response = client.get("/cases/%00/")
    assert response.status_code == 400


SEARCH_LISTS = {
    "referrals:police_list": "police",
    "referrals:incoming": "psychologist",
    "casework:case_list": "psychologist",
    "casework:survivor_cases": "survivor_worker",
    "programmes:templates": "psychologist",
    "programmes:groups": "psychologist",
}


@pytest.mark.parametrize("name", sorted(SEARCH_LISTS))
def test_a_nul_in_a_search_box_is_refused_and_the_list_still_works(name, client, users, world):  # noqa: F811
    login_verified(client, users[SEARCH_LISTS[name]])
    url = reverse(name)
    response = client.post(url, {"q": "Асан\x00ов"}, follow=True)
    assert response.status_code == 200
    assert "A search cannot contain control characters" in response.content.decode()
    assert response.context["search_term"] == ""
    # The next visits are fine too: nothing poisoned was kept.
    again = client.get(url)
    assert again.status_code == 200
    assert again.context["search_term"] == ""


@pytest.mark.parametrize("name", sorted(SEARCH_LISTS))
def test_a_search_that_is_too_long_says_so(name, client, users, world):  # noqa: F811
    login_verified(client, users[SEARCH_LISTS[name]])
    url = reverse(name)
    client.post(url, {"q": "Асанов"})
    response = client.post(url, {"q": "а" * (MAX_TERM + 1)}, follow=True)
    assert response.status_code == 200
    assert f"A search can be at most {MAX_TERM} characters" in response.content.decode()
    # The previous search stays; the long one is not silently cut.
    assert response.context["search_term"] == "Асанов"


def test_a_search_poisoned_before_the_fix_is_forgotten(client, users, world):  # noqa: F811
    from core import crypto

    login_verified(client, users["psychologist"])
    session = client.session
    session["search:casework:case_list"] = crypto.encrypt("Асан\x00ов")
    session.save()
    response = client.get(reverse("casework:case_list"))
    assert response.status_code == 200
    assert response.context["search_term"] == ""


class _PostForms(HTMLParser):
    """The POST forms of a page: their action and the names of their fields."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, set[str]]] = []
        self._current: tuple[str, set[str]] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._current = (attrs.get("action") or "", set())
            self.forms.append(self._current)
        elif tag in {"input", "select", "textarea"} and self._current is not None and attrs.get("name"):
            if attrs.get("type") not in {"submit", "button"} and attrs["name"] != "csrfmiddlewaretoken":
                self._current[1].add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


@pytest.mark.parametrize("role", ["police", "psychologist", "manager", "survivor_worker"])
def test_no_form_answers_500_to_a_nul_in_every_field(role, world, users, client):  # noqa: F811
    """Every POST form on every page the role can open, sent with a NUL in
    each field: a field error (200) or a refusal, never a 500, and nothing
    is created that the next page load trips on."""
    client = _client_for(role, users, client)
    failures = []
    posted = 0
    for name in GET_URLS:
        entry = MATRIX[name]
        if entry.api or name in {"accounts:logout", "set_language"}:
            continue
        url = reverse(name, kwargs=entry.kwargs(world))
        page = client.get(url)
        if page.status_code != 200 or "text/html" not in page.get("Content-Type", ""):
            continue
        parser = _PostForms()
        parser.feed(page.content.decode())
        for action, fields in parser.forms:
            target = action or url
            if "logout" in target or "i18n" in target:
                continue
            response = client.post(target, {field: "Асан\x00ов" for field in fields})
            posted += 1
            if response.status_code >= 500:
                failures.append((name, target, response.status_code))
        if client.get(url).status_code >= 500:
            failures.append((name, "after", "500"))
    print(role, posted)
    assert posted >= 3
    assert not failures, "\n".join(map(str, failures))


def test_the_api_answers_400_to_a_nul_in_a_json_body(users, orgs):
    from accounts.tokens import api_token_create
    from tests.api.conftest import referral_body

    _row, token = api_token_create(user=users["police"], name="nul")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    body = referral_body(orgs["provider"].pk)
    body["incident_description"] = "Он уда\x00рил"
    response = api.post(reverse("api-referral-create"), data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "The request contains a NUL character, which is not allowed."}
    # A NUL hidden in a key is refused the same way.
    body = referral_body(orgs["provider"].pk)
    body["person"]["a\x00"] = "x"
    response = api.post(reverse("api-referral-create"), data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400


def test_the_api_answers_400_to_a_nul_in_the_query_string(users):
    from accounts.tokens import api_token_create

    _row, token = api_token_create(user=users["police"], name="nul")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api.get(reverse("api-provider-list"), {"country": "\x00"})
    assert response.status_code == 400
    assert response.json() == {"detail": "The request contains a NUL character, which is not allowed."}
