"""The pages that change and close a group: right role, wrong role (403),
another provider (404), field-level messages that keep what was typed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes.models import Enrolment, Group, Session
from tests import factories as f
from tests.programmes.conftest import days, group_session


def edit_url(group) -> str:
    return reverse("programmes:group_edit", args=[group.pk])


def close_url(group) -> str:
    return reverse("programmes:group_close", args=[group.pk])


def detail_url(group) -> str:
    return reverse("programmes:group_detail", args=[group.pk])


def edit_data(group, **overrides) -> dict:
    data = {
        "name": group.name,
        "capacity": group.capacity,
        "psychologist": group.psychologist_id,
        "social_worker": group.social_worker_id,
        "location_kind": group.location_kind,
        "room": group.location,
        "village": "",
        "district": "",
        "time_of_day": group.time_of_day.strftime("%H:%M"),
    }
    data.update(overrides)
    return data


def text(response) -> str:
    return " ".join(response.content.decode().split())


# --- edit -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["psychologist", "social_worker", "manager"])
def test_the_edit_page_shows_the_group_as_it_is(client, login, users, men, group_of, role):
    group = group_of(men, name="Tuesday men", location_kind="mobile", location="Kara-Suu, Alamedin district")
    login(users[role])

    response = client.get(edit_url(group))

    assert response.status_code == 200
    form = response.context["form"]
    assert form["name"].value() == "Tuesday men"
    assert (form["village"].value(), form["district"].value()) == ("Kara-Suu", "Alamedin district")
    assert form["location_kind"].value() == "mobile"
    assert form["time_of_day"].value() == dt.time(15, 0)
    content = text(response)
    assert "0 people are in the group now; the capacity cannot be lower." in content
    assert "js/programmes_setup.js" in content


def test_the_detail_page_links_to_edit_and_close(client, login, users, men, group_of):
    group = group_of(men)
    login(users["psychologist"])
    content = client.get(detail_url(group)).content.decode()
    assert f'href="{edit_url(group)}"' in content
    assert f'href="{close_url(group)}"' in content


def test_saving_changes_moves_the_sessions_to_come(client, login, users, orgs, men, group_of):
    group = group_of(men, starts_on=days(7))
    login(users["manager"])

    response = client.post(
        edit_url(group),
        edit_data(group, name="Thursday men", capacity=9, room="Room 5", time_of_day="18:30"),
        follow=True,
    )

    assert response.redirect_chain == [(detail_url(group), 302)]
    assert "Group Thursday men saved. 24 sessions moved to the new time." in text(response)
    group.refresh_from_db()
    assert (group.name, group.capacity, group.location, group.time_of_day) == (
        "Thursday men",
        9,
        "Room 5",
        dt.time(18, 30),
    )
    first = timezone.localtime(group_session(group, 1).starts_at)
    assert (first.date(), first.time(), group_session(group, 1).location) == (days(7), dt.time(18, 30), "Room 5")


def test_a_capacity_below_the_members_is_a_field_error_and_keeps_the_input(
    client, login, users, men, group_of, new_case, enrol
):
    group = group_of(men)
    enrol(new_case(), men, group)
    enrol(new_case(), men, group)
    login(users["psychologist"])

    response = client.post(edit_url(group), edit_data(group, name="Typed name", capacity=1))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "capacity": ["2 people are in the group now: the capacity cannot be lower."]
    }
    assert 'value="Typed name"' in response.content.decode()
    group.refresh_from_db()
    assert group.capacity == 12 and group.name != "Typed name"


def test_a_mobile_place_needs_village_and_district(client, login, users, men, group_of):
    group = group_of(men)
    login(users["psychologist"])

    response = client.post(edit_url(group), edit_data(group, location_kind="mobile", room="", village="Kara-Suu"))

    assert response.context["form"].errors == {"district": ["Enter the district."]}


def test_a_facilitator_of_another_provider_is_not_offered(client, login, users, men, group_of):
    group = group_of(men)
    login(users["psychologist"])

    response = client.post(edit_url(group), edit_data(group, psychologist=users["other_psychologist"].pk))

    assert "psychologist" in response.context["form"].errors
    group.refresh_from_db()
    assert group.psychologist == users["psychologist"]


def test_an_unbalanced_pair_is_saved_with_a_warning(client, login, users, orgs, men, group_of, pair):
    group = group_of(men)
    other = f.make_user(orgs["provider"], "social_worker", "sw_man")
    other.gender = "male"
    other.save(update_fields=["gender"])
    login(users["psychologist"])

    response = client.post(edit_url(group), edit_data(group, social_worker=other.pk), follow=True)

    assert '<div class="alert alert-warning" role="alert">The facilitator pair is not gender-balanced.</div>' in (
        response.content.decode()
    )
    group.refresh_from_db()
    assert group.social_worker == other


def test_a_closed_group_cannot_be_edited(client, login, users, men, group_of):
    group = group_of(men)
    Group.objects.filter(pk=group.pk).update(is_active=False)
    login(users["psychologist"])

    response = client.get(edit_url(group), follow=True)

    assert response.redirect_chain == [(detail_url(group), 302)]
    assert "This group is closed; it can no longer be changed." in text(response)
    assert f'href="{edit_url(group)}"' not in response.content.decode()
    response = client.post(edit_url(group), edit_data(group, name="Again"))
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.name != "Again"


@pytest.mark.parametrize("role", ["police", "survivor_worker", "monitoring", "provider_admin"])
def test_edit_and_close_are_for_provider_staff_only(client, login, users, men, group_of, role):
    group = group_of(men)
    login(users[role])
    assert client.get(edit_url(group)).status_code == 403
    assert client.post(edit_url(group), edit_data(group, name="Mine")).status_code == 403
    assert client.get(close_url(group)).status_code == 403
    assert client.post(close_url(group), {"reason": "Mine"}).status_code == 403
    assert client.post(close_url(group), {"reason": "Mine", "confirmed": "1"}).status_code == 403
    group.refresh_from_db()
    assert group.is_active and group.name != "Mine"


def test_another_providers_group_is_404(client, login, users, men, group_of):
    group = group_of(men)
    login(users["other_psychologist"])
    assert client.get(edit_url(group)).status_code == 404
    assert client.post(edit_url(group), edit_data(group, name="Mine")).status_code == 404
    assert client.get(close_url(group)).status_code == 404
    assert client.post(close_url(group), {"reason": "Mine"}).status_code == 404
    assert client.post(close_url(group), {"reason": "Mine", "confirmed": "1"}).status_code == 404
    group.refresh_from_db()
    assert group.is_active and group.name != "Mine"


# --- close ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["psychologist", "social_worker", "manager"])
def test_closing_an_empty_group(client, login, users, men, group_of, role):
    group = group_of(men, starts_on=days(7))
    login(users[role])

    page = client.get(close_url(group))
    assert "24 sessions still to come will be cancelled." in text(page)
    assert "move_to" not in page.content.decode()  # nobody to move

    asked = client.post(close_url(group), {"reason": "Not enough referrals"})
    assert (
        f"You are about to close the group {group.name}: nobody new can join. "
        "24 sessions still to come will be cancelled."
    ) in text(asked)
    assert "This cannot be undone." in text(asked)
    assert "No notice goes to another organisation." in text(asked)
    group.refresh_from_db()
    assert group.is_active
    assert not group.sessions.filter(status=Session.Status.CANCELLED).exists()

    response = client.post(close_url(group), {"reason": "Not enough referrals", "confirmed": "1"}, follow=True)

    assert response.redirect_chain == [(detail_url(group), 302)]
    content = text(response)
    assert "Group " + group.name + " closed. 24 sessions to come were cancelled." in content
    assert "This group is closed: nobody new can join" in content
    assert f'href="{close_url(group)}"' not in content
    group.refresh_from_db()
    assert group.is_active is False
    assert set(group.sessions.values_list("status", "cancel_reason")) == {
        (Session.Status.CANCELLED, "Not enough referrals")
    }


def test_closing_needs_a_reason(client, login, users, men, group_of):
    group = group_of(men)
    login(users["psychologist"])
    response = client.post(close_url(group), {"reason": ""})
    assert response.context["form"].errors == {"reason": ["This field is required."]}
    group.refresh_from_db()
    assert group.is_active


def test_closing_with_people_in_it_names_how_many(client, login, users, men, group_of, new_case, enrol):
    group = group_of(men, name="Old men")
    people = [enrol(new_case(family_name=f"Member{i}"), men, group) for i in range(3)]
    target = group_of(men, name="New men")
    login(users["manager"])

    page = client.get(close_url(group))
    content = text(page)
    assert "3 people are still in this group" in content
    assert "Member0" in content and reverse("programmes:move_group", args=[people[0].pk]) in content
    assert [g.pk for g in page.context["form"].fields["move_to"].queryset] == [target.pk]

    response = client.post(close_url(group), {"reason": "Merged", "move_to": ""})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "move_to": [
            "3 people are still in this group. Choose a group to move them to, or move, transfer or discharge "
            "them first."
        ]
    }
    assert 'value="Merged"' in response.content.decode()
    group.refresh_from_db()
    assert group.is_active

    asked = client.post(close_url(group), {"reason": "Merged", "move_to": target.pk})
    assert "3 people move to New men from today." in text(asked)
    assert f'name="move_to" value="{target.pk}"' in asked.content.decode()
    assert set(Enrolment.objects.filter(pk__in=[p.pk for p in people]).values_list("group_id", flat=True)) == {group.pk}

    response = client.post(close_url(group), {"reason": "Merged", "move_to": target.pk, "confirmed": "1"}, follow=True)

    assert "3 people moved to New men." in text(response)
    assert set(Enrolment.objects.filter(pk__in=[p.pk for p in people]).values_list("group_id", flat=True)) == {
        target.pk
    }
    group.refresh_from_db()
    assert group.is_active is False


def test_closing_without_another_group_explains_what_to_do(client, login, users, men, women, group_of, new_case, enrol):
    group = group_of(men)
    enrol(new_case(), men, group)
    group_of(women, sex="female", name="Women")  # not for these people
    login(users["psychologist"])

    content = text(client.get(close_url(group)))

    assert "1 person is still in this group" in content
    assert "No other running group of this programme can take them." in content
    response = client.post(close_url(group), {"reason": "Over", "confirmed": "1"})
    assert response.context["confirm"] is None
    assert response.context["form"].errors["move_to"] == [
        "1 person is still in this group. Choose a group to move them to, or move, transfer or discharge them first."
    ]
    assert "1 person is still in this group. Choose a group" in text(response)  # shown without the select


def test_a_closed_group_sends_the_close_page_back(client, login, users, men, group_of):
    group = group_of(men)
    Group.objects.filter(pk=group.pk).update(is_active=False)
    login(users["psychologist"])
    response = client.post(close_url(group), {"reason": "Again"}, follow=True)
    assert response.redirect_chain == [(detail_url(group), 302)]
    assert "This group is already closed." in text(response)


def test_a_target_too_small_is_refused_before_asking(client, login, users, men, group_of, new_case, enrol):
    group = group_of(men, name="Old men")
    for i in range(3):
        enrol(new_case(family_name=f"Member{i}"), men, group)
    target = group_of(men, name="Small men", capacity=2)
    login(users["psychologist"])
    response = client.post(close_url(group), {"reason": "Merged", "move_to": target.pk})
    assert response.context["confirm"] is None
    assert response.context["form"].errors == {"move_to": ["Small men has 2 free places; 3 people need one."]}
    assert 'value="Merged"' in response.content.decode()
    group.refresh_from_db()
    assert group.is_active
