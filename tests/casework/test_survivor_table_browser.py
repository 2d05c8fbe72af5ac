"""On a 390 × 844 phone the survivor table of a case stacks its rows as
cards, so every action button is on the screen; and the police officer's
provider select keeps the country readable."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import browser_cookies, login_verified

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390
SCREENSHOT = "/tmp/survivor-table-phone.png"  # noqa: S108 (not committed, for a human to look at)


def _open(page, live_server, user, path: str) -> None:
    client = Client()
    login_verified(client, user)
    page.set_viewport_size({"width": WIDTH, "height": 844})
    page.context.add_cookies(browser_cookies(client, live_server.url))
    page.goto(f"{live_server.url}{path}")


def _fits_the_screen(page) -> None:
    scroll, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll <= client, f"{page.url} is {scroll}px wide on a {client}px screen"


def _assert_on_screen(locator, name: str) -> None:
    box = locator.bounding_box()
    assert box is not None, f"{name} is not shown"
    assert box["x"] >= 0, f"{name} starts at {box['x']}"
    assert box["x"] + box["width"] <= WIDTH, f"{name} ends at {box['x'] + box['width']}px"


@pytest.mark.parametrize(
    ("role", "buttons"),
    [
        ("survivor_worker", ["Open survivor record", "Safety plan", "Log contact", "Record consent"]),
        ("psychologist", ["Log contact", "Record consent"]),
    ],
)
def test_the_survivor_actions_are_on_a_phone_screen(live_server, page, users, case_with_service, role, buttons):
    problems = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" and "favicon" not in m.text else None)
    _open(page, live_server, users[role], reverse("casework:case_detail", args=[case_with_service.pk]))
    table = page.locator(".cw-stack")
    assert table.count() == 1
    row = table.locator("tbody tr")
    assert row.count() == 1  # the factory's one survivor
    for name in buttons:
        _assert_on_screen(row.get_by_role("link", name=name, exact=True), name)
    # The header row is hidden on a phone; each cell carries its own label.
    assert not table.locator("thead").is_visible() or table.locator("thead").bounding_box()["height"] <= 1
    label = row.locator(".cw-stack-label").first
    assert label.is_visible()
    assert label.inner_text() == "Agrees to be contacted"
    _fits_the_screen(page)
    page.screenshot(path=SCREENSHOT, full_page=True)
    assert problems == []


def test_on_a_wide_screen_it_stays_a_table(live_server, page, users, case_with_service):
    _open(page, live_server, users["survivor_worker"], reverse("casework:case_detail", args=[case_with_service.pk]))
    page.set_viewport_size({"width": 1280, "height": 900})
    table = page.locator(".cw-stack")
    assert table.locator("thead").is_visible()
    assert not table.locator(".cw-stack-label").first.is_visible()
    row_box = table.locator("tbody tr").bounding_box()
    buttons = table.locator("tbody tr .btn")
    # One line of buttons beside the other cells.
    assert {round(buttons.nth(i).bounding_box()["y"]) for i in range(buttons.count())} == {
        round(buttons.first.bounding_box()["y"])
    }
    assert buttons.first.bounding_box()["y"] < row_box["y"] + row_box["height"]


def test_the_provider_select_shows_the_country_on_a_phone(live_server, page, users, orgs):
    _open(page, live_server, users["police"], reverse("referrals:create"))
    select = page.locator("#id_provider")
    _assert_on_screen(select, "the provider select")
    groups = select.locator("optgroup")
    assert [groups.nth(i).get_attribute("label") for i in range(groups.count())] == ["Kyrgyzstan", "Tajikistan"]
    summary = page.locator('[data-select-summary="id_provider"]')
    assert not summary.is_visible()  # nothing chosen yet
    select.select_option(str(orgs["other_provider"].pk))
    assert summary.inner_text() == "Khujand Consultation Room — Sughd, Tajikistan"
    _assert_on_screen(summary, "the chosen provider")
    select.select_option(str(orgs["provider"].pk))
    assert summary.inner_text() == "Bishkek Consultation Room — Chuy, Kyrgyzstan"
    _fits_the_screen(page)


def test_the_survivor_case_list_fits_a_phone(live_server, page, users, case_with_service):
    _open(page, live_server, users["survivor_worker"], reverse("casework:survivor_cases"))
    _assert_on_screen(page.get_by_role("link", name=case_with_service.number, exact=True), "the case link")
    _fits_the_screen(page)
