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
    "monitoring_body": {"monitoring", "monitoring_officer"},
    "monitor": {"monitoring", "monitoring_officer", "manager"},
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
        "judge",
        "court_clerk",
        "child_protection",
        "social_officer",
        "ministry_officer",
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
    "staff_records": {"manager", "provider_admin"},
    "org_admin": {"provider_admin"},
    # No standing user administers a referring organisation (see
    # tests/notifications/test_webhook_pages.py for the police unit's).
    "webhook_admin": set(),
    "referrer": {
        "police",
        "police2",
        "other_police",
        "judge",
        "court_clerk",
        "child_protection",
        "social_officer",
        "ministry_officer",
        "survivor_worker",
        "other_survivor_worker",
    },
    "court": {"judge", "court_clerk"},
    "sanction_recorder": {"police", "police2", "other_police", "judge", "court_clerk"},
    "order_extender": {"police", "police2", "other_police", "judge", "court_clerk"},
    "probation": {"probation_officer"},
    "facility": {"facility_officer"},
    "post_monitor": {"monitoring_officer", "social_officer", "police", "police2", "other_police"},
    "api_user": {
        "police",
        "police2",
        "other_police",
        "judge",
        "court_clerk",
        "child_protection",
        "social_officer",
        "ministry_officer",
        "survivor_worker",
        "other_survivor_worker",
        "monitoring",
        "monitoring_officer",
        "psychologist",
        "social_worker",
        "manager",
        "other_psychologist",
    },
}

# The checks that open a survivor's data or a clinical record: no agency of
# the pathway other than the provider and the survivor service passes one.
SURVIVOR_OR_CLINICAL = ("clinical", "survivor_worker", "case_reader", "party", "provider_staff", "manager")
AGENCIES = {
    "judge",
    "court_clerk",
    "probation_officer",
    "child_protection",
    "social_officer",
    "monitoring_officer",
    "facility_officer",
    "ministry_officer",
}


def test_every_check_has_its_expected_users():
    assert set(PASSES) == set(CHECKS)


@pytest.mark.parametrize("name", sorted(PASSES))
def test_check_admits_exactly_its_roles(users, name):
    admitted = {key for key, user in users.items() if CHECKS[name](Scope.for_user(user))}
    assert admitted == PASSES[name]


@pytest.mark.parametrize("name", SURVIVOR_OR_CLINICAL)
def test_no_new_agency_passes_a_check_for_survivor_data_or_notes(name):
    assert PASSES[name] & AGENCIES == set()


def test_every_role_of_a_kind_is_allowed_there_and_only_there(orgs):
    """Each kind has its own roles and an administrator; a role of one kind is
    refused in an organisation of another."""
    from django.core.exceptions import ValidationError

    from accounts.models import ROLES_BY_KIND, Membership, Organisation, Role, User

    assert set(ROLES_BY_KIND) == set(Organisation.Kind.values)
    assert set().union(*ROLES_BY_KIND.values()) == set(Role.values)
    for roles in ROLES_BY_KIND.values():
        assert Role.ORG_ADMIN in roles
    user = User.objects.create_user(username="newcomer")
    Membership(user=user, organisation=orgs["court"], role=Role.JUDGE).clean()
    with pytest.raises(ValidationError, match="This role does not exist"):
        Membership(user=user, organisation=orgs["court"], role=Role.PROBATION_OFFICER).clean()


def test_referrer_and_court_are_scope_facts(users):
    assert Scope.for_user(users["court_clerk"]).is_court
    assert Scope.for_user(users["court_clerk"]).is_referrer
    assert not Scope.for_user(users["probation_officer"]).is_referrer
    assert not Scope.for_user(users["manager"]).is_referrer


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
