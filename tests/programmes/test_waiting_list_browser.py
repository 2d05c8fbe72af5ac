"""On a 390 × 844 phone the waiting list fits the screen: each row (wait,
order window, programme, warning, the enrol button) wraps inside it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories as f
from tests.conftest import browser_cookies, login_verified
from tests.programmes.conftest import days

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390
SCREENSHOT = "/tmp/waiting-list-phone.png"  # noqa: S108 (not committed, for a human to look at)


def test_the_waiting_list_fits_a_phone(live_server, page, users, orgs):
    case = f.make_open_case(
        police=users["police"],
        provider=orgs["provider"],
        by=users["psychologist"],
        family_name="Абдырахмановааааааааа",
        patronymic="Кубанычбековичевич",
    )
    short_order = f.order_data(order_expires_on=days(5))
    short = f.make_referral(police=users["police"], provider=orgs["provider"], order=short_order)
    f.accept(short, users["psychologist"])
    problems = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" and "favicon" not in m.text else None)
    client = Client()
    login_verified(client, users["psychologist"])
    page.set_viewport_size({"width": WIDTH, "height": 844})
    page.context.add_cookies(browser_cookies(client, live_server.url))
    page.goto(f"{live_server.url}{reverse('programmes:waiting_list')}")
    rows = page.locator(".pw-waiting-list > li")
    assert rows.count() == 2
    assert page.locator(".pw-warning").count() == 1  # the order that ends in 5 days
    enrol = page.get_by_role("link", name="Enrol", exact=True)
    assert enrol.count() == 1
    box = enrol.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
    assert page.get_by_role("link", name=case.referral.reference, exact=False).count() == 1
    scroll, width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll <= width, f"the list is {scroll}px wide on a {width}px screen"
    page.screenshot(path=SCREENSHOT, full_page=True)
    assert problems == []
