"""Every URL of the app × every role × own vs other organisation.

Each URL name must have an entry in MATRIX; a new URL without one fails
``test_every_url_has_an_entry``. For each entry and each standing user the
expected status is:
- ``ok`` roles: 200 (or the entry's ``ok_status``),
- ``hidden`` roles (the same role in another organisation): 404,
- every other signed-in role: 403,
- anonymous: a redirect to sign-in (web) or 401 (API), unless ``public``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests import factories as f
from tests.conftest import login_verified

ROLES = [
    "anonymous",
    "police",
    "police2",
    "psychologist",
    "social_worker",
    "manager",
    "provider_admin",
    "survivor_worker",
    "monitoring",
    "other_police",
    "other_psychologist",
    "other_survivor_worker",
]
POLICE = {"police", "police2"}
CLINICAL = {"psychologist", "social_worker"}
PROVIDER_STAFF = CLINICAL | {"manager"}


@dataclass
class Entry:
    kwargs: Callable[[dict], dict] = lambda w: {}
    ok: set = field(default_factory=set)
    hidden: set = field(default_factory=set)
    ok_status: int = 200
    public: bool = False
    api: bool = False
    method: str = "get"
    # For the few pages that answer every signed-in user the same way.
    everyone: int | None = None
    # Per-role exceptions to the rules above.
    special: dict = field(default_factory=dict)


def ref_new(w):
    return {"pk": w["ref_new"].pk}


def case_kw(w):
    return {"pk": w["case"].pk}


def survivor_kw(w):
    return {"pk": w["case"].pk, "survivor_pk": w["survivor"].pk}


MATRIX: dict[str, Entry] = {
    # Each role is sent to where its work starts; an org admin has a home page.
    "core:home": Entry(everyone=302, special={"provider_admin": 200}),
    "core:healthz": Entry(public=True, everyone=200),
    "core:overview": Entry(ok={"monitoring", "manager"}),
    # A signed-in user is sent on from the sign-in page.
    "accounts:login": Entry(public=True, everyone=302, special={"anonymous": 200}),
    "accounts:logout": Entry(public=True, everyone=405),
    "accounts:verify": Entry(everyone=302),
    "accounts:two_factor_setup": Entry(everyone=302),
    "set_language": Entry(public=True, everyone=302),
    "referrals:police_list": Entry(ok=POLICE | {"other_police"}),
    "referrals:create": Entry(ok=POLICE | {"other_police"}),
    "referrals:police_detail": Entry(ref_new, ok=POLICE, hidden={"other_police"}),
    "referrals:extend_order": Entry(ref_new, ok=POLICE, hidden={"other_police"}),
    "referrals:incoming": Entry(ok=PROVIDER_STAFF | {"other_psychologist"}),
    "referrals:screen": Entry(ref_new, ok=PROVIDER_STAFF, hidden={"other_psychologist"}),
    "referrals:criteria": Entry(ok={"manager", "provider_admin"}),
    "referrals:criteria_adopt": Entry(ok={"manager", "provider_admin"}, method="post", ok_status=302),
    "referrals:criterion_add": Entry(ok={"manager", "provider_admin"}),
    "referrals:criterion_edit": Entry(lambda w: {"pk": w["criterion"].pk}, ok={"manager", "provider_admin"}),
    "referrals:criterion_deactivate": Entry(
        lambda w: {"pk": w["criterion"].pk}, ok={"manager", "provider_admin"}, method="post", ok_status=302
    ),
    "casework:case_list": Entry(ok=PROVIDER_STAFF | {"other_psychologist"}),
    "casework:survivor_cases": Entry(ok={"survivor_worker", "other_survivor_worker"}),
    "casework:intake": Entry(
        lambda w: {"referral_pk": w["ref_accepted"].pk}, ok=CLINICAL, hidden={"other_psychologist"}
    ),
    "casework:case_detail": Entry(
        case_kw, ok=PROVIDER_STAFF | {"survivor_worker"}, hidden={"other_psychologist", "other_survivor_worker"}
    ),
    "casework:risk_reassess": Entry(case_kw, ok=CLINICAL, hidden={"other_psychologist"}),
    "casework:consent_record": Entry(
        case_kw, ok=CLINICAL | {"survivor_worker"}, hidden={"other_psychologist", "other_survivor_worker"}
    ),
    "casework:refer_survivor_service": Entry(case_kw, ok=CLINICAL, hidden={"other_psychologist"}),
    "casework:survivor_detail": Entry(survivor_kw, ok={"survivor_worker"}, hidden={"other_survivor_worker"}),
    "casework:survivor_contact": Entry(
        survivor_kw, ok=CLINICAL | {"survivor_worker"}, hidden={"other_psychologist", "other_survivor_worker"}
    ),
    "casework:safety_plan": Entry(survivor_kw, ok={"survivor_worker"}, hidden={"other_survivor_worker"}),
    "api-schema": Entry(public=True, everyone=200, api=True),
    "api-referral-create": Entry(ok=POLICE | {"other_police"}, api=True, ok_status=405),
    "api-referral-detail": Entry(lambda w: {"id": w["ref_new"].pk}, ok=POLICE, hidden={"other_police"}, api=True),
    "api-provider-list": Entry(ok=POLICE | {"other_police"}, api=True),
}


def _walk(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or namespace
            if ns == "admin":
                continue  # the admin has its own staff + second-factor guard
            yield from _walk(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name
        elif isinstance(pattern, URLPattern):
            yield f"(unnamed) {pattern.pattern}"


def test_every_url_has_an_entry():
    names = set(_walk(get_resolver().url_patterns))
    assert sorted(names - set(MATRIX)) == [], "add these URLs to the permission matrix"
    assert sorted(set(MATRIX) - names) == [], "these matrix entries name URLs that no longer exist"


@pytest.fixture
def world(users, orgs):
    from referrals.services import criteria_adopt_defaults

    ref_new = f.make_referral(police=users["police"], provider=orgs["provider"])
    ref_accepted = f.accept(f.make_referral(police=users["police"], provider=orgs["provider"]), users["psychologist"])
    case = f.open_case(f.make_referral(police=users["police"], provider=orgs["provider"]), users["psychologist"])
    from casework.services import survivor_service_refer

    survivor_service_refer(case=case, organisation=orgs["survivor_service"], by=users["social_worker"])
    criteria = criteria_adopt_defaults(provider=orgs["provider"], by=users["manager"])
    return {
        "ref_new": ref_new,
        "ref_accepted": ref_accepted,
        "case": case,
        "survivor": case.referral.survivors.get(),
        "criterion": criteria[0],
    }


def _expected(entry: Entry, role: str) -> int:
    if role in entry.special:
        return entry.special[role]
    if role == "anonymous":
        if entry.public:
            return entry.everyone
        return 401 if entry.api else 302
    if entry.everyone is not None:
        return entry.everyone
    if role in entry.ok:
        return entry.ok_status
    if role in entry.hidden:
        return 404
    return 403


CASES = [(name, role) for name in MATRIX for role in ROLES]


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_status(name, role, world, users, client):
    entry = MATRIX[name]
    url = reverse(name, kwargs=entry.kwargs(world))
    if entry.api:
        api = APIClient()
        if role != "anonymous":
            token, _ = Token.objects.get_or_create(user=users[role])
            api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        response = getattr(api, entry.method)(url)
    else:
        if role != "anonymous":
            login_verified(client, users[role])
        response = getattr(client, entry.method)(url)
    expected = _expected(entry, role)
    assert response.status_code == expected, f"{name} as {role}: {response.status_code}, expected {expected}"
    if role == "anonymous" and expected == 302 and not entry.public:
        assert response["Location"].startswith(reverse("accounts:login"))
