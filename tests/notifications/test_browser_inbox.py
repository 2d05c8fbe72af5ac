"""In a real Chromium: a crisis-centre worker has her inbox open when a
dropout is recorded; the notice appears by itself (htmx polling of the list
and the nav badge) and she acknowledges it."""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from playwright.sync_api import expect

from accounts.models import Organisation, Role
from casework.services import survivor_service_refer
from notifications.models import Notice
from notifications.services import safety_event_record
from tests import factories as f
from tests.browser.conftest import PHONE, shipped_data, sign_in  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT_NOTICE = "/tmp/notice-detail-phone.png"  # noqa: S108 (not committed, for a human to look at)
SCREENSHOT_INBOX = "/tmp/notice-inbox-phone.png"  # noqa: S108


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
    return {"case": case, "worker": worker, "crisis_centre": crisis_centre}


def test_a_dropout_appears_in_the_open_inbox_and_is_acknowledged(sign_in, crisis_case, settings):  # noqa: F811
    settings.NOTIFY_POLL_SECONDS = 1
    case = crisis_case["case"]
    worker = sign_in(crisis_case["worker"], viewport=PHONE)
    page = worker.page
    page.get_by_role("button", name="Menu").click()
    nav = page.get_by_role("navigation", name="Main navigation")
    nav.get_by_role("link", name="Notices").click()
    page.wait_for_url("**/notifications/")
    expect(page.get_by_text("No open notices. New ones appear here by themselves.")).to_be_visible()
    expect(page.locator("#notice-badge .nf-badge")).to_have_count(0)

    # Meanwhile the programme records the dropout.
    with transaction.atomic():
        event = safety_event_record(
            kind="dropout",
            case=case,
            facts={"ended_on": "2026-03-02", "ending": "dropped_out", "mandatory": True, "sessions_attended": 4},
            dedupe_key="dropout:browser:1",
        )
    notice = event.notices.get(organisation=crisis_case["crisis_centre"])

    link = page.get_by_role("link", name=f"Dropped out of the programme · case {case.number}")
    expect(link).to_be_visible(timeout=10_000)  # the list refreshed itself
    expect(page.locator("#notice-badge .nf-badge")).to_contain_text("1", timeout=10_000)
    page.screenshot(path=SCREENSHOT_INBOX, full_page=True)
    link.click()
    page.wait_for_url(re.compile(rf"/notifications/{notice.pk}/$"))
    expect(page.get_by_text("How it ended")).to_be_visible()
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], "the notice page scrolls sideways on a phone"
    page.screenshot(path=SCREENSHOT_NOTICE, full_page=True)
    page.get_by_label("Survivor informed").check()
    page.get_by_label("Note").fill("Called her, she is safe at her sister's.")
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("alert")).to_have_text("Notice acknowledged. Thank you.")
    expect(page.get_by_text(re.compile(r"Acknowledged by crisis_worker on"))).to_be_visible()
    expect(page.locator("#notice-badge .nf-badge")).to_have_count(0, timeout=10_000)

    notice.refresh_from_db()
    assert (notice.status, notice.acknowledged_by, notice.action) == (
        Notice.Status.ACKNOWLEDGED,
        crisis_case["worker"],
        "survivor_informed",
    )
    assert notice.ack_note == "Called her, she is safe at her sister's."
    assert worker.problems == []
