"""A psychologist enters the person's CTS2 at intake, the programme ends, she
enters it again at the end-of-programme follow-up point (found on the
"Follow-ups due" list) and sees the change on the results page: in the
table and in the chart. On a phone."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from outcomes.models import Administration, FollowUp
from programmes.services import enrolment_discharge
from tests import factories as f
from tests.browser.conftest import PHONE
from tests.programmes.views_sessions_support import mandatory_enrolment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT_FORM = "/tmp/cts2-form-phone.png"  # noqa: S108 (not committed, for a human to look at)
SCREENSHOT_RESULTS = "/tmp/cts2-results-phone.png"  # noqa: S108


def _fits_the_screen(page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"{page.url} is {width[0]}px wide on a {width[1]}px screen"


def _answer(page, item: int, scale: str, code: str) -> None:
    select = page.get_by_label(f"Item {item} — {scale}")
    select.select_option(code)
    expect(select).to_have_value(code)


def test_a_psychologist_enters_the_cts2_at_intake_and_at_follow_up_and_sees_the_change(sign_in, world):
    users = {"police": world["officer"], "psychologist": world["psychologist"], "social_worker": world["social_worker"]}
    case = f.make_open_case(police=world["officer"], provider=world["provider"], by=world["psychologist"])
    enrolment, _group = mandatory_enrolment(users, {"provider": world["provider"]}, case)
    intake_day = timezone.localdate() - dt.timedelta(days=20)

    visitor = sign_in(world["psychologist"], viewport=PHONE)
    page = visitor.page
    # Intake: from the case page.
    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("link", name="Questionnaires (CTS2)").click()
    page.wait_for_url(f"**/outcomes/cases/{case.pk}/")
    expect(page.get_by_text("No intake questionnaire yet")).to_be_visible()
    page.get_by_role("link", name="Enter a CTS2").click()
    page.wait_for_url(f"**/outcomes/cases/{case.pk}/new/?instrument=cts2")
    expect(page.get_by_label("When")).to_have_value("intake")
    page.get_by_label("Date filled in").fill(intake_day.isoformat())
    # Pushed or similar 11-20 times, a severe act 6-10 times, shouted 3-5 times; the rest never.
    for number in range(1, 79):
        page.locator(f"#id_item_{number}").select_option("0")
    _answer(page, 7, "Physical Assault (minor)", "5")
    _answer(page, 21, "Physical Assault (severe)", "4")
    _answer(page, 35, "Psychological Aggression (minor)", "3")
    _fits_the_screen(page)
    page.screenshot(path=SCREENSHOT_FORM, full_page=False)
    page.get_by_role("button", name="Save questionnaire").click()
    page.wait_for_url(f"**/outcomes/cases/{case.pk}/?instrument=cts2")
    expect(page.get_by_text("Questionnaire saved: 78 items answered, 0 without an answer.")).to_be_visible()
    expect(page.get_by_text("No questionnaire after the intake yet.")).to_be_visible()
    assert FollowUp.objects.get(enrolment=enrolment, kind="intake").status == "done"

    # The programme ends (he stopped coming): the end-of-programme point falls due.
    enrolment_discharge(
        enrolment=enrolment, kind="dropped_out", reason="Stopped coming", by=world["psychologist"],
        on=timezone.localdate(),
    )  # fmt: skip

    page.get_by_role("button", name="Menu").click()
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Follow-ups").click()
    page.wait_for_url("**/outcomes/follow-ups/")
    row = page.get_by_role("row").filter(has_text=case.number)
    expect(row).to_contain_text("End of the programme")
    row.get_by_role("link", name="Open").click()
    page.get_by_role("link", name="Enter the CTS2 for this point").click()
    expect(page.get_by_label("When")).to_have_value(re.compile(r"^fu-\d+$"))
    for number in range(1, 79):
        page.locator(f"#id_item_{number}").select_option("0")
    _answer(page, 7, "Physical Assault (minor)", "2")
    _answer(page, 35, "Psychological Aggression (minor)", "1")
    page.get_by_role("button", name="Save questionnaire").click()
    page.wait_for_url(f"**/outcomes/cases/{case.pk}/?instrument=cts2")

    # The change: physical assault 15 + 8 = 23 at intake, 2 at the end;
    # psychological aggression 4, then 1.
    own = page.locator("section", has=page.get_by_role("heading", name="The person's own acts"))
    header = own.get_by_role("row").first
    expect(header).to_contain_text(re.compile("Intake \\(before the programme\\).*End of the programme", re.S))
    frequencies = {
        scale: own.get_by_role("row", name=re.compile(f"^{scale}")).locator(".oc-frequency").all_inner_texts()
        for scale in ("Negotiation", "Psychological Aggression", "Physical Assault", "Sexual Coercion", "Injury")
    }
    assert frequencies == {
        "Negotiation": ["0", "0"],
        "Psychological Aggression": ["4", "1"],
        "Physical Assault": ["23", "2"],
        "Sexual Coercion": ["0", "0"],
        "Injury": ["0", "0"],
    }
    chart = page.get_by_role("img", name=re.compile("Annual frequency of the person's own acts"))
    expect(chart).to_be_visible()
    assert chart.locator("rect.oc-bar-before").count() == 5
    assert chart.locator("rect.oc-bar-after").count() == 5
    expect(chart.locator("text.oc-chart-value")).to_contain_text(["0", "0", "4", "1", "23", "2", "0", "0", "0", "0"])
    expect(page.get_by_text(re.compile(r"Latest, \d"))).to_be_visible()
    _fits_the_screen(page)
    page.screenshot(path=SCREENSHOT_RESULTS, full_page=True)

    assert Administration.objects.filter(case=case).count() == 2
    assert FollowUp.objects.get(enrolment=enrolment, kind="end").status == "done"
    assert visitor.problems == []
