"""Every API endpoint is scoped exactly as its web page: one rule for both.

``tests/test_permission_matrix.py`` calls every API endpoint with a token of
every standing role (``api=True`` entries) and checks the status; here, that
every endpoint is in it that way, that each admits its roles through a
``CHECKS`` predicate (``accounts.api_permissions.Allows``), and that it admits
the same roles as the page that shows the same records."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.permissions import IsAuthenticated

from accounts.permissions import CHECKS
from tests.test_permission_matrix import MATRIX

# API endpoint -> the page that shows the same records.
SAME_AS_PAGE = {
    "api-referral-create": "referrals:police_list",
    "api-referral-detail": "referrals:police_detail",
    "api-referral-history": "referrals:police_detail",
    "api-provider-list": "referrals:create",
    "api-enrolments": "programmes:today",
    "api-enrolment-attendance": "programmes:enrolment_detail",
    "api-reports-outcomes": "reports:dashboard",
}
# Served to any signed-in caller (the reference and reference data).
OPEN_TO_MEMBERS = {"api-schema", "api-docs", "api-programme-templates"}


def _api_patterns(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _api_patterns(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.startswith("api/"):
            yield pattern


API = {p.name: p for p in _api_patterns(get_resolver().url_patterns)}


def test_every_api_endpoint_is_called_with_a_token_by_the_matrix():
    assert set(API) == set(SAME_AS_PAGE) | OPEN_TO_MEMBERS
    assert all(MATRIX[name].api for name in API)


@pytest.mark.parametrize("name", sorted(set(API) - {"api-schema", "api-docs"}))
def test_each_endpoint_asks_a_named_check(name):
    permissions = API[name].callback.view_class.permission_classes
    assert permissions[0] is IsAuthenticated
    checks = [getattr(p, "check", None) for p in permissions[1:]]
    assert len(checks) == 1 and checks[0] in CHECKS, f"{name}: {permissions}"


@pytest.mark.parametrize(("api", "page"), sorted(SAME_AS_PAGE.items()))
def test_it_admits_the_roles_its_page_admits(api, page):
    assert (MATRIX[api].ok, MATRIX[api].hidden) == (MATRIX[page].ok, MATRIX[page].hidden)
