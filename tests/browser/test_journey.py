"""The first journey in a real Chromium, each step by the person whose work
it is, each signed in through the sign-in page in a browser of their own:

police referral (on a phone) → screening → intake → referral to the crisis
centre → survivor contact and safety plan.

Then what each of them must not see: the psychologist's case page carries
no survivor phone or address, the officer's status page no risk level and
no clinical notes.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casework.models import Case, SafetyPlan, SurvivorContact
from core.models import SensitiveRead
from referrals.models import Referral
from tests.browser.conftest import DESKTOP, PHONE, send_referral

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT_FORM = "/tmp/journey-referral-form-phone.png"  # noqa: S108 (not committed, for a human to look at)
SCREENSHOT_PLAN = "/tmp/journey-safety-plan-phone.png"  # noqa: S108
SCREENSHOT_CASE = "/tmp/journey-survivor-worker-case-phone.png"  # noqa: S108
SCREENSHOT_STATUS = "/tmp/journey-police-status-phone.png"  # noqa: S108

SURVIVOR_PHONE_TYPED = "0700 987 654"
SURVIVOR_PHONE = "+996700987654"
SURVIVOR_ADDRESS = "Bishkek, Tunguch microdistrict 7, flat 3"
SURVIVOR_NAME = ("Asanova", "Aigul")
INCIDENT = "Threatened to kill his wife and choked her in the kitchen; neighbours called the police."
INTAKE_NOTES = "Came on time; blames stress at work for the incident."
VIOLENCE_HISTORY = "Two earlier incidents reported by neighbours in 2023."
RISK_NOTES = "Lethality markers present: threat to kill and strangulation."
SCREENING_NOTES = "Sober at the interview, no psychiatric history known."
CODE_WORD = "apricot jam"


def _fieldset(page, legend: str):
    """A card of the referral form, found by its heading."""
    return page.locator("fieldset", has=page.locator("legend", has_text=legend)).first


def _fits_the_screen(page) -> None:
    """Nothing makes a phone page scroll sideways (a wide table scrolls in
    its own .table-responsive box)."""
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"{page.url} is {width[0]}px wide on a {width[1]}px screen"


def _no_survivor_details(text: str) -> None:
    for secret in (SURVIVOR_PHONE, SURVIVOR_PHONE_TYPED, "700987654", SURVIVOR_ADDRESS, *SURVIVOR_NAME):
        assert secret not in text


def test_a_police_referral_becomes_a_case_with_a_safety_plan(sign_in, world, live_server):
    today = timezone.localdate()  # the server's date, which the pages pre-fill
    provider = world["provider"]

    # 1. The police officer, on his phone, enters the referral. ------------------
    officer = sign_in(world["officer"], viewport=PHONE)
    page = officer.page
    expect(page.get_by_role("heading", name="Our organisation's referrals")).to_be_visible()
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="New referral").click()
    page.wait_for_url("**/referrals/new/")

    # Options are grouped by country; the chosen one is repeated in full below.
    page.get_by_label("Programme provider").select_option(label=f"{provider.name} — {provider.region}")
    expect(page.locator('[data-select-summary="id_provider"]')).to_have_text(
        f"{provider.name} — {provider.region}, {provider.get_country_display()}"
    )
    page.get_by_label("Referral source").select_option(label="Police")
    page.get_by_label("Protection order number").fill("PO-2024-0815")
    page.get_by_label("Issuing authority").fill("Pervomaisky district police")
    page.get_by_label("Issued on").fill((today - dt.timedelta(days=2)).isoformat())
    page.get_by_label("Expires on").fill((today + dt.timedelta(days=28)).isoformat())
    page.get_by_label("Obliges attendance of a programme").check()

    person = _fieldset(page, "The person referred")
    person.get_by_label("Family name").fill("Asanov")
    person.get_by_label("Given name").fill("Bakyt")
    person.get_by_label("Sex").select_option(label="Male")
    person.get_by_label("Date of birth").fill("1985-04-12")
    person.get_by_label("Preferred language").select_option(label="Kyrgyz")
    person.get_by_label("Phone").fill("0555 123 456")
    person.get_by_label("Address").fill("Bishkek, Primernaya 1")
    person.get_by_label("Household").fill("Wife, two children, his mother")

    survivor = page.locator("fieldset.survivor-form").first
    survivor.get_by_label("Family name").fill(SURVIVOR_NAME[0])
    survivor.get_by_label("Given name").fill(SURVIVOR_NAME[1])
    survivor.get_by_label("Relationship").select_option(label="Partner / spouse")
    survivor.get_by_label("Phone").fill(SURVIVOR_PHONE_TYPED)
    survivor.get_by_label("Address").fill(SURVIVOR_ADDRESS)
    survivor.get_by_label("Children in the household").fill("2")
    survivor.get_by_label("Agrees to be contacted").check()

    page.get_by_label("Incident description").fill(INCIDENT)
    flags = page.get_by_role("group", name="Risk flags")
    flags.get_by_label("Threat to kill").check()
    flags.get_by_label("Strangulation or choking").check()

    _fits_the_screen(page)
    page.screenshot(path=SCREENSHOT_FORM, full_page=True)
    referral, status_url = send_referral(page)
    _fits_the_screen(page)
    assert referral.status == Referral.Status.RECEIVED
    assert referral.provider == provider
    assert referral.referring_body == world["police"]
    assert referral.order_number == "PO-2024-0815"
    assert referral.order_obliges_programme is True
    assert referral.order_expires_on == today + dt.timedelta(days=28)
    assert sorted(referral.risk_flags) == ["strangulation", "threat_to_kill"]
    assert referral.incident_description == INCIDENT
    assert (referral.person.family_name, referral.person.phone, referral.person.preferred_language) == (
        "Asanov",
        "+996555123456",
        "ky",
    )
    stored = referral.survivors.get()
    assert (stored.family_name, stored.phone, stored.address, stored.children_in_household) == (
        SURVIVOR_NAME[0],
        SURVIVOR_PHONE,
        SURVIVOR_ADDRESS,
        2,
    )
    assert stored.consents_to_contact is True

    # 2. The psychologist screens and accepts. -------------------------------------
    psychologist = sign_in(world["psychologist"], viewport=DESKTOP)
    page = psychologist.page
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Incoming referrals").click()
    page.wait_for_url("**/referrals/incoming/")
    page.get_by_role("link", name=f"{referral.reference} · Asanov Bakyt").click()
    page.wait_for_url(f"**/referrals/{referral.pk}/screen/")
    _no_survivor_details(page.content())

    criteria = [
        "No addiction to alcohol, narcotics, psychotropic substances or gambling (otherwise basic therapy first)",
        "No mental disorder (otherwise basic therapy first)",
    ]
    expect(page.locator(".screening-criterion")).to_have_count(len(criteria))
    for text in criteria:
        page.get_by_role("group", name=text).get_by_label("Met", exact=True).check()
    page.get_by_label("Screening notes").fill(SCREENING_NOTES)
    page.get_by_role("button", name="Save screening").click()
    expect(page.get_by_role("alert")).to_have_text("Screening saved.")
    for text in criteria:  # the saved answers come back
        expect(page.get_by_role("group", name=text).get_by_label("Met", exact=True)).to_be_checked()
    expect(page.get_by_label("Screening notes")).to_have_value(SCREENING_NOTES)

    page.get_by_role("button", name="Accept", exact=True).click()
    confirm = page.get_by_role("alert").filter(has_text="Please confirm")
    expect(confirm).to_contain_text(f"You are about to accept referral {referral.reference} (Asanov Bakyt)")
    expect(confirm).to_contain_text("This cannot be undone.")
    expect(page.locator(".referral-status")).not_to_have_text("Accepted")
    confirm.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Referral accepted. The referring body is told and sees the new status."
    )
    expect(page.locator(".referral-status")).to_have_text("Accepted")
    page.get_by_role("link", name="Start the intake").click()
    page.wait_for_url(f"**/cases/intake/{referral.pk}/")

    # 3. Intake: interview, consents, the risk checklist. --------------------------
    expect(page.get_by_label("Interview date")).to_have_value(today.isoformat())
    expect(page.get_by_label("Language of the interview")).to_have_value("ky")
    page.get_by_label("Acknowledgement of violence").select_option(label="Partly, minimises or blames others")
    expect(page.get_by_label("Violence only or mostly within the family")).to_be_checked()
    page.get_by_label("Alcohol or drug use").select_option(label="None")
    page.get_by_label("Motivation to change").select_option(label="Medium")
    page.get_by_label("History of violence").fill(VIOLENCE_HISTORY)
    page.get_by_label("Interview notes").fill(INTAKE_NOTES)

    page.get_by_role("group", name="The referred person consents to the release of information").get_by_label(
        "Given", exact=True
    ).check()
    contact_consent = page.get_by_role("group", name="Survivor 1 — Partner / spouse: agrees to be contacted")
    expect(contact_consent.get_by_label("Given", exact=True)).to_be_checked()  # as the officer recorded
    page.get_by_role(
        "group", name="Survivor 1 — Partner / spouse: agrees that her details go to a survivor service"
    ).get_by_label("Given", exact=True).check()

    expect(page.get_by_label("Threat to kill")).to_be_checked()
    expect(page.get_by_label("Strangulation or choking")).to_be_checked()
    expect(page.get_by_label("Weapon used or threatened")).not_to_be_checked()
    page.get_by_label("Notes", exact=True).fill(RISK_NOTES)
    _no_survivor_details(page.content())
    page.get_by_role("button", name="Complete intake and open the case").click()
    page.wait_for_url(re.compile(r"/cases/\d+/$"))

    case = Case.objects.get()
    assert case.referral == referral
    assert case.current_risk_level == "high"
    assert page.url == f"{live_server.url}/cases/{case.pk}/"
    expect(page.get_by_role("alert")).to_have_text(f"Intake recorded: case {case.number} is open.")
    expect(page.get_by_role("heading", name=f"Case {case.number}")).to_be_visible()
    expect(page.locator("h1 ~ .cw-risk")).to_have_text("High")  # the badge beside the case number
    expect(page.get_by_text(INTAKE_NOTES)).to_be_visible()

    # 4. The social worker refers the case to the crisis centre. ------------------
    social_worker = sign_in(world["social_worker"], viewport=DESKTOP)
    page = social_worker.page
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Cases").click()
    page.wait_for_url("**/cases/")
    page.get_by_role("link", name=case.number).click()
    page.wait_for_url(f"**/cases/{case.pk}/")
    page.get_by_role("link", name="Refer to a survivor service").click()
    page.wait_for_url(f"**/cases/{case.pk}/survivor-service/")
    centre = world["crisis_centre"]
    page.get_by_label("Survivor service").select_option(
        label=f"{centre.name} ({centre.get_country_display()}, {centre.region})"
    )
    page.get_by_role("button", name="Refer", exact=True).click()
    page.wait_for_url(f"**/cases/{case.pk}/")
    expect(page.get_by_role("alert")).to_have_text("The case is referred to Sezim Crisis Centre.")
    assert list(case.survivor_services.values_list("organisation", flat=True)) == [world["crisis_centre"].pk]

    # 5. The crisis-centre worker, on her phone: contact and safety plan. ---------
    worker = sign_in(world["survivor_worker"], viewport=PHONE)
    page = worker.page
    page.wait_for_url("**/cases/survivor-service/")
    _fits_the_screen(page)
    page.get_by_role("link", name=case.number).click()
    page.wait_for_url(f"**/cases/{case.pk}/")
    expect(page.get_by_text("Threat to kill")).to_be_visible()  # the referral's flags, for her safety work
    _fits_the_screen(page)
    page.screenshot(path=SCREENSHOT_CASE, full_page=True)
    page.get_by_role("link", name="Open survivor record").click()
    page.wait_for_url(f"**/cases/{case.pk}/survivors/{stored.pk}/")
    details = page.get_by_role("region", name="Details")
    expect(details).to_contain_text(SURVIVOR_PHONE)
    expect(details).to_contain_text(SURVIVOR_ADDRESS)
    expect(details).to_contain_text("Asanova Aigul")
    _fits_the_screen(page)

    page.get_by_role("link", name="Log contact").click()
    page.wait_for_url(f"**/cases/{case.pk}/survivors/{stored.pk}/contact/")
    expect(page.get_by_label("Date")).to_have_value(today.isoformat())
    _fits_the_screen(page)
    page.get_by_label("Method").select_option(label="Phone")
    page.get_by_label("Outcome").select_option(label="Reached")
    page.get_by_label("Informed about the programme").check()
    page.get_by_label("Notes").fill("Called when she was alone; she wants a safety plan.")
    page.get_by_role("button", name="Log contact").click()
    page.wait_for_url(f"**/cases/{case.pk}/survivors/{stored.pk}/")
    expect(page.get_by_role("alert")).to_have_text("Contact logged.")
    _fits_the_screen(page)
    log = page.get_by_role("region", name="Contact log")
    expect(log).to_contain_text(f"{today:%d.%m.%Y} · Phone · Reached")
    expect(log).to_contain_text("Called when she was alone; she wants a safety plan.")

    page.locator(".cw-actions").get_by_role("link", name="Safety plan").click()
    page.wait_for_url(f"**/cases/{case.pk}/survivors/{stored.pk}/safety-plan/")
    _fits_the_screen(page)
    review = today + dt.timedelta(days=14)
    page.get_by_label("Risks").fill("He knows her workplace; threats to kill by phone.")
    page.get_by_label("Safe contacts").fill("Her sister Nurgul; the crisis centre hotline.")
    page.get_by_label("Safe places").fill("Her sister's flat; the crisis centre shelter.")
    page.get_by_label("Code word").fill(CODE_WORD)
    page.get_by_label("Children's safety").fill("Children go to the neighbour on the code word.")
    page.get_by_label("Next review date").fill(review.isoformat())
    page.get_by_role("button", name="Save safety plan").click()
    expect(page.get_by_role("alert")).to_have_text("Safety plan saved.")
    expect(page.get_by_role("link", name="Edit the plan")).to_be_visible()
    plan_facts = page.locator("dl.cw-facts")
    for text in (
        "He knows her workplace; threats to kill by phone.",
        "Her sister Nurgul; the crisis centre hotline.",
        "Her sister's flat; the crisis centre shelter.",
        CODE_WORD,
        "Children go to the neighbour on the code word.",
        f"{review:%d.%m.%Y}",
    ):
        expect(plan_facts).to_contain_text(text)
    _fits_the_screen(page)
    page.screenshot(path=SCREENSHOT_PLAN, full_page=True)

    # 6. What was written, what was read, and who did not see what. ---------------
    assert Referral.objects.count() == 1
    assert Case.objects.count() == 1
    assert SurvivorContact.objects.count() == 1
    plan = SafetyPlan.objects.get()
    assert (plan.survivor_id, plan.organisation, plan.code_word, plan.next_review_on) == (
        stored.pk,
        world["crisis_centre"],
        CODE_WORD,
        review,
    )
    reads = SensitiveRead.objects.filter(user=world["survivor_worker"])
    # One row per view of her record (before and after the contact was
    # logged) and one for the saved plan; the plan form shown empty is no read.
    assert list(reads.filter(record_type="survivor").values_list("record_id", "view")) == [
        (stored.pk, "casework:survivor_detail"),
        (stored.pk, "casework:survivor_detail"),
    ]
    assert list(reads.filter(record_type="safety_plan").values_list("record_id", "view")) == [
        (plan.pk, "casework:safety_plan"),
    ]
    assert set(reads.values_list("record_type", flat=True)) <= {"survivor", "safety_plan", "survivor_contacts"}
    assert not SensitiveRead.objects.filter(
        user__in=[world["psychologist"], world["social_worker"]],
        record_type__in=["survivor", "safety_plan", "survivor_contacts"],
    ).exists()

    page = psychologist.page
    page.reload()
    expect(page.get_by_text("Referred to: Sezim Crisis Centre")).to_be_visible()
    text = page.content()
    _no_survivor_details(text)
    assert CODE_WORD not in text

    page = officer.page
    page.goto(status_url)
    expect(page.locator(".referral-status")).to_have_text("Accepted")
    expect(page.get_by_role("region", name="Status history")).to_contain_text("Referral accepted")
    expect(page.locator(".cw-risk")).to_have_count(0)
    _fits_the_screen(page)
    page.screenshot(path=SCREENSHOT_STATUS, full_page=True)
    text = page.content()
    for clinical in (INTAKE_NOTES, VIOLENCE_HISTORY, RISK_NOTES, SCREENING_NOTES, CODE_WORD, "Risk level", "High"):
        assert clinical not in text

    for visitor in (officer, psychologist, social_worker, worker):
        assert visitor.problems == [], visitor.user.username
