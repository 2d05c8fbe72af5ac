"""In a real Chromium, on a phone (390 px) and on a desktop: a crisis-centre
worker has a page open when new violence is reported on her case; the red
banner appears by itself on the page (it comes with the badge poll), fits
the screen, leads to the notice, and goes once she acknowledges it."""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from playwright.sync_api import expect

from accounts.models import Organisation, Role
from casework.services import survivor_service_refer
from notifications.services import new_violence_report
from tests import factories as f
from tests.browser.conftest import DESKTOP, PHONE, shipped_data, sign_in  # noqa: F401 - fixtures
from tests.notices import case_notices

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def crisis_case(shipped_data):  # noqa: F811 - the fixture imported above
    K = Organisation.Kind
    police = f.make_org(K.POLICE_UNIT, name="Bishkek City Police, Pervomaisky district")
    provider = f.make_org(K.PROGRAMME_PROVIDER, name="Bishkek Consultation Room")
    crisis_centre = f.make_org(K.SURVIVOR_SERVICE, name="Sezim Crisis Centre")
    officer = f.make_user(police, Role.POLICE_OFFICER, "officer")
    psychologist = f.make_user(provider, Role.PSYCHOLOGIST, "psychologist")
    social_worker = f.make_user(provider, Role.SOCIAL_WORKER, "social_worker")
    worker = f.make_user(crisis_centre, Role.SURVIVOR_WORKER, "crisis_worker")
    case = f.open_case(f.make_referral(police=officer, provider=provider), psychologist)
    survivor_service_refer(case=case, organisation=crisis_centre, by=social_worker)
    return {"case": case, "worker": worker, "crisis_centre": crisis_centre, "psychologist": psychologist}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_urgent_banner_appears_fits_and_goes(sign_in, crisis_case, settings, viewport):  # noqa: F811
    import datetime as dt

    from django.utils import timezone

    settings.NOTIFY_POLL_SECONDS = 1
    worker = sign_in(crisis_case["worker"], viewport=viewport)
    page = worker.page
    page.goto("/notifications/reminders/")
    expect(page.locator(".nf-urgent-banner")).to_have_count(0)

    with transaction.atomic():
        new_violence_report(
            case=crisis_case["case"],
            by=crisis_case["psychologist"],
            reported_on=timezone.localdate() - dt.timedelta(days=1),
            summary="He came to her flat at night.",
        )
    notice = case_notices().get(organisation=crisis_case["crisis_centre"])
    assert notice.urgency == "urgent"

    banner = page.locator(".nf-urgent-banner")
    expect(banner).to_be_visible(timeout=10_000)
    expect(banner).to_contain_text("1 urgent notice to acknowledge")
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], "the banner makes the page scroll sideways"
    box = banner.bounding_box()
    assert box is not None and box["width"] <= viewport["width"]
    page.screenshot(path=f"/tmp/urgent-banner-{viewport['width']}.png", full_page=True)  # noqa: S108

    banner.get_by_role("link", name=re.compile(r"New violence reported · case")).click()
    page.wait_for_url(re.compile(rf"/notifications/{notice.pk}/$"))
    page.get_by_label("Called her").check()
    page.get_by_label("Reviewed her safety plan").check()
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("Notice acknowledged. Thank you.")).to_be_visible()
    expect(page.locator(".nf-urgent-banner")).to_have_count(0)
    notice.refresh_from_db()
    assert notice.actions == ["survivor_called", "safety_plan_reviewed"]
