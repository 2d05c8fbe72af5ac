"""The API reference says, for every operation, exactly which token roles
may call it: the roles it names are those it admits, and no other role's
token gets past its 403.

GIVEN a token of every role that may hold one (``API_ROLES``), WHEN each
calls each documented operation, THEN the documented roles are answered
(200, 400 or 404) and every other role gets 403."""

from __future__ import annotations

from functools import cache

import pytest
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator

from accounts.api_schema import role_label
from accounts.models import Organisation, Role
from accounts.permissions import API_ROLES
from tests import factories as f

TOKEN_ROLES = [(kind, role) for kind, roles in API_ROLES.items() for role in sorted(roles)]


@cache
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def operations() -> list[tuple[str, str]]:
    return [(method, path) for path, methods in schema()["paths"].items() for method in methods]


def documented(method: str, path: str) -> set[tuple[str, str]]:
    roles = schema()["paths"][path][method]["x-token-roles"]["roles"]
    return {(r["organisation_kind"], r["role"]) for r in roles}


def test_every_operation_names_its_check_and_roles():
    for method, path in operations():
        operation = schema()["paths"][path][method]
        view = resolve(path.replace("{id}", "1")).func.view_class
        [check] = [p.check for p in view.permission_classes if hasattr(p, "check")]
        assert operation["x-token-roles"]["check"] == check, (method, path)
        roles = documented(method, path)
        assert roles, f"{method} {path} admits no token"
        for kind, role in roles:
            assert role_label(kind, role) in operation["description"], (method, path, role)
        assert "403" in operation["responses"], (method, path)


def test_the_table_lists_every_role_that_may_hold_a_token():
    description = schema()["info"]["description"]
    for kind, role in TOKEN_ROLES:
        [row] = [line for line in description.splitlines() if line.startswith(f"| {role_label(kind, role)} |")]
        for method, path in operations():
            assert (f"`{method.upper()} {path}`" in row) == ((kind, role) in documented(method, path)), row


def test_the_referral_operations_name_every_referring_body():
    roles = documented("post", "/api/v1/referrals/")
    assert (Organisation.Kind.COURT, Role.JUDGE) in roles
    assert (Organisation.Kind.MINISTRY_DEPARTMENT, Role.MINISTRY_OFFICER) in roles
    assert (Organisation.Kind.PROGRAMME_PROVIDER, Role.PSYCHOLOGIST) not in roles
    assert "police officers." not in schema()["paths"]["/api/v1/referrals/"]["post"]["description"]


@pytest.fixture
def tokens(db, api):
    """An API client for a token of every role that may hold one."""
    clients = {}
    for kind, role in TOKEN_ROLES:
        org = f.make_org(kind)
        clients[(kind, role)] = api(f.make_user(org, role))
    return clients


def _call(client, method: str, path: str):
    url = path.replace("{id}", "999999")
    if method == "post":
        return client.post(url, {}, format="json")
    return client.get(url)


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), operations())
def test_the_documented_roles_are_exactly_those_admitted(tokens, method, path):
    roles = documented(method, path)
    for pair, client in tokens.items():
        status = _call(client, method, path).status_code
        if pair in roles:
            assert status in {200, 400, 404}, (pair, status)
        else:
            assert status == 403, (pair, status)
