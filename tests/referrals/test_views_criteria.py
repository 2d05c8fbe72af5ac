"""A provider's own eligibility criteria: adapt the country defaults, add,
edit, deactivate."""

import pytest
from django.urls import reverse

from referrals.models import EligibilityCriterion
from referrals.selectors import criteria_for_provider

CRITERIA = reverse("referrals:criteria")
ADOPT = reverse("referrals:criteria_adopt")
ADD = reverse("referrals:criterion_add")


def edit_url(criterion):
    return reverse("referrals:criterion_edit", args=[criterion.pk])


def deactivate_url(criterion):
    return reverse("referrals:criterion_deactivate", args=[criterion.pk])


def criterion_post(**overrides):
    data = {
        "code": "no-weapons-licence",
        "text_ru": "Нет разрешения на оружие",
        "text_en": "Holds no weapons licence",
        "effect": "required",
        "position": "5",
        "is_active": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def own(orgs):
    return EligibilityCriterion.objects.filter(organisation=orgs["provider"])


@pytest.fixture
def adopted(client, login, users, orgs):
    login(users["manager"])
    client.post(ADOPT)
    return {c.code: c for c in own(orgs)}


@pytest.mark.parametrize("role", ["manager", "provider_admin"])
def test_managers_see_the_country_defaults_and_can_adapt_them(client, login, users, orgs, role):
    login(users[role])
    response = client.get(CRITERIA)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Your organisation uses the default criteria of its country:" in content
    assert (
        "No addiction to alcohol, narcotics, psychotropic substances or gambling (otherwise basic therapy first)"
        in content
    )
    assert "Violence was only or mostly within the family" not in content  # Tajikistan's
    assert "Adapt for our organisation" in content
    assert not own(orgs).exists()


@pytest.mark.parametrize("role", ["psychologist", "social_worker", "police", "survivor_worker", "monitoring"])
def test_other_roles_cannot_manage_criteria(client, login, users, orgs, role):
    login(users[role])
    assert client.get(CRITERIA).status_code == 403
    assert client.post(ADOPT).status_code == 403
    assert client.post(ADD, criterion_post()).status_code == 403
    assert not own(orgs).exists()


def test_adapting_copies_the_defaults_once(client, login, users, orgs):
    login(users["manager"])
    response = client.post(ADOPT, follow=True)
    assert "2 criteria copied." in response.content.decode()
    assert sorted(own(orgs).values_list("code", "effect")) == [
        ("no_addiction", "basic_therapy_first"),
        ("no_mental_disorder", "basic_therapy_first"),
    ]
    response = client.post(ADOPT, follow=True)
    assert "There was nothing to copy." in response.content.decode()
    assert own(orgs).count() == 2
    assert {c.organisation_id for c in criteria_for_provider(orgs["provider"])} == {orgs["provider"].pk}


def test_adapting_is_post_only(client, login, users):
    login(users["manager"])
    assert client.get(ADOPT).status_code == 405


def test_adding_a_criterion(client, login, users, orgs, adopted):
    response = client.post(ADD, criterion_post(), follow=True)
    assert response.redirect_chain == [(CRITERIA, 302)]
    assert "Criterion saved." in response.content.decode()
    added = own(orgs).get(code="no-weapons-licence")
    assert (added.text_en, added.text_ru, added.effect, added.position, added.country) == (
        "Holds no weapons licence",
        "Нет разрешения на оружие",
        "required",
        5,
        "KG",
    )
    assert "no-weapons-licence" in [c.code for c in criteria_for_provider(orgs["provider"])]


def test_a_first_own_criterion_warns_that_it_replaces_the_defaults(client, login, users):
    login(users["manager"])
    content = client.get(ADD).content.decode()
    assert "it replaces the country defaults in new screenings" in content


def test_it_rejects_a_code_the_organisation_already_uses(client, login, users, orgs, adopted):
    response = client.post(ADD, criterion_post(code="no_addiction"))
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["Your organisation already has a criterion with this code."]
    assert own(orgs).count() == 2


def test_the_same_code_is_fine_in_another_organisation(client, login, users, orgs):
    login(users["manager"])
    EligibilityCriterion.objects.create(
        organisation=orgs["other_provider"], country="TJ", code="shared", text_en="x", text_ru="x"
    )
    assert client.post(ADD, criterion_post(code="shared")).status_code == 302
    assert own(orgs).filter(code="shared").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"text_en": ""}, "text_en", "This field is required."),
        ({"text_ru": "   "}, "text_ru", "This field is required."),
        ({"text_ru": "я" * 301}, "text_ru", "Ensure this value has at most 300 characters (it has 301)."),
        (
            {"code": "no weapons!"},
            "code",
            "Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.",
        ),
        ({"code": "c" * 51}, "code", "Ensure this value has at most 50 characters (it has 51)."),
        ({"effect": "sometimes"}, "effect", "Select a valid choice. sometimes is not one of the available choices."),
    ],
)
def test_it_rejects_bad_criteria(client, login, users, orgs, overrides, field, message):
    login(users["manager"])
    response = client.post(ADD, criterion_post(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert not own(orgs).exists()


def test_editing_an_own_criterion(client, login, users, orgs, adopted):
    criterion = adopted["no_addiction"]
    assert client.get(edit_url(criterion)).context["form"]["code"].value() == "no_addiction"
    data = criterion_post(code="no_addiction", text_en="No addiction", effect="required", position="1")
    assert client.post(edit_url(criterion), data).status_code == 302
    criterion.refresh_from_db()
    assert (criterion.text_en, criterion.effect) == ("No addiction", "required")
    # the shipped default is untouched
    default = EligibilityCriterion.objects.get(organisation=None, country="KG", code="no_addiction")
    assert (
        default.text_en
        == "No addiction to alcohol, narcotics, psychotropic substances or gambling (otherwise basic therapy first)"
    )


def test_renaming_onto_another_own_code_is_refused(client, login, users, orgs, adopted):
    response = client.post(edit_url(adopted["no_addiction"]), criterion_post(code="no_mental_disorder"))
    assert response.context["form"].errors["code"] == ["Your organisation already has a criterion with this code."]
    assert own(orgs).filter(code="no_addiction").exists()


def test_shipped_defaults_and_other_organisations_criteria_are_404(client, login, users, orgs):
    login(users["manager"])
    default = EligibilityCriterion.objects.get(organisation=None, country="KG", code="no_addiction")
    foreign = EligibilityCriterion.objects.create(
        organisation=orgs["other_provider"], country="TJ", code="foreign", text_en="x", text_ru="x"
    )
    for criterion in (default, foreign):
        assert client.get(edit_url(criterion)).status_code == 404
        assert client.post(edit_url(criterion), criterion_post()).status_code == 404
        assert client.post(deactivate_url(criterion)).status_code == 404
    foreign.refresh_from_db()
    default.refresh_from_db()
    assert foreign.is_active and default.is_active and foreign.text_en == "x"


def test_deactivating_an_own_criterion(client, login, users, orgs, adopted):
    criterion = adopted["no_mental_disorder"]
    response = client.post(deactivate_url(criterion), follow=True)
    assert "Criterion deactivated." in response.content.decode()
    criterion.refresh_from_db()
    assert criterion.is_active is False
    assert [c.code for c in criteria_for_provider(orgs["provider"])] == ["no_addiction"]
    assert "inactive" in response.content.decode()


def test_with_every_own_criterion_inactive_the_page_says_the_defaults_apply(client, login, users, orgs, adopted):
    for criterion in adopted.values():
        client.post(deactivate_url(criterion))
    content = client.get(CRITERIA).content.decode()
    assert "criteria is active, so screenings use the country defaults." in content


def test_deactivating_is_post_only(client, login, users, orgs, adopted):
    assert client.get(deactivate_url(adopted["no_addiction"])).status_code == 405


def test_a_psychologist_cannot_edit_criteria(client, login, users, orgs, adopted):
    login(users["psychologist"])
    criterion = adopted["no_addiction"]
    assert client.get(edit_url(criterion)).status_code == 403
    assert client.post(deactivate_url(criterion)).status_code == 403
    criterion.refresh_from_db()
    assert criterion.is_active


def test_the_criteria_services_refuse_other_organisations_and_roles(users, orgs):
    from django.core.exceptions import PermissionDenied

    from referrals import services

    data = {"code": "x", "text_en": "x", "text_ru": "x", "effect": "required"}
    for user in (users["psychologist"], users["other_psychologist"], users["police"]):
        with pytest.raises(PermissionDenied):
            services.criterion_save(provider=orgs["provider"], by=user, **data)
        with pytest.raises(PermissionDenied):
            services.criteria_adopt_defaults(provider=orgs["provider"], by=user)
    default = EligibilityCriterion.objects.get(organisation=None, country="KG", code="no_addiction")
    with pytest.raises(PermissionDenied):
        services.criterion_deactivate(criterion=default, by=users["manager"])
    with pytest.raises(PermissionDenied):
        services.criterion_save(provider=orgs["provider"], by=users["manager"], criterion=default, **data)
    assert not own(orgs).exists()
