"""A psychologist logs a 12-person group session on her phone: Today → the
roster → every man marked in a few taps, the topic, a note → one save.
Saving again changes nothing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core.models import TimelineEntry
from programmes import timeline as programmes_timeline
from programmes.models import Attendance, Session
from tests.browser.conftest import PHONE
from tests.programmes.views_sessions_support import men_group_today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = "/tmp/roster-phone.png"  # noqa: S108 (not committed, for a human to look at)
SCREENSHOT_TODAY = "/tmp/today-phone.png"  # noqa: S108
SCREENSHOT_PROGRESS = "/tmp/progress-phone.png"  # noqa: S108
NOTE = "Two men argued about blame; brought back to the responsibility exercise."
# Taps on a person's own buttons; everyone else is "the rest", marked present.
TAPPED = {1: "Late", 4: "Excused absence", 7: "Unexcused absence", 10: "Late"}
MARK_OF_LABEL = {"Present": "present", "Late": "late", "Excused absence": "excused", "Unexcused absence": "unexcused"}


def _fits_the_screen(page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"{page.url} is {width[0]}px wide on a {width[1]}px screen"


def _snapshot(session: Session) -> list[tuple]:
    return list(Attendance.objects.filter(session=session).order_by("pk").values_list("pk", "enrolment_id", "mark"))


def test_a_psychologist_logs_a_twelve_person_group_on_a_phone(sign_in, world):
    users = {"police": world["officer"], "psychologist": world["psychologist"], "social_worker": world["social_worker"]}
    group, people, session = men_group_today(
        users, {"provider": world["provider"]}, size=12, location_kind="mobile", location="Alamedin, village club"
    )
    topics = group.template.curriculum
    chosen_topic = next(t for t in topics if t != session.planned_topic)
    # The roster lists people by name; so does this test.
    people.sort(key=lambda e: (e.case.referral.person.family_name.casefold(), e.case.referral.person.given_name))
    expected = {p.pk: MARK_OF_LABEL[TAPPED.get(i, "Present")] for i, p in enumerate(people)}

    visitor = sign_in(world["psychologist"], viewport=PHONE)
    page = visitor.page
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Today").click()
    page.wait_for_url("**/programmes/today/")
    card = page.get_by_role("article", name="Tuesday men")
    expect(card).to_contain_text("12 expected")
    expect(card).to_contain_text("mobile")
    expect(card).to_contain_text("Alamedin, village club")
    _fits_the_screen(page)
    page.screenshot(path=SCREENSHOT_TODAY, full_page=True)
    card.get_by_role("link", name="Log attendance").click()
    page.wait_for_url(f"**/programmes/sessions/{session.pk}/log/")
    expect(page.get_by_role("heading", name="Attendance: 12 people")).to_be_visible()

    for index, label in TAPPED.items():
        name = people[index].case.referral.person.full_name
        person = page.get_by_role("group", name=name)
        person.get_by_text(label, exact=True).click()
        expect(person.get_by_role("radio", name=label, exact=True)).to_be_checked()
    page.get_by_role("button", name="Mark the rest present").click()
    page.get_by_label("Topic covered").select_option(label=chosen_topic)
    page.get_by_label("Facilitator notes").fill(NOTE)
    _fits_the_screen(page)
    page.screenshot(path=SCREENSHOT, full_page=True)
    page.get_by_role("button", name="Save the session").click()

    # The man marked absent without excuse is under a protection order: the
    # page first says the police will be told, and saves on confirmation.
    expect(page.locator("#ps-consequences")).to_contain_text("as non-compliance")
    assert not Attendance.objects.filter(session=session).exists()
    page.get_by_role("button", name="Confirm and save").click()
    page.wait_for_url(f"**/programmes/sessions/{session.pk}/log/")
    expect(page.get_by_text("Session saved: 12 people marked.")).to_be_visible()
    # The saved marks, topic and note are shown again.
    for index, person in enumerate(people):
        label = TAPPED.get(index, "Present")
        group_box = page.get_by_role("group", name=person.case.referral.person.full_name)
        expect(group_box.get_by_role("radio", name=label, exact=True)).to_be_checked()
    expect(page.get_by_label("Topic covered")).to_have_value(chosen_topic)
    expect(page.get_by_label("Facilitator notes")).to_have_value(NOTE)

    session.refresh_from_db()
    assert (session.status, session.topic_covered, session.notes, session.logged_by) == (
        "held",
        chosen_topic,
        NOTE,
        world["psychologist"],
    )
    assert dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "mark")) == expected
    before = _snapshot(session)
    entries = TimelineEntry.objects.filter(kind=programmes_timeline.ATTENDANCE_RECORDED).count()
    assert entries == 12

    # Saving again (nothing changed) is harmless.
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(f"**/programmes/sessions/{session.pk}/log/")
    expect(page.get_by_text("Session saved: 12 people marked.")).to_be_visible()
    assert _snapshot(session) == before
    assert TimelineEntry.objects.filter(kind=programmes_timeline.ATTENDANCE_RECORDED).count() == entries

    # The progress of a man marked late shows on his case page.
    late = people[1]
    page.goto(f"/cases/{late.case_id}/")
    programme = page.get_by_role("region", name="Programme", exact=True)
    expect(programme).to_contain_text(re.compile(r"Group sessions\s*1 of 24"))
    expect(programme).to_contain_text(re.compile(r"Individual sessions\s*0 of 2"))
    expect(programme).to_contain_text("1 of 6 topics")
    _fits_the_screen(page)
    programme.screenshot(path=SCREENSHOT_PROGRESS)
    assert visitor.problems == []
