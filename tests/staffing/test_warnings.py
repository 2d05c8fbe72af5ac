"""Assigning a facilitator without the qualification the programme asks
for warns (a group's pair, an enrolment's psychologist), and the group's
page says so while it lasts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes import services as programme_services
from tests import factories as f

pytestmark = pytest.mark.django_db

MEN = "kg-annex3-voluntary-men"
UNQUALIFIED = (
    "{name} holds no valid qualification for Kyrgyz programmes under Decree 390, Annex 3, "
    "which this programme asks of its facilitators."
)


@pytest.fixture
def pair(users):
    psychologist, social_worker = users["psychologist"], users["social_worker"]
    psychologist.first_name, psychologist.last_name, psychologist.gender = "Aibek", "Usenov", "male"
    psychologist.save()
    social_worker.first_name, social_worker.last_name, social_worker.gender = "Aida", "Bekova", "female"
    social_worker.save()
    return psychologist, social_worker


def _create(users, orgs, template, pair):
    return programme_services.group_create(
        provider=orgs["provider"],
        template=template,
        by=users["manager"],
        name="Wednesday men",
        sex="male",
        capacity=10,
        psychologist=pair[0],
        social_worker=pair[1],
        location="Room 1",
        language="ky",
        starts_on=timezone.localdate() + dt.timedelta(days=7),
    )


def test_the_shipped_kyrgyz_programmes_ask_for_the_annex3_qualification(db):
    template = f.shipped_template(MEN)
    assert template.required_qualification == "kg_annex3"
    assert f.shipped_template("tm-pilot").required_qualification == ""


def test_a_group_with_an_unqualified_facilitator_warns_by_name(users, orgs, pair):
    f.qualify(pair[0])
    _group, warnings = _create(users, orgs, f.shipped_template(MEN), pair)
    assert warnings == [UNQUALIFIED.format(name="Aida Bekova")]


def test_a_qualified_pair_gets_no_warning(users, orgs, pair):
    for person in pair:
        f.qualify(person)
    _group, warnings = _create(users, orgs, f.shipped_template(MEN), pair)
    assert warnings == []


def test_a_qualification_of_another_family_or_expired_does_not_count(users, orgs, pair):
    f.qualify(pair[0], "tj_consultation_room")
    today = timezone.localdate()
    f.qualify(pair[1], granted_on=today - dt.timedelta(days=400), expires_on=today + dt.timedelta(days=3))
    _group, warnings = _create(users, orgs, f.shipped_template(MEN), pair)
    # The group starts in a week: the social worker's ends before.
    assert warnings == [UNQUALIFIED.format(name="Aibek Usenov"), UNQUALIFIED.format(name="Aida Bekova")]


def test_a_programme_that_asks_for_nothing_never_warns(users, orgs, pair):
    template = f.shipped_template(MEN)
    template.required_qualification = ""
    template.save(update_fields=["required_qualification"])
    _group, warnings = _create(users, orgs, template, pair)
    assert warnings == []


def test_the_group_page_warns_until_the_pair_is_qualified(client, login, users, orgs, pair):
    group, _warnings = _create(users, orgs, f.shipped_template(MEN), pair)
    login(users["manager"])
    url = reverse("programmes:group_detail", args=[group.pk])
    page = client.get(url).content.decode()
    assert UNQUALIFIED.format(name="Aibek Usenov") in page
    assert reverse("staffing:attention") in page
    for person in pair:
        f.qualify(person)
    assert "qualification-warnings" not in client.get(url).content.decode()


def test_the_psychologist_sees_the_warning_without_the_managers_link(client, login, users, orgs, pair):
    group, _warnings = _create(users, orgs, f.shipped_template(MEN), pair)
    login(users["psychologist"])
    page = client.get(reverse("programmes:group_detail", args=[group.pk])).content.decode()
    assert UNQUALIFIED.format(name="Aida Bekova") in page
    assert reverse("staffing:attention") not in page


def test_editing_the_group_warns_too(client, login, users, orgs, pair):
    f.qualify(pair[0])
    group, _warnings = _create(users, orgs, f.shipped_template(MEN), pair)
    login(users["manager"])
    response = client.post(
        reverse("programmes:group_edit", args=[group.pk]),
        {
            "name": "Wednesday men",
            "capacity": 10,
            "psychologist": pair[0].pk,
            "social_worker": pair[1].pk,
            "location_kind": "room",
            "room": "Room 1",
            "time_of_day": "15:00",
            "setting": "room",
        },
        follow=True,
    )
    assert UNQUALIFIED.format(name="Aida Bekova") in response.content.decode()


def test_enrolling_with_an_unqualified_psychologist_warns(client, login, users, orgs, pair):
    case = f.make_open_case(police=users["police"], provider=orgs["provider"], by=users["psychologist"])
    login(users["psychologist"])
    template = f.shipped_template(MEN)
    group = f.make_group(by=users["manager"], template=template)
    response = client.post(
        reverse("programmes:enrol", args=[case.pk]),
        {
            "template": template.pk,
            "group": group.pk,
            "psychologist": pair[0].pk,
            "starts_on": timezone.localdate().isoformat(),
        },
        follow=True,
    )
    assert response.redirect_chain, response.context["form"].errors
    assert UNQUALIFIED.format(name="Aibek Usenov") in response.content.decode()
