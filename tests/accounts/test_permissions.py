"""The access module: named checks, the services' require_* guards and the
selectors' 404 helper."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.permissions import (
    CHECKS,
    get_visible_or_404,
    require_clinical,
    require_criteria_editor,
    require_staff,
    require_survivor_worker,
)
from accounts.scope import Scope
from casework.models import Case
from tests.test_permission_matrix import ROLES

pytestmark = pytest.mark.django_db

MEMBERS = [role for role in ROLES if role != "anonymous"]

# Who passes each check, among the standing users (everyone else fails it).
PASSES = {
    "member": set(MEMBERS),
    "police": {"police", "police2", "other_police"},
    "provider_staff": {"psychologist", "social_worker", "manager", "other_psychologist"},
    "clinical": {"psychologist", "social_worker", "other_psychologist"},
    "manager": {"manager"},
    "survivor_worker": {"survivor_worker", "other_survivor_worker"},
    "monitoring_body": {"monitoring"},
    "monitor": {"monitoring", "manager"},
    "case_reader": {
        "psychologist",
        "social_worker",
        "manager",
        "other_psychologist",
        "survivor_worker",
        "other_survivor_worker",
    },
    "party": {"psychologist", "social_worker", "other_psychologist", "survivor_worker", "other_survivor_worker"},
    "reporter": {
        "psychologist",
        "social_worker",
        "other_psychologist",
        "survivor_worker",
        "other_survivor_worker",
        "police",
        "police2",
        "other_police",
    },
    "acknowledger": {
        "police",
        "police2",
        "other_police",
        "psychologist",
        "social_worker",
        "manager",
        "provider_admin",
        "other_psychologist",
        "survivor_worker",
        "other_survivor_worker",
    },
    "criteria_editor": {"manager", "provider_admin"},
    "reach_viewer": {"manager", "provider_admin"},
    "org_admin": {"provider_admin"},
    "api_user": {
        "police",
        "police2",
        "other_police",
        "psychologist",
        "social_worker",
        "manager",
        "other_psychologist",
        "monitoring",
    },
}


def test_every_check_has_its_expected_users():
    assert set(PASSES) == set(CHECKS)


@pytest.mark.parametrize("name", sorted(PASSES))
def test_check_admits_exactly_its_roles(users, name):
    admitted = {key for key, user in users.items() if CHECKS[name](Scope.for_user(user))}
    assert admitted == PASSES[name]


@pytest.mark.parametrize("name", sorted(PASSES))
def test_no_check_admits_a_user_without_organisation(django_user_model, name):
    loner = django_user_model.objects.create_user(username="loner", password="x")  # noqa: S106
    assert CHECKS[name](Scope.for_user(loner)) is False


def test_require_clinical_admits_the_providers_clinicians_only(users, orgs):
    provider = orgs["provider"].pk
    assert require_clinical(provider, users["psychologist"]).organisation_id == provider
    assert require_clinical(provider, users["social_worker"]).role == "social_worker"
    for key in ("manager", "other_psychologist", "survivor_worker", "police"):
        with pytest.raises(PermissionDenied, match="Only the provider's psychologists and social workers do this."):
            require_clinical(provider, users[key])


def test_require_staff_admits_every_staff_role_of_the_provider(users, orgs):
    provider = orgs["provider"].pk
    for key in ("psychologist", "social_worker", "manager"):
        assert require_staff(provider, users[key]).organisation_id == provider
    for key in ("provider_admin", "other_psychologist", "survivor_worker"):
        with pytest.raises(PermissionDenied, match="Only the provider's staff do this."):
            require_staff(provider, users[key])


def test_require_criteria_editor_admits_managers_and_admins_of_the_provider(users, orgs):
    provider = orgs["provider"].pk
    for key in ("manager", "provider_admin"):
        assert require_criteria_editor(provider, users[key]).organisation_id == provider
    for key in ("psychologist", "other_psychologist"):
        with pytest.raises(PermissionDenied, match="edit its criteria"):
            require_criteria_editor(provider, users[key])


def test_require_survivor_worker_needs_the_service_on_the_case(case_with_service, users):
    assert require_survivor_worker(case_with_service, users["survivor_worker"]).is_survivor_worker
    for key in ("other_survivor_worker", "psychologist"):
        with pytest.raises(PermissionDenied, match="Only a survivor service on this case does this."):
            require_survivor_worker(case_with_service, users[key])


def test_get_visible_or_404_returns_the_visible_object(case):
    assert get_visible_or_404(Case.objects.all(), pk=case.pk) == case


@pytest.mark.parametrize("key", [0, "12abc", None])
def test_get_visible_or_404_is_404_for_a_missing_or_malformed_key(case, key):
    with pytest.raises(Http404, match="No such case."):
        get_visible_or_404(Case.objects.all(), pk=key)


def test_get_visible_or_404_is_404_outside_the_queryset(case):
    with pytest.raises(Http404):
        get_visible_or_404(Case.objects.exclude(pk=case.pk), pk=case.pk)
