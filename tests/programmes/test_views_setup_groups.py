"""The group pages: list, open a group (with the service's warnings),
detail (members and schedule), extend a rolling group's schedule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from programmes.models import Group, Session
from tests import factories as f
from tests.programmes.conftest import days

LIST = reverse("programmes:groups")
CREATE = reverse("programmes:group_create")


def detail_url(group) -> str:
    return reverse("programmes:group_detail", args=[group.pk])


def extend_url(group) -> str:
    return reverse("programmes:group_extend", args=[group.pk])


def group_data(template, pair, **overrides) -> dict:
    data = {
        "template": template.pk,
        "name": "Tuesday men",
        "sex": "male",
        "capacity": 10,
        "intake": "rolling",
        "psychologist": pair[0].pk,
        "social_worker": pair[1].pk,
        "location_kind": "room",
        "room": "Room 3",
        "language": "ky",
        "starts_on": days(7).isoformat(),
        "time_of_day": "17:30",
    }
    data.update(overrides)
    return data


# --- list ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["psychologist", "social_worker", "manager"])
def test_the_list_shows_each_groups_figures(client, login, users, men, pair, group_of, new_case, enrol, role):
    group = group_of(men, name="Tuesday men", capacity=8, starts_on=days(3))
    enrol(new_case(), men, group)
    group_of(men, name="Village men", location_kind="mobile", location="Kara-Suu, Alamedin")
    login(users[role])

    response = client.get(LIST)

    assert response.status_code == 200
    content = " ".join(response.content.decode().split())
    assert "Tuesday men" in content and "1 of 8 places taken" in content
    assert "Village men" in content and "Kara-Suu, Alamedin" in content
    assert '<span class="badge text-bg-info pset-mobile">mobile</span>' in content
    assert "Kyrgyzstan Annex 3, voluntary, men (2 + 24 weekly, 6 months) (v1)" in content
    assert "Facilitators: psychologist, social_worker" in content
    listed = {g.name: g for g in response.context["page"].object_list}
    first = group.sessions.order_by("starts_at").first()
    assert listed["Tuesday men"].next_session_at == first.starts_at


def test_the_list_is_empty_at_first(client, login, users):
    login(users["manager"])
    assert "No groups yet." in client.get(LIST).content.decode()


def test_the_list_shows_only_the_providers_groups(client, login, users, men, group_of):
    group_of(men, name="Tuesday men")
    login(users["other_psychologist"])

    response = client.get(LIST)

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []


def test_the_list_searches_by_name(client, login, users, men, group_of):
    group_of(men, name="Tuesday men")
    group_of(men, name="Friday men")
    login(users["psychologist"])

    client.post(LIST, {"q": "friday"})

    assert [g.name for g in client.get(LIST).context["page"].object_list] == ["Friday men"]


def test_the_lists_query_count_does_not_grow_with_groups(
    client, login, users, men, group_of, django_assert_max_num_queries
):
    group_of(men)
    login(users["psychologist"])
    with django_assert_max_num_queries(15) as few:
        client.get(LIST)
    for _ in range(6):
        group_of(men)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIST)
    assert len(response.context["page"].object_list) == 7


# --- create ----------------------------------------------------------------------


def test_the_form_offers_usable_programmes_and_the_providers_facilitators(client, login, users, orgs, pair):
    f.make_user(orgs["other_provider"], "psychologist", "tj_psy")
    login(users["manager"])

    response = client.get(CREATE)

    form = response.context["form"]
    template_codes = {t.code for t in form.fields["template"].queryset}
    assert "kg-annex3-voluntary-men" in template_codes
    assert "uz-correctional-work" not in template_codes and "tj-consultation-room" not in template_codes
    assert list(form.fields["psychologist"].queryset) == [pair[0]]
    assert list(form.fields["social_worker"].queryset) == [pair[1]]
    content = response.content.decode()
    assert 'data-languages="ky,ru"' in content
    assert "psychologist (man)" in content and "social_worker (woman)" in content


def test_a_template_can_be_preselected(client, login, users, men):
    login(users["psychologist"])

    response = client.get(CREATE, {"template": men.pk})

    assert response.context["form"]["template"].value() == men.pk
    assert response.context["form"]["psychologist"].value() == users["psychologist"].pk


def test_it_opens_a_group_and_plans_its_sessions(client, login, users, orgs, men, pair):
    login(users["social_worker"])

    response = client.post(CREATE, group_data(men, pair))

    group = Group.objects.get(name="Tuesday men")
    assert response.status_code == 302 and response["Location"] == detail_url(group)
    assert (group.provider, group.template, group.capacity, group.location, group.language) == (
        orgs["provider"],
        men,
        10,
        "Room 3",
        "ky",
    )
    assert group.time_of_day == dt.time(17, 30)
    assert group.sessions.count() == 24
    page = client.get(response["Location"]).content.decode()
    assert "Group Tuesday men opened; 24 sessions are planned." in page
    assert "alert-warning" not in page


def test_a_mobile_group_keeps_village_and_district(client, login, users, men, pair):
    login(users["psychologist"])

    client.post(CREATE, group_data(men, pair, location_kind="mobile", room="", village="Kara-Suu", district="Alamedin"))

    group = Group.objects.get()
    assert (group.location_kind, group.location) == ("mobile", "Kara-Suu, Alamedin")


def test_a_mobile_group_needs_village_and_district(client, login, users, men, pair):
    login(users["psychologist"])

    response = client.post(CREATE, group_data(men, pair, location_kind="mobile", village="Kara-Suu"))

    assert response.context["form"].errors == {"district": ["Enter the district."]}
    assert not Group.objects.exists()


def test_it_shows_the_warning_when_the_pair_is_not_gender_balanced(client, login, users, men, pair):
    pair[1].gender = "male"
    pair[1].save()
    login(users["psychologist"])

    response = client.post(CREATE, group_data(men, pair), follow=True)

    content = response.content.decode()
    assert '<div class="alert alert-warning" role="alert">The facilitator pair is not gender-balanced.</div>' in content
    assert Group.objects.count() == 1


def test_a_womens_group_of_a_mens_programme_is_refused(client, login, users, men, pair):
    login(users["psychologist"])

    response = client.post(CREATE, group_data(men, pair, sex="female"))

    assert response.status_code == 200
    assert response.context["form"].errors == {"sex": ["This programme is for men only."]}
    assert 'value="Tuesday men"' in response.content.decode()
    assert not Group.objects.exists() and not Session.objects.exists()


def test_capacity_zero_is_refused(client, login, users, men, pair):
    login(users["psychologist"])

    response = client.post(CREATE, group_data(men, pair, capacity=0))

    assert response.context["form"].errors == {"capacity": ["Ensure this value is greater than or equal to 1."]}
    assert not Group.objects.exists()


def test_a_language_the_programme_is_not_offered_in_is_refused(client, login, users, men, pair):
    login(users["psychologist"])

    response = client.post(CREATE, group_data(men, pair, language="tg"))

    assert response.context["form"].errors == {"language": ["The programme is not offered in this language."]}
    assert not Group.objects.exists()


def test_a_facilitator_of_another_provider_is_refused(client, login, users, men, pair):
    login(users["psychologist"])

    response = client.post(CREATE, group_data(men, pair, psychologist=users["other_psychologist"].pk))

    assert "psychologist" in response.context["form"].errors
    assert not Group.objects.exists()


def test_a_template_of_another_country_is_refused(client, login, users, pair):
    login(users["psychologist"])

    response = client.post(CREATE, group_data(f.shipped_template("tj-consultation-room"), pair))

    assert "template" in response.context["form"].errors
    assert not Group.objects.exists()


# --- detail ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["psychologist", "social_worker", "manager"])
def test_the_detail_shows_members_and_schedule(client, login, users, men, group_of, new_case, enrol, role):
    group = group_of(men, name="Tuesday men", starts_on=days(7))
    case = new_case(family_name="Жумабеков", given_name="Азамат")
    enrolment = enrol(case, men, group)
    login(users[role])

    response = client.get(detail_url(group))

    assert response.status_code == 200
    content = " ".join(response.content.decode().split())
    assert f"{case.number}</a> · Жумабеков Азамат" in content
    assert reverse("programmes:move_group", args=[enrolment.pk]) in content
    assert "1 of 12 places taken" in content
    sessions = response.context["sessions"]
    assert [s.number for s in sessions] == list(range(1, 25))
    assert sessions[0].planned_topic in content
    assert "Extend schedule" in content
    # Nothing about the survivor on a group page.
    assert "Айгуль" not in content and "+996700987654" not in content


def test_a_closed_group_has_no_extend_button(client, login, users, men, group_of):
    group = group_of(men, intake="closed")
    login(users["psychologist"])

    assert "Extend schedule" not in client.get(detail_url(group)).content.decode()


def test_another_providers_group_is_404(client, login, users, men, group_of):
    group = group_of(men)
    login(users["other_psychologist"])

    assert client.get(detail_url(group)).status_code == 404
    assert client.post(extend_url(group)).status_code == 404
    assert group.sessions.count() == 24


def test_the_details_query_count_does_not_grow_with_members(
    client, login, users, men, group_of, new_case, enrol, django_assert_max_num_queries
):
    group = group_of(men)
    enrol(new_case(), men, group)
    login(users["psychologist"])
    with django_assert_max_num_queries(20) as few:
        client.get(detail_url(group))
    for _ in range(3):
        enrol(new_case(), men, group)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(detail_url(group))
    assert len(response.context["members"]) == 4


# --- extend ----------------------------------------------------------------------


def test_extending_a_rolling_group_plans_another_cycle(client, login, users, men, group_of):
    group = group_of(men)
    login(users["manager"])

    response = client.post(extend_url(group), follow=True)

    assert group.sessions.count() == 48
    assert "24 more sessions planned (numbers 25 to 48)." in response.content.decode()


def test_a_closed_group_is_not_extended(client, login, users, men, group_of):
    group = group_of(men, intake="closed")
    login(users["psychologist"])

    response = client.post(extend_url(group), follow=True)

    assert "Only a rolling group&#x27;s schedule can be extended." in response.content.decode()
    assert group.sessions.count() == 24


def test_extend_is_post_only(client, login, users, men, group_of):
    group = group_of(men)
    login(users["psychologist"])
    assert client.get(extend_url(group)).status_code == 405


def test_a_single_facilitator_group_opens_without_a_social_worker(client, login, users, pair):
    template = f.shipped_template("kg-chance-women")
    login(users["psychologist"])

    response = client.post(
        CREATE, group_data(template, pair, sex="female", social_worker="", language="ru"), follow=True
    )

    content = response.content.decode()
    group = Group.objects.get()
    assert group.social_worker is None
    warning = "This programme&#x27;s groups are led by one woman; the facilitator chosen is not a woman."
    assert f'<div class="alert alert-warning" role="alert">{warning}</div>' in content


def test_a_pair_group_without_a_social_worker_is_refused(client, login, users, men, pair):
    login(users["psychologist"])

    response = client.post(CREATE, group_data(men, pair, social_worker=""))

    assert response.context["form"].errors == {"social_worker": ["Choose a social worker of your organisation."]}
    assert not Group.objects.exists()


def test_the_page_of_a_single_facilitator_group_asks_no_qualification_of_a_helper(client, login, users, pair):
    users["social_worker"].qualifications.all().delete()
    group = f.make_group(by=users["manager"], template=f.shipped_template("kg-chance-women"), language="ru")
    login(users["psychologist"])

    content = client.get(detail_url(group)).content.decode()

    assert group.social_worker == users["social_worker"]
    assert "holds no valid qualification" not in content
