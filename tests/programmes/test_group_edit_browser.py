"""The group edit page in a real Chromium on a phone: the place switches
between room and village/district under the CSP, with no script error."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from programmes.models import Group
from tests import factories as f
from tests.conftest import browser_cookies, login_verified

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_group_is_changed_to_a_mobile_place_on_a_phone(live_server, page, users, orgs):
    group = f.make_group(by=users["psychologist"], template=f.shipped_template("kg-annex3-voluntary-men"))
    problems = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" and "favicon" not in m.text else None)
    client = Client()
    login_verified(client, users["manager"])
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.add_cookies(browser_cookies(client, live_server.url))
    page.goto(f"{live_server.url}{reverse('programmes:group_edit', args=[group.pk])}")

    assert page.is_visible("#id_room") and not page.is_visible("#id_village")
    page.check("input[name=location_kind][value=mobile]")
    assert page.is_visible("#id_village") and not page.is_visible("#id_room")
    page.fill("#id_village", "Kara-Suu")
    page.fill("#id_district", "Alamedin")
    page.fill("#id_time_of_day", "18:00")
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(f"**{reverse('programmes:group_detail', args=[group.pk])}")

    group = Group.objects.get(pk=group.pk)
    assert (group.location_kind, group.location, f"{group.time_of_day:%H:%M}") == (
        "mobile",
        "Kara-Suu, Alamedin",
        "18:00",
    )
    assert "sessions moved to the new time." in page.content()
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1]
    assert problems == []
