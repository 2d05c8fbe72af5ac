"""The court's pathway in a real Chromium, each step by the person whose work
it is, each signed in through the sign-in page in a browser of their own:

a court clerk files a referral with the court's decision → the
psychologist screens, accepts, takes the intake and enrols the man in the
mandatory programme → he comes to his first session, then stops coming and
the psychologist records the dropout → the dropout notice reaches the court
→ the judge records what followed (40 hours of community service) → the
psychologist sees it on the case's timeline, and the clerk on the referral's
status history.

Then what the court must not see: no session notes, no intake or risk
notes, no survivor data (the clerk who entered the survivor sees her on the
referral, as the police officer does; the judge never does), no risk level.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Organisation, Role
from casework.models import Case
from core.models import SensitiveRead
from notifications.models import Notice, Sanction
from programmes.models import Enrolment, Session
from tests import factories as f
from tests.browser.conftest import DESKTOP, send_referral

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = "/tmp/court-pathway-{}.png"  # noqa: S108 (not committed, for a human to look at)

COURT = "Pervomaisky District Court of Bishkek"
PROVIDER = "Bishkek Consultation Room"
DECISION_NUMBER = "5-417/2026"
SURVIVOR_NAME = ("Toktogulova", "Nazira")
SURVIVOR_PHONE = "+996700445566"
SURVIVOR_ADDRESS = "Bishkek, Asanbai microdistrict 12, flat 40"
INCIDENT = "Beat his wife after she asked for a divorce; the court ordered the programme."
SCREENING_NOTES = "Calm at the interview; denies drinking."
INTAKE_NOTES = "Says the court was unfair to him; agrees to come."
RISK_NOTES = "Jealousy and control of her phone; no weapons."
SESSION_NOTES = "Talked at length about his father's violence; tearful."
ENDING_NOTES = "Told the social worker he has left for work in Russia."
MANDATORY = "kg-annex3-mandatory"


@pytest.fixture
def court_world(shipped_data) -> dict:
    """A district court (a clerk and a judge) and a consultation room (a
    psychologist qualified for the Kyrgyz programme, a social worker) in
    Kyrgyzstan, with a group of the mandatory programme for people who
    start today."""
    K = Organisation.Kind
    court = f.make_org(K.COURT, name=COURT)
    provider = f.make_org(K.PROGRAMME_PROVIDER, name=PROVIDER)
    psychologist = f.make_user(provider, Role.PSYCHOLOGIST, "psychologist")
    social_worker = f.make_user(provider, Role.SOCIAL_WORKER, "social_worker")
    f.qualify(psychologist)
    f.qualify(social_worker)
    template = f.shipped_template(MANDATORY)
    group = f.make_group(
        by=psychologist, template=template, name="Mandatory men", psychologist=psychologist, social_worker=social_worker
    )
    return {
        "court": court,
        "provider": provider,
        "clerk": f.make_user(court, Role.COURT_CLERK, "clerk"),
        "judge": f.make_user(court, Role.JUDGE, "judge"),
        "psychologist": psychologist,
        "social_worker": social_worker,
        "template": template,
        "group": group,
    }


def _nothing_the_court_must_not_see(text: str, *, survivor_too: bool = True) -> None:
    for secret in (SESSION_NOTES, SCREENING_NOTES, INTAKE_NOTES, RISK_NOTES, ENDING_NOTES, "Risk level"):
        assert secret not in text
    if survivor_too:
        for secret in (*SURVIVOR_NAME, SURVIVOR_PHONE, "700445566", SURVIVOR_ADDRESS, INCIDENT):
            assert secret not in text


def test_a_court_referral_dropout_and_sanction(sign_in, court_world, live_server):
    today = timezone.localdate()
    w = court_world
    provider = w["provider"]

    # 1. The court clerk files the referral, with the court's decision. -------------
    clerk = sign_in(w["clerk"], viewport=DESKTOP)
    page = clerk.page
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="New referral").click()
    page.wait_for_url("**/referrals/new/")
    expect(page.get_by_label("Referral source")).to_have_count(0)  # a court is its own source
    page.get_by_label("Programme provider").select_option(label=f"{provider.name} — {provider.region}")
    page.get_by_label("Court decision number").fill(DECISION_NUMBER)
    page.get_by_label("Court decision date").fill((today - dt.timedelta(days=5)).isoformat())
    page.get_by_label("Protection order number").fill("PO-2026-0417")
    page.get_by_label("Issuing authority").fill(COURT)
    page.get_by_label("Issued on").fill((today - dt.timedelta(days=5)).isoformat())
    page.get_by_label("Expires on").fill((today + dt.timedelta(days=120)).isoformat())
    page.get_by_label("Obliges attendance of a programme").check()

    person = page.locator("fieldset", has=page.locator("legend", has_text="The person referred")).first
    person.get_by_label("Family name").fill("Toktogulov")
    person.get_by_label("Given name").fill("Ermek")
    person.get_by_label("Sex").select_option(label="Male")
    person.get_by_label("Date of birth").fill("1988-09-03")
    person.get_by_label("Preferred language").select_option(label="Kyrgyz")
    person.get_by_label("Phone").fill("0555 404 404")

    survivor = page.locator("fieldset.survivor-form").first
    survivor.get_by_label("Family name").fill(SURVIVOR_NAME[0])
    survivor.get_by_label("Given name").fill(SURVIVOR_NAME[1])
    survivor.get_by_label("Relationship").select_option(label="Partner / spouse")
    survivor.get_by_label("Phone").fill("0700 445 566")
    survivor.get_by_label("Address").fill(SURVIVOR_ADDRESS)
    page.get_by_label("Incident description").fill(INCIDENT)
    referral, status_url = send_referral(page)
    expect(page.get_by_role("region", name="Protection order")).to_contain_text(
        f"Court decision {DECISION_NUMBER} of {today - dt.timedelta(days=5):%d.%m.%Y}."
    )
    assert (referral.referring_body, referral.source, referral.court_decision_number) == (
        w["court"],
        "court",
        DECISION_NUMBER,
    )
    assert referral.court_decision_date == today - dt.timedelta(days=5)
    assert referral.order_obliges_programme is True

    # 2. The psychologist screens, accepts, takes the intake. ----------------------
    psychologist = sign_in(w["psychologist"], viewport=DESKTOP)
    page = psychologist.page
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Incoming referrals").click()
    page.wait_for_url("**/referrals/incoming/")
    page.get_by_role("link", name=f"{referral.reference} · Toktogulov Ermek").click()
    page.wait_for_url(f"**/referrals/{referral.pk}/screen/")
    for box in page.locator(".screening-criterion").all():
        box.get_by_label("Met", exact=True).check()
    page.get_by_label("Screening notes").fill(SCREENING_NOTES)
    page.get_by_role("button", name="Save screening").click()
    expect(page.get_by_role("alert")).to_have_text("Screening saved.")
    page.get_by_role("button", name="Accept", exact=True).click()
    page.get_by_role("alert").filter(has_text="Please confirm").get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Referral accepted. The referring body is told and sees the new status."
    )
    page.get_by_role("link", name="Start the intake").click()
    page.wait_for_url(f"**/cases/intake/{referral.pk}/")
    page.get_by_label("Acknowledgement of violence").select_option(label="Partly, minimises or blames others")
    page.get_by_label("Alcohol or drug use").select_option(label="None")
    page.get_by_label("Motivation to change").select_option(label="Low")
    page.get_by_label("Interview notes").fill(INTAKE_NOTES)
    page.get_by_role("group", name="The referred person consents to the release of information").get_by_label(
        "Given", exact=True
    ).check()
    page.get_by_label("Notes", exact=True).fill(RISK_NOTES)
    page.get_by_role("button", name="Complete intake and open the case").click()
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    case = Case.objects.get()
    expect(page.get_by_role("alert")).to_have_text(f"Intake recorded: case {case.number} is open.")

    # 3. ... and enrols him in the mandatory programme's group. ---------------------
    page.get_by_role("link", name="Enrol in a programme").click()
    page.wait_for_url(f"**/programmes/cases/{case.pk}/enrol/")
    template, group = w["template"], w["group"]
    page.get_by_label("Programme").select_option(label=f"{template.name} (v{template.version})")
    expect(page.get_by_label("Start")).to_have_value(today.isoformat())
    page.get_by_label("Group", exact=True).select_option(value=str(group.pk))
    page.get_by_label("Psychologist for individual sessions").select_option(value=str(w["psychologist"].pk))
    page.get_by_role("button", name="Enrol and plan the sessions").click()
    page.wait_for_url(f"**/cases/{case.pk}/")
    enrolment = Enrolment.objects.get(case=case)
    assert (enrolment.template, enrolment.group, enrolment.status) == (template, group, Enrolment.Status.ACTIVE)
    programme = page.get_by_role("region", name="Programme", exact=True)
    expect(programme).to_contain_text(template.name)

    # 4. He comes to his first individual session (the diary put it a few days
    #    ahead; the test moves it to this morning so that it can be logged).
    first = Session.objects.filter(enrolment=enrolment).order_by("starts_at").first()
    Session.objects.filter(pk=first.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1))
    page.goto(f"/programmes/sessions/{first.pk}/log/")
    page.get_by_role("group", name="Toktogulov Ermek").get_by_text("Present", exact=True).click()
    topic = page.get_by_label("Topic covered")
    topic.select_option(index=1)
    page.get_by_label("Facilitator notes").fill(SESSION_NOTES)
    page.get_by_role("button", name="Save the session").click()
    expect(page.get_by_text("Session saved: 1 person marked.")).to_be_visible()

    # 5. He stops coming: the psychologist records the dropout. ---------------------
    page.goto(f"/programmes/enrolments/{enrolment.pk}/")
    page.get_by_role("link", name="End the programme").click()
    page.wait_for_url(f"**/programmes/enrolments/{enrolment.pk}/discharge/")
    page.get_by_label("Dropped out").check()
    page.get_by_label("Reason").fill("Stopped coming after the first session.")
    page.get_by_label("Notes").fill(ENDING_NOTES)
    page.get_by_role("button", name="End the programme").click()
    confirm = page.get_by_role("alert").filter(has_text="Please confirm")
    expect(confirm).to_contain_text(COURT)
    confirm.get_by_role("button", name="Confirm").click()
    page.wait_for_url(f"**/programmes/enrolments/{enrolment.pk}/")
    told = page.get_by_role("alert").filter(has_text="The programme ended: Dropped out.")
    expect(told).to_contain_text(COURT)
    page.screenshot(path=SCREENSHOT.format("1-dropout"), full_page=True)
    notice = Notice.objects.get(event__kind="dropout", organisation=w["court"])

    # 6. The judge finds the dropout notice and records what followed. -------------
    judge = sign_in(w["judge"], viewport=DESKTOP)
    page = judge.page
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name=re.compile("Notices")).click()
    page.wait_for_url("**/notifications/")
    title = f"Dropped out of the programme · referral {referral.reference}"
    row = page.locator(".nf-notice").filter(has_text=title)
    expect(row).to_contain_text(COURT)
    expect(row.get_by_role("link", name="Record what followed")).to_be_visible()
    row.get_by_role("link", name=title).click()
    page.wait_for_url(f"**/notifications/{notice.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("dl.cw-facts")).to_contain_text(referral.reference)
    expect(page.locator("dl.cw-facts")).to_contain_text("Dropped out")
    _nothing_the_court_must_not_see(page.content())
    page.screenshot(path=SCREENSHOT.format("2-court-notice"), full_page=True)
    page.get_by_role("link", name="Record what followed").click()
    page.wait_for_url(f"**/notifications/{notice.pk}/what-followed/")
    _nothing_the_court_must_not_see(page.content())
    page.get_by_label("Community service", exact=True).check()
    page.get_by_label("Hours of community service").fill("40")
    page.get_by_role("button", name="Record what followed").click()
    page.wait_for_url(f"**/notifications/{notice.pk}/")
    expect(page.get_by_role("alert").filter(has_text="What followed the notice is recorded")).to_be_visible()
    expect(page.locator(".nf-sanction")).to_have_text("Community service: 40 hours")
    sanction = Sanction.objects.get()
    assert (sanction.notice, sanction.kind, sanction.service_hours, sanction.recorded_by) == (
        notice,
        "community_service",
        40,
        w["judge"],
    )

    # The judge's view of the referral: its course, and nothing else.
    page.goto(status_url)
    expect(page.locator(".referral-status")).to_have_text("Dropped out")
    history = page.get_by_role("region", name="Status history")
    expect(history).to_contain_text("After the notice: community service (hours): 40")
    expect(page.locator(".cw-risk")).to_have_count(0)
    _nothing_the_court_must_not_see(page.content())
    page.screenshot(path=SCREENSHOT.format("3-judge-status"), full_page=True)

    # 7. The psychologist sees the sanction on the case's timeline. -----------------
    page = psychologist.page
    page.goto(f"/cases/{case.pk}/")
    entry = page.locator(".cw-timeline-entry").filter(has_text="After the notice: community service (hours)")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("40")
    expect(entry).to_contain_text(COURT)
    page.screenshot(path=SCREENSHOT.format("4-case-timeline"), full_page=True)

    # 8. The clerk: the notice and the referral's history, no clinical word. ------
    page = clerk.page
    page.goto(f"/notifications/{notice.pk}/")
    expect(page.locator(".nf-sanction")).to_have_text("Community service: 40 hours")
    _nothing_the_court_must_not_see(page.content())
    page.goto(status_url)
    expect(page.get_by_role("region", name="Status history")).to_contain_text(
        "After the notice: community service (hours): 40"
    )
    # She entered the survivor, so her status page shows her (each view logged),
    # as a police officer's does; never a clinical note or the risk level.
    _nothing_the_court_must_not_see(page.content(), survivor_too=False)
    expect(page.locator(".cw-risk")).to_have_count(0)

    court_reads = SensitiveRead.objects.filter(user__in=[w["clerk"], w["judge"]])
    assert set(court_reads.values_list("user__username", "record_type")) <= {("clerk", "survivor")}
    for visitor in (clerk, psychologist, judge):
        assert visitor.problems == [], visitor.user.username
