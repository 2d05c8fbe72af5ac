"""The setting on the group page and the stay on the enrol page, in a real
Chromium on a phone: the facility is asked only for a prison, the stay only
for a group at a residential centre, under the CSP and with no script error."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from programmes.models import Group, ResidentialStay
from tests import factories as f
from tests.conftest import browser_cookies, login_verified
from tests.programmes.conftest import days

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open(page, live_server, user, url):
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" and "favicon" not in m.text else None)
    client = Client()
    login_verified(client, user)
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.add_cookies(browser_cookies(client, live_server.url))
    page.goto(f"{live_server.url}{url}")
    return problems


def test_a_running_group_moves_into_a_prison_on_a_phone(live_server, page, users, orgs):
    group = f.make_group(by=users["psychologist"], template=f.shipped_template("kg-annex3-voluntary-men"))
    problems = _open(page, live_server, users["manager"], reverse("programmes:group_edit", args=[group.pk]))

    assert not page.is_visible("#id_facility")
    page.check("input[name=setting][value=prison]")
    assert page.is_visible("#id_facility")
    page.select_option("#id_facility", str(orgs["prison"].pk))
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(f"**{reverse('programmes:group_detail', args=[group.pk])}")

    group = Group.objects.get(pk=group.pk)
    assert (group.setting, group.facility_id) == ("prison", orgs["prison"].pk)
    assert problems == []


def test_the_stay_is_asked_only_for_a_group_at_a_residential_centre(live_server, page, users, orgs):
    men = f.shipped_template("kg-annex3-voluntary-men")
    room = f.make_group(by=users["psychologist"], template=men, name="Room men")
    centre = f.make_group(by=users["psychologist"], template=men, name="Centre men", setting="residential")
    case = f.make_open_case(police=users["police"], provider=orgs["provider"], by=users["psychologist"])
    problems = _open(page, live_server, users["psychologist"], reverse("programmes:enrol", args=[case.pk]))

    page.select_option("#id_template", str(men.pk))
    page.select_option("#id_group", str(room.pk))
    assert not page.is_visible("#id_arrival_on")
    page.select_option("#id_group", str(centre.pk))
    assert page.is_visible("#id_arrival_on")
    page.fill("#id_arrival_on", days(-1).isoformat())
    page.check("#id_brought_by_police")
    page.fill("#id_starts_on", days(0).isoformat())
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(f"**{reverse('casework:case_detail', args=[case.pk])}")

    stay = ResidentialStay.objects.get(enrolment__case=case)
    assert (stay.arrival_on, stay.brought_by_police) == (days(-1), True)
    assert problems == []
