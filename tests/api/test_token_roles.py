"""A token whose holder's role has no use for the API is refused at
authentication: a 401 with a sentence that says why, on every endpoint
(those open to any signed-in caller too), not a 403 from one view's check.

Such a token exists when a script made it (``api_token_create`` does not
ask the role) or when its holder changed role after it was issued."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ROLES_BY_KIND, Membership, Role
from accounts.permissions import check
from accounts.scope import Scope
from accounts.tokens import api_token_create
from referrals.models import Referral
from tests import factories as f
from tests.api.conftest import referral_body

REFUSED = {
    "detail": (
        "The holder of this token has a role with no use for the API, so the token is refused. Ask your "
        "organisation's administrator which member's token your system should use."
    )
}

# Every (organisation kind, role) whose members may not use the API: every
# organisation's administrator, a survivor service's programme manager, a
# probation officer and a prison's facility officer.
WITHOUT_API_USE = sorted(
    [(kind, Role.ORG_ADMIN) for kind in ROLES_BY_KIND]
    + [
        ("survivor_service", Role.PROGRAMME_MANAGER),
        ("probation_service", Role.PROBATION_OFFICER),
        ("prison", Role.FACILITY_OFFICER),
    ]
)


def _client(user) -> APIClient:
    _row, token = api_token_create(user=user, name="script")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_the_list_is_every_role_the_api_user_check_refuses(db):
    refused = sorted(
        (kind, role)
        for kind, roles in ROLES_BY_KIND.items()
        for role in roles
        if not check("api_user", Scope.for_user(f.make_user(f.make_org(kind), role)))
    )
    assert refused == WITHOUT_API_USE


@pytest.mark.parametrize(("kind", "role"), WITHOUT_API_USE, ids=[f"{k}-{r}" for k, r in WITHOUT_API_USE])
def test_a_token_of_a_role_without_api_use_is_a_401(db, kind, role):
    client = _client(f.make_user(f.make_org(kind), role))

    for url in (reverse("api-programme-templates"), reverse("api-referral-create")):
        response = client.get(url)
        assert response.status_code == 401, url
        assert response.json() == REFUSED
        assert response["WWW-Authenticate"] == "Token"
    # The reference, open to any signed-in caller, is refused too.
    assert client.get(reverse("api-schema")).status_code == 401


def test_a_post_with_such_a_token_saves_nothing(users, orgs):
    police_admin = f.make_user(orgs["police"], Role.ORG_ADMIN, "police_admin")

    response = _client(police_admin).post(
        reverse("api-referral-create"), referral_body(orgs["provider"].pk), format="json"
    )

    assert response.status_code == 401
    assert response.json() == REFUSED
    assert not Referral.objects.exists()


def test_a_holder_who_changes_to_a_role_without_api_use_loses_the_api(users):
    client = _client(users["police2"])
    url = reverse("api-referral-create")
    assert client.get(url).status_code == 200

    Membership.objects.filter(user=users["police2"]).update(role=Role.ORG_ADMIN)

    response = client.get(url)
    assert response.status_code == 401
    assert response.json() == REFUSED


@pytest.mark.parametrize("role", ["police", "judge", "monitoring_officer", "manager", "survivor_worker"])
def test_a_role_with_api_use_is_let_in(users, role):
    response = _client(users[role]).get(reverse("api-programme-templates"))
    assert response.status_code == 200
