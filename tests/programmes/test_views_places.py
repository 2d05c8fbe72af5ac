"""The setting on the group pages (open, change, detail), the stay on the
enrol page, and the stay page for what is learnt later (the departure)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import Organisation
from programmes.models import Enrolment, Group, ResidentialStay
from programmes.services import StayDetails
from tests import factories as f
from tests.programmes.conftest import days
from tests.programmes.test_views_setup_enrol import enrol_data, enrol_url, text
from tests.programmes.test_views_setup_groups import CREATE, detail_url, group_data

pytestmark = pytest.mark.django_db


def stay_url(enrolment) -> str:
    return reverse("programmes:stay", args=[enrolment.pk])


def edit_url(group) -> str:
    return reverse("programmes:group_edit", args=[group.pk])


# --- Opening and changing a group -----------------------------------------------


def test_the_group_form_offers_the_prisons_of_the_country(client, login, users, orgs):
    f.make_org(Organisation.Kind.PRISON, country="TJ", name="Khujand Colony")
    login(users["manager"])
    form = client.get(CREATE).context["form"]
    assert [o.name for o in form.fields["facility"].queryset] == ["Correctional Colony No. 47"]
    assert form.initial.get("setting", form.fields["setting"].initial) == "room"


def test_a_group_opens_in_a_prison(client, login, users, orgs, men, pair):
    login(users["manager"])
    response = client.post(CREATE, group_data(men, pair, setting="prison", facility=orgs["prison"].pk))
    group = Group.objects.get()
    assert response.status_code == 302
    assert (group.setting, group.facility_id) == ("prison", orgs["prison"].pk)
    page = " ".join(client.get(detail_url(group)).content.decode().split())
    assert "Prison or correctional facility · Correctional Colony No. 47" in page
    listing = client.get(reverse("programmes:groups")).content.decode()
    assert '<span class="badge text-bg-warning pset-setting">Prison or correctional facility</span>' in listing


def test_a_prison_group_without_a_facility_is_refused_on_the_field(client, login, users, men, pair):
    login(users["manager"])
    response = client.post(CREATE, group_data(men, pair, setting="prison", room="Club room"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {"facility": ["Choose the prison or correctional facility where the sessions are held."]}
    assert form["room"].value() == "Club room"
    assert not Group.objects.exists()


def test_a_facility_of_another_country_is_not_a_choice(client, login, users, men, pair):
    elsewhere = f.make_org(Organisation.Kind.PRISON, country="TJ")
    login(users["manager"])
    response = client.post(CREATE, group_data(men, pair, setting="prison", facility=elsewhere.pk))
    assert list(response.context["form"].errors) == ["facility"]
    assert not Group.objects.exists()


def test_a_facility_chosen_for_another_setting_is_dropped(client, login, users, orgs, men, pair):
    login(users["manager"])
    client.post(CREATE, group_data(men, pair, setting="residential", facility=orgs["prison"].pk))
    assert Group.objects.values_list("setting", "facility").get() == ("residential", None)


def test_a_running_group_moves_into_a_prison(client, login, users, orgs, men, group_of):
    group = group_of(men)
    login(users["social_worker"])
    form = client.get(edit_url(group)).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(time_of_day=group.time_of_day.strftime("%H:%M"), setting="prison", facility=orgs["prison"].pk)
    response = client.post(edit_url(group), data)
    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.setting, group.facility_id) == ("prison", orgs["prison"].pk)


# --- The stay on the enrol page --------------------------------------------------


@pytest.fixture
def centre(group_of, men):
    return group_of(men, setting="residential", location="Turkistan centre")


def test_the_enrol_page_records_the_stay(client, login, users, orgs, case, men, centre):
    login(users["psychologist"])
    response = client.post(
        enrol_url(case),
        enrol_data(
            men,
            centre,
            users["psychologist"],
            arrival_on=days(-2).isoformat(),
            brought_by_police="on",
            police_unit=orgs["police"].pk,
        ),
    )
    assert response.status_code == 302
    stay = ResidentialStay.objects.get(enrolment__case=case)
    assert (stay.arrival_on, stay.brought_by_police, stay.police_unit_id, stay.departure_on) == (
        days(-2),
        True,
        orgs["police"].pk,
        None,
    )


def test_the_enrol_page_says_what_is_wrong_with_the_stay_field_by_field(client, login, users, case, men, centre):
    login(users["psychologist"])
    response = client.post(
        enrol_url(case),
        enrol_data(
            men, centre, users["psychologist"], arrival_on=days(3).isoformat(), departure_on=days(1).isoformat()
        ),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {"departure_on": ["The departure must be after the arrival."]}
    assert form["arrival_on"].value() == days(3).isoformat()
    assert not Enrolment.objects.filter(case=case).exists()


def test_the_enrol_page_asks_for_the_arrival_at_a_residential_centre(client, login, users, case, men, centre):
    login(users["psychologist"])
    response = client.post(enrol_url(case), enrol_data(men, centre, users["psychologist"]))
    assert response.context["form"].errors == {"arrival_on": ["Enter the date the person arrived at the centre."]}
    assert not Enrolment.objects.filter(case=case).exists()


def test_the_group_options_say_where_each_group_runs(client, login, users, case, men, centre):
    login(users["psychologist"])
    page = client.get(enrol_url(case)).content.decode()
    assert f'value="{centre.pk}" data-programme=' in page
    assert 'data-setting="residential"' in page
    assert "Stay at the residential centre" in page


# --- The stay page -----------------------------------------------------------------


@pytest.fixture
def resident(users, new_case, men, centre):
    from programmes import services

    return services.enrol_with_stay(
        case=new_case(given_name="Ерлан"),
        template=men,
        group=centre,
        psychologist=users["psychologist"],
        starts_on=centre.starts_on - dt.timedelta(days=men.first_group_offset() or 0),
        by=users["psychologist"],
        now=f.planned_as_of(centre.starts_on),
        stay=StayDetails(arrival_on=days(-5), brought_by_police=True),
    )


def test_the_group_page_shows_each_stay_with_a_link_for_clinical_staff(client, login, users, resident, centre):
    login(users["social_worker"])
    page = text(client.get(detail_url(centre)))
    assert "brought by the police" in page and "departure not known yet" in page
    assert stay_url(resident) in client.get(detail_url(centre)).content.decode()
    login(users["manager"])
    assert stay_url(resident) not in client.get(detail_url(centre)).content.decode()


def test_the_departure_is_recorded_later(client, login, users, resident, centre):
    login(users["social_worker"])
    form = client.get(stay_url(resident)).context["form"]
    assert form.initial["arrival_on"] == days(-5)
    response = client.post(
        stay_url(resident),
        {"arrival_on": days(-5).isoformat(), "brought_by_police": "on", "departure_on": days(40).isoformat()},
    )
    assert response.status_code == 302
    assert response["Location"] == detail_url(centre)
    resident.stay.refresh_from_db()
    assert (resident.stay.departure_on, resident.stay.recorded_by_id) == (days(40), users["social_worker"].pk)


def test_the_stay_page_keeps_what_was_typed_on_an_error(client, login, users, resident):
    login(users["psychologist"])
    response = client.post(
        stay_url(resident), {"arrival_on": days(-5).isoformat(), "departure_on": days(-6).isoformat()}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"departure_on": ["The departure must be after the arrival."]}
    assert response.context["form"]["departure_on"].value() == days(-6).isoformat()
    resident.stay.refresh_from_db()
    assert resident.stay.departure_on is None


def test_the_stay_page_refuses_a_group_elsewhere(client, login, users, case, men, group_of):
    enrolment = f.enrol_case(case, by=users["psychologist"], template=men, group=group_of(men))
    login(users["psychologist"])
    response = client.get(stay_url(enrolment))
    assert response.context["form"] is None
    assert "Stay dates are recorded only for a group at a residential centre." in text(response)
