"""template_copy and template_update: providers adapt copies; a template in
use is never changed under running enrolments (it is versioned)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from programmes import services
from programmes.models import ProgrammeTemplate
from tests import factories as f
from tests.programmes.conftest import days


@pytest.fixture
def copy(men, users, orgs):
    return services.template_copy(template=men, provider=orgs["provider"], by=users["manager"])


# --- template_copy -------------------------------------------------------------


def test_copy_belongs_to_the_provider_and_points_to_its_parent(copy, men, orgs):
    assert copy.provider == orgs["provider"]
    assert copy.code == f"{men.code}-p{orgs['provider'].pk}"
    assert (copy.version, copy.status, copy.parent) == (1, "active", men)
    assert copy.curriculum == men.curriculum
    assert (copy.individual_sessions, copy.group_sessions, copy.span_weeks) == (2, 24, 26)


def test_copying_twice_makes_a_new_code(copy, men, users, orgs):
    second = services.template_copy(template=men, provider=orgs["provider"], by=users["psychologist"])
    assert second.code == f"{copy.code}-2"


def test_copy_of_a_draft_stays_a_draft_and_takes_the_providers_country(users, orgs):
    draft = f.shipped_template("tm-pilot")
    copy = services.template_copy(template=draft, provider=orgs["provider"], by=users["manager"])
    assert copy.status == "draft"
    assert copy.country == "KG"


def test_copy_of_another_providers_template_is_refused(men, users, orgs):
    theirs = services.template_copy(template=men, provider=orgs["other_provider"], by=users["other_psychologist"])
    with pytest.raises(ValidationError) as exc:
        services.template_copy(template=theirs, provider=orgs["provider"], by=users["manager"])
    assert exc.value.message_dict == {"template": ["You can copy the shipped templates and your own."]}


@pytest.mark.parametrize("who", ["police", "survivor_worker", "provider_admin", "monitoring", "other_psychologist"])
def test_copy_by_anyone_but_the_providers_staff_is_denied(men, users, orgs, who):
    with pytest.raises(PermissionDenied):
        services.template_copy(template=men, provider=orgs["provider"], by=users[who])
    assert not ProgrammeTemplate.objects.filter(provider=orgs["provider"]).exists()


# --- template_update -------------------------------------------------------------


def test_a_shipped_template_is_read_only(men, users):
    with pytest.raises(ValidationError) as exc:
        services.template_update(template=men, by=users["manager"], name="Mine now")
    assert exc.value.message_dict == {
        "__all__": ["The shipped templates cannot be changed; copy the template and adapt the copy."]
    }
    men.refresh_from_db()
    assert men.name.startswith("Kyrgyzstan Annex 3")


def test_an_unused_copy_is_changed_in_place(copy, users):
    updated = services.template_update(
        template=copy, by=users["manager"], name="Bishkek men's programme", curriculum=["  Anger  ", "", "Respect"]
    )
    assert updated.pk == copy.pk
    copy.refresh_from_db()
    assert (copy.name, copy.version, copy.curriculum) == ("Bishkek men's programme", 1, ["Anger", "Respect"])
    assert ProgrammeTemplate.objects.filter(code=copy.code).count() == 1


def test_a_copy_with_enrolments_is_versioned_and_the_old_version_retired(copy, users, group_of, new_case, enrol):
    group = group_of(copy)
    enrolment = enrol(new_case(), copy, group)
    new = services.template_update(template=copy, by=users["manager"], group_sessions=20, dropout_total=4)
    assert new.pk != copy.pk
    assert (new.code, new.version, new.parent, new.status) == (copy.code, 2, copy, "active")
    assert (new.group_sessions, new.dropout_total) == (20, 4)
    copy.refresh_from_db()
    assert (copy.status, copy.group_sessions, copy.dropout_total) == ("retired", 24, 6)
    enrolment.refresh_from_db()
    assert enrolment.template == copy
    assert group.sessions.count() == 24


def test_a_retired_version_cannot_be_changed(copy, users, group_of):
    group_of(copy)
    services.template_update(template=copy, by=users["manager"], name="Version two")
    with pytest.raises(ValidationError) as exc:
        services.template_update(template=copy, by=users["manager"], name="Version three")
    assert exc.value.message_dict == {"__all__": ["This version is retired; change the current version."]}


def test_a_status_change_of_a_template_in_use_is_made_in_place(copy, users, group_of):
    group_of(copy)
    same = services.template_update(template=copy, by=users["manager"], status="draft")
    assert (same.pk, same.version, same.status) == (copy.pk, 1, "draft")


def test_a_draft_copy_can_be_activated(users, orgs):
    copy = services.template_copy(
        template=f.shipped_template("tm-pilot"), provider=orgs["provider"], by=users["manager"]
    )
    active = services.template_update(template=copy, by=users["manager"], status="active", languages=["ru", "ky"])
    assert (active.status, active.languages) == ("active", ["ru", "ky"])


def test_update_by_another_provider_is_denied(copy, users):
    with pytest.raises(PermissionDenied):
        services.template_update(template=copy, by=users["other_psychologist"], name="Ours")


def test_update_by_police_is_denied(copy, users):
    with pytest.raises(PermissionDenied):
        services.template_update(template=copy, by=users["police"], name="Ours")


def test_update_refuses_a_cadence_that_does_not_fit_the_span(copy, users):
    with pytest.raises(ValidationError) as exc:
        services.template_update(template=copy, by=users["manager"], span_weeks=20)
    # 2 individual (days 0, 7), 24 weekly group sessions from day 14: the last on day 175.
    assert exc.value.message_dict == {"span_weeks": ["The sessions need 176 days but the span is 140 days."]}
    copy.refresh_from_db()
    assert copy.span_weeks == 26


def test_update_refuses_empty_curriculum_no_sessions_no_language_and_zero_dropout(copy, users):
    with pytest.raises(ValidationError) as exc:
        services.template_update(
            template=copy,
            by=users["manager"],
            curriculum=["  "],
            individual_sessions=0,
            group_sessions=0,
            languages=[],
            dropout_consecutive=0,
        )
    errors = exc.value.message_dict
    assert errors["curriculum"] == ["Enter at least one topic."]
    assert errors["group_sessions"] == ["A programme needs at least one session."]
    assert errors["languages"] == ["Choose at least one language."]
    assert errors["dropout_consecutive"] == ["Ensure this value is greater than or equal to 1."]


def test_update_refuses_an_unknown_language(copy, users):
    with pytest.raises(ValidationError) as exc:
        services.template_update(template=copy, by=users["manager"], languages=["ru", "xx"])
    assert list(exc.value.message_dict) == ["languages"]


def test_update_refuses_more_hours_than_the_sessions_give(copy, users):
    with pytest.raises(ValidationError) as exc:
        services.template_update(template=copy, by=users["manager"], hours_required=Decimal("60"))
    assert exc.value.message_dict == {
        "hours_required": ["The sessions add up to 50.0 hours, fewer than the 60 hours required."]
    }


def test_update_refuses_unknown_fields(copy, users):
    with pytest.raises(ValueError, match="provider"):
        services.template_update(template=copy, by=users["manager"], provider=None)


def test_every_shipped_template_passes_its_own_validation(db):
    for template in ProgrammeTemplate.objects.filter(provider=None):
        template.full_clean()


def test_a_new_version_keeps_a_running_group_open_to_new_people(copy, users, group_of, new_case, enrol):
    """Groups of an older version of the same programme keep taking people
    enrolled in the current version."""
    group = group_of(copy, starts_on=days(14))
    enrol(new_case(), copy, group)
    v2 = services.template_update(template=copy, by=users["manager"], notes="Adapted curriculum notes")
    second = enrol(new_case(), v2, group)
    assert (second.template, second.group) == (v2, group)
