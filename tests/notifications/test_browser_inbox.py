"""In a real Chromium: a crisis-centre worker has her inbox open when the
psychologist logs the absence that reaches the programme's dropout rule; the
notice appears by itself (htmx polling of the list and the nav badge) and
she acknowledges it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Organisation, Role
from casework.services import survivor_service_refer
from notifications.models import Notice
from programmes.services import attendance_log
from tests import factories as f
from tests.browser.conftest import PHONE, shipped_data, sign_in  # noqa: F401 - fixtures
from tests.notices import case_notices

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
    # A men's group (dropout after 3 unexcused absences in a row) that began 8 weeks ago.
    template = f.shipped_template("kg-annex3-voluntary-men")
    start = timezone.localdate() - dt.timedelta(days=56)
    group = f.make_group(
        by=psychologist, template=template, starts_on=start, psychologist=psychologist, social_worker=social_worker
    )
    enrolment = f.enrol_case(case, by=psychologist, template=template, group=group)
    return {
        "case": case,
        "worker": worker,
        "crisis_centre": crisis_centre,
        "psychologist": psychologist,
        "group": group,
        "enrolment": enrolment,
    }


def _log_absence(crisis_case, number: int) -> None:
    session = crisis_case["group"].sessions.get(number=number)
    attendance_log(
        session=session,
        by=crisis_case["psychologist"],
        marks={crisis_case["enrolment"].pk: "unexcused"},
        topic_covered="",
    )


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

    # Meanwhile the psychologist logs his absences: the third in a row reaches the rule.
    _log_absence(crisis_case, 1)
    _log_absence(crisis_case, 2)
    assert not case_notices().exists()
    _log_absence(crisis_case, 3)
    notice = case_notices().get(event__kind="dropout", organisation=crisis_case["crisis_centre"])

    link = page.get_by_role("link", name=f"Dropped out of the programme · case {case.number}")
    expect(link).to_be_visible(timeout=10_000)  # the list refreshed itself
    expect(page.locator("#notice-badge .nf-badge")).to_contain_text("1", timeout=10_000)
    page.screenshot(path=SCREENSHOT_INBOX, full_page=True)
    link.click()
    page.wait_for_url(re.compile(rf"/notifications/{notice.pk}/$"))
    expect(page.get_by_text("How it ended")).to_be_visible()
    expect(page.get_by_text("Dropout rule reached (still enrolled; staff may record the ending)")).to_be_visible()
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], "the notice page scrolls sideways on a phone"
    page.screenshot(path=SCREENSHOT_NOTICE, full_page=True)
    page.get_by_label("Called her").check()
    page.get_by_label("Note").fill("Called her, she is safe at her sister's.")
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("alert")).to_have_text("Notice acknowledged. Thank you.")
    expect(page.get_by_text(re.compile(r"Acknowledged by crisis_worker on"))).to_be_visible()
    expect(page.locator("#notice-badge .nf-badge")).to_have_count(0, timeout=10_000)

    notice.refresh_from_db()
    assert (notice.status, notice.acknowledged_by, notice.actions) == (
        Notice.Status.ACKNOWLEDGED,
        crisis_case["worker"],
        ["survivor_called"],
    )
    assert notice.ack_note == "Called her, she is safe at her sister's."
    assert worker.problems == []
