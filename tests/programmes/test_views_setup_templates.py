"""The programme-template pages: list, detail (with example schedule and
versions), copy and adapt, edit (versioned when in use)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from programmes import services
from programmes.models import ProgrammeTemplate
from tests import factories as f
from tests.programmes.conftest import MEN

LIST = reverse("programmes:templates")


def detail_url(template) -> str:
    return reverse("programmes:template_detail", args=[template.pk])


def edit_url(template) -> str:
    return reverse("programmes:template_edit", args=[template.pk])


def copy_url(template) -> str:
    return reverse("programmes:template_copy", args=[template.pk])


@pytest.fixture
def own(men, users, orgs):
    """The provider's own copy of the voluntary men's programme."""
    return services.template_copy(template=men, provider=orgs["provider"], by=users["manager"])


def edit_data(template: ProgrammeTemplate, **overrides) -> dict:
    data = {
        "name": template.name,
        "source": template.source,
        "status": template.status,
        "mandatory": "on" if template.mandatory else "",
        "sex": template.sex,
        "individual_sessions": template.individual_sessions,
        "group_sessions": template.group_sessions,
        "span_weeks": template.span_weeks,
        "individual_interval_days": template.individual_interval_days,
        "group_interval_days": template.group_interval_days,
        "individual_first": "on" if template.individual_first else "",
        "group_offset_days": template.group_offset_days,
        "individual_minutes": template.individual_minutes,
        "group_minutes": template.group_minutes,
        "facilitation": template.facilitation,
        "hours_required": template.hours_required or "",
        "curriculum": "\n".join(template.curriculum),
        "follow_up_months": ", ".join(str(m) for m in template.follow_up_months),
        "follow_up_close_relations": "on" if template.follow_up_close_relations else "",
        "dropout_consecutive": template.dropout_consecutive or "",
        "dropout_total": template.dropout_total or "",
        "languages": template.languages,
        "notes": template.notes,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


# --- list ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["psychologist", "social_worker", "manager"])
def test_the_list_shows_own_and_the_countrys_shipped_templates(client, login, users, own, role):
    login(users[role])

    response = client.get(LIST)

    assert response.status_code == 200
    listed = response.context["page"].object_list
    assert listed[0] == own  # own first
    shipped = [t for t in listed if t.provider_id is None]
    assert {t.country for t in shipped} == {"KG"}
    assert len(shipped) == ProgrammeTemplate.objects.filter(provider=None, country="KG").count()
    content = " ".join(response.content.decode().split())
    assert "Kyrgyzstan Annex 3, voluntary, men (2 + 24 weekly, 6 months)" in content
    assert "2 individual + 24 group sessions · 26 weeks · 50.0 hours planned" in content
    assert "16.0 hours required" in content  # Ayalzat
    assert "Tajikistan consultation rooms" not in content


def test_the_list_filters_shipped_templates_by_country(client, login, users, own):
    login(users["psychologist"])

    response = client.get(LIST, {"country": "TM"})

    listed = response.context["page"].object_list
    assert [t.code for t in listed] == [own.code, "tm-pilot"]
    assert '<span class="badge text-bg-warning">draft</span>' in response.content.decode()


def test_the_list_shows_every_country_on_request(client, login, users):
    login(users["manager"])

    response = client.get(LIST, {"country": "all"})

    countries = {t.country for t in response.context["page"].object_list}
    assert countries == {"KG", "TJ", "KZ", "UZ", "TM"}


def test_the_list_shows_current_versions_only(client, login, users, own, new_case, group_of, enrol):
    enrol(new_case(), own, group_of(own))
    v2 = services.template_update(template=own, by=users["manager"], name="Bishkek men v2")
    login(users["psychologist"])

    response = client.get(LIST)

    codes = [(t.code, t.version) for t in response.context["page"].object_list]
    assert (own.code, 2) in codes and (own.code, 1) not in codes
    assert v2.name in response.content.decode()


def test_the_search_is_kept_out_of_the_url(client, login, users):
    login(users["psychologist"])

    response = client.post(LIST, {"q": "ayalzat"})

    assert response.status_code == 302 and response["Location"] == LIST
    page = client.get(LIST)
    assert [t.code for t in page.context["page"].object_list] == ["kg-ayalzat-mandatory", "kg-ayalzat-voluntary"]
    assert client.session["search:programmes:templates"].startswith("fernet:")  # never in clear


def test_an_empty_search_says_so(client, login, users):
    login(users["psychologist"])
    client.post(LIST, {"q": "no such programme"})

    assert "No programme template matches this search." in client.get(LIST).content.decode()


def test_the_lists_query_count_does_not_grow_with_templates(
    client, login, users, men, orgs, django_assert_max_num_queries
):
    login(users["manager"])
    for _ in range(8):
        services.template_copy(template=men, provider=orgs["provider"], by=users["manager"])
    with django_assert_max_num_queries(12) as few:
        client.get(LIST)
    for _ in range(12):
        services.template_copy(template=men, provider=orgs["provider"], by=users["manager"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIST)
    assert len(response.context["page"].object_list) == 25


# --- detail ----------------------------------------------------------------------


def test_the_detail_shows_everything_in_the_template(client, login, users, men):
    login(users["psychologist"])

    response = client.get(detail_url(men))

    assert response.status_code == 200
    content = response.content.decode()
    for text in [
        "kg-annex3-voluntary-men",
        "Voluntary",
        "2, every 7 days, 60 minutes each, with a psychologist",
        "24, every 7 days, 120 minutes each · led by: A pair: a woman and a man",
        "after all individual sessions",
        "26 weeks",
        "50.0 planned",
        "Kyrgyz, Russian",
        "+6, +12 months after the end",
        "After 3 consecutive or 6 unexcused absences in all",
        "Shipped with the system",
    ]:
        assert text in content, text
    topics = [t for t in men.curriculum]
    positions = [content.index(f"<li>{t}</li>") for t in topics]
    assert positions == sorted(positions)


def test_the_detail_shows_an_example_schedule_by_week(client, login, users, men):
    login(users["psychologist"])

    response = client.get(detail_url(men))

    weeks = response.context["schedule"]
    # Individual sessions on days 1 and 8, then weekly groups from day 15.
    assert (weeks[0].number, weeks[0].individual, weeks[0].group) == (1, [(1, 1)], [])
    assert (weeks[1].number, weeks[1].individual, weeks[1].group) == (2, [(2, 8)], [])
    assert (weeks[2].number, weeks[2].individual, weeks[2].group) == (3, [], [(1, 15)])
    assert weeks[-1].number == 26 and weeks[-1].group == [(24, 176)]
    text = " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())
    assert "Week 1: individual 1 (day 1)" in text
    assert "Week 3: group 1 (day 15)" in text
    assert "Week 4: group 2 (day 22)" in text


def test_a_managers_detail_offers_copy_and_for_own_templates_edit(client, login, users, men, own):
    login(users["manager"])

    shipped = client.get(detail_url(men)).content.decode()
    mine = client.get(detail_url(own)).content.decode()

    assert "Copy and adapt" in shipped and edit_url(men) not in shipped
    assert "Copy and adapt" in mine and edit_url(own) in mine
    assert "Copied from" in mine


def test_clinical_staff_see_no_copy_or_edit(client, login, users, own):
    login(users["psychologist"])

    content = client.get(detail_url(own)).content.decode()

    assert "Copy and adapt" not in content and edit_url(own) not in content


def test_the_detail_lists_the_versions(client, login, users, own, new_case, group_of, enrol):
    enrol(new_case(), own, group_of(own))
    v2 = services.template_update(template=own, by=users["manager"], span_weeks=27)
    login(users["manager"])

    old = client.get(detail_url(own))
    new = client.get(detail_url(v2))

    assert [(v.version, v.status, v.enrolment_count) for v in old.context["versions"]] == [
        (2, "active", 0),
        (1, "retired", 1),
    ]
    old_content = old.content.decode()
    assert "Version 1 is retired" in old_content and detail_url(v2) in old_content
    assert "Copy and adapt" not in old_content  # a retired version is not copied
    assert edit_url(v2) in new.content.decode()


def test_another_countrys_shipped_template_is_readable(client, login, users):
    login(users["psychologist"])

    response = client.get(detail_url(f.shipped_template("tj-consultation-room")))

    assert response.status_code == 200
    assert "Open a group" not in response.content.decode()  # not runnable by a Kyrgyz provider


@pytest.mark.parametrize("role", ["police", "survivor_worker", "monitoring"])
def test_the_detail_is_for_provider_staff_only(client, login, users, men, role):
    login(users[role])
    assert client.get(detail_url(men)).status_code == 403


# --- copy ------------------------------------------------------------------------


def test_a_manager_copies_a_shipped_template_and_adapts_it(client, login, users, orgs, men):
    login(users["manager"])

    response = client.post(copy_url(men))

    copy = ProgrammeTemplate.objects.get(provider=orgs["provider"])
    assert response.status_code == 302 and response["Location"] == edit_url(copy)
    assert (copy.code, copy.parent, copy.version) == (f"{MEN}-p{orgs['provider'].pk}", men, 1)
    page = client.get(response["Location"])
    assert f"Copied as {copy.code}." in page.content.decode()


def test_copying_a_template_of_another_country_gives_it_the_providers_country(client, login, users, orgs):
    login(users["manager"])

    client.post(copy_url(f.shipped_template("tj-consultation-room")))

    assert ProgrammeTemplate.objects.get(provider=orgs["provider"]).country == "KG"


@pytest.mark.parametrize("role", ["psychologist", "social_worker", "police", "survivor_worker"])
def test_only_managers_copy(client, login, users, men, role):
    login(users[role])
    assert client.post(copy_url(men)).status_code == 403
    assert not ProgrammeTemplate.objects.filter(provider__isnull=False).exists()


def test_copy_is_post_only(client, login, users, men):
    login(users["manager"])
    assert client.get(copy_url(men)).status_code == 405


def test_copying_another_providers_template_is_404(client, login, users, orgs, men):
    theirs = services.template_copy(template=men, provider=orgs["other_provider"], by=users["other_psychologist"])
    login(users["manager"])

    assert client.post(copy_url(theirs)).status_code == 404
    assert not ProgrammeTemplate.objects.filter(provider=orgs["provider"]).exists()


# --- edit ------------------------------------------------------------------------


def test_the_edit_form_shows_every_field(client, login, users, own):
    login(users["manager"])

    response = client.get(edit_url(own))

    assert response.status_code == 200
    form = response.context["form"]
    assert form["curriculum"].value() == "\n".join(own.curriculum)
    assert form["follow_up_months"].value() == "6, 12"
    assert form["languages"].value() == ["ky", "ru"]
    content = " ".join(response.content.decode().split())
    assert 'type="checkbox" class="form-check-input" name="languages" value="ky" id="id_languages_1" checked' in content
    assert "Saving creates version" not in content


def test_an_unused_template_is_changed_in_place(client, login, users, own):
    login(users["manager"])

    response = client.post(
        edit_url(own),
        edit_data(
            own,
            name="Bishkek men's programme",
            curriculum="Anger\n\n  Respect  \nChildren",
            follow_up_months="3, 18,6",
            languages=["ru"],
            hours_required="40",
        ),
    )

    assert response.status_code == 302 and response["Location"] == detail_url(own)
    own.refresh_from_db()
    assert own.name == "Bishkek men's programme"
    assert own.curriculum == ["Anger", "Respect", "Children"]
    assert own.follow_up_months == [3, 6, 18]
    assert own.languages == ["ru"]
    assert str(own.hours_required) == "40.0"
    assert own.version == 1


def test_a_template_in_use_says_that_saving_makes_a_new_version(client, login, users, own, new_case, group_of, enrol):
    enrol(new_case(), own, group_of(own))
    login(users["manager"])

    page = client.get(edit_url(own)).content.decode()
    assert "Saving creates version 2; running enrolments stay on version 1." in page

    response = client.post(edit_url(own), edit_data(own, group_sessions=20))

    v2 = ProgrammeTemplate.objects.get(code=own.code, version=2)
    assert response["Location"] == detail_url(v2)
    own.refresh_from_db()
    assert (own.status, own.group_sessions, v2.group_sessions, v2.parent) == ("retired", 24, 20, own)
    assert "Saved as version 2. Version 1 is retired" in client.get(response["Location"]).content.decode()


def test_editing_a_retired_version_goes_to_the_current_one(client, login, users, own, new_case, group_of, enrol):
    enrol(new_case(), own, group_of(own))
    v2 = services.template_update(template=own, by=users["manager"], span_weeks=27)
    login(users["manager"])

    response = client.get(edit_url(own))

    assert response.status_code == 302 and response["Location"] == edit_url(v2)


def test_a_span_too_short_is_a_field_error_and_nothing_is_saved(client, login, users, own, men):
    login(users["manager"])

    response = client.post(edit_url(own), edit_data(own, span_weeks=10, name="Shorter"))

    assert response.status_code == 200
    assert response.context["form"].errors["span_weeks"] == ["The sessions need 176 days but the span is 70 days."]
    assert 'value="Shorter"' in response.content.decode()  # what was typed is kept
    own.refresh_from_db()
    assert (own.span_weeks, own.name) == (26, men.name)


def test_bad_follow_up_months_and_no_language_are_field_errors(client, login, users, own):
    login(users["manager"])
    data = edit_data(own, follow_up_months="3, six")
    data.pop("languages")

    response = client.post(edit_url(own), data)

    errors = response.context["form"].errors
    assert errors["follow_up_months"] == ["Enter whole numbers of months separated by commas, e.g. 3, 6, 12."]
    response = client.post(edit_url(own), {**edit_data(own), "languages": []})
    assert response.context["form"].errors["languages"] == ["Choose at least one language."]
    own.refresh_from_db()
    assert own.languages == ["ky", "ru"]


def test_an_empty_curriculum_is_a_field_error(client, login, users, own):
    login(users["manager"])

    response = client.post(edit_url(own), edit_data(own, curriculum="  \n "))

    assert response.context["form"].errors["curriculum"] == ["Enter at least one topic."]


def test_a_shipped_template_has_no_edit_page(client, login, users, men):
    login(users["manager"])
    assert client.get(edit_url(men)).status_code == 404
    assert client.post(edit_url(men), edit_data(men, name="Mine")).status_code == 404


def test_another_providers_template_cannot_be_edited(client, login, users, orgs, men):
    theirs = services.template_copy(template=men, provider=orgs["other_provider"], by=users["other_psychologist"])
    login(users["manager"])

    assert client.get(edit_url(theirs)).status_code == 404


@pytest.mark.parametrize("role", ["psychologist", "social_worker", "other_psychologist", "police"])
def test_only_managers_edit(client, login, users, own, role):
    login(users[role])
    assert client.post(edit_url(own), edit_data(own, name="Changed")).status_code == 403
    own.refresh_from_db()
    assert own.name != "Changed"
