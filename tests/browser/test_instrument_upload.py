"""A programme manager loads a made-up questionnaire from a file on the
questionnaire page; a psychologist enters it for a person at intake and at
the programme's mid-programme point, and the results page shows the
change, in the table and in the chart.

The questionnaire is ``outcomes/instrument_format/example-progress.yaml``:
its wording is made up."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from outcomes.instrument_file import EXAMPLE_PATH
from outcomes.models import Administration, FollowUp
from programmes.models import ProgrammeTemplate
from tests import factories as f
from tests.programmes.views_sessions_support import MANDATORY, mandatory_enrolment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "Progress check (example, made-up wording)"


def _answer_all(page, answers: dict[int, str]) -> None:
    for number, code in answers.items():
        select = page.locator(f"#id_item_{number}")
        select.select_option(code)
        expect(select).to_have_value(code)


def test_a_manager_uploads_a_questionnaire_entered_at_intake_and_mid_programme(sign_in, world):
    manager = f.make_user(world["provider"], Role.PROGRAMME_MANAGER, "manager")
    # The programme asks for a questionnaire after the person's second session.
    ProgrammeTemplate.objects.filter(code=MANDATORY).update(mid_programme_session=2)
    users = {"police": world["officer"], "psychologist": world["psychologist"], "social_worker": world["social_worker"]}
    case = f.make_open_case(police=world["officer"], provider=world["provider"], by=world["psychologist"])
    enrolment, _group = mandatory_enrolment(users, {"provider": world["provider"]}, case)

    # The manager loads the file.
    boss = sign_in(manager)
    page = boss.page
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Questionnaires").click()
    page.wait_for_url("**/outcomes/instruments/")
    page.get_by_label("Questionnaire file (YAML or JSON)").set_input_files(str(EXAMPLE_PATH))
    page.get_by_role("button", name="Load the questionnaire").click()
    page.wait_for_url("**/outcomes/instruments/")
    expect(page.get_by_text(f"Questionnaire loaded: {NAME}, version 1.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="example-progress")).to_contain_text("Your organisation")
    assert boss.problems == []

    # The psychologist enters it at intake.
    visitor = sign_in(world["psychologist"])
    page = visitor.page
    page.goto(f"/outcomes/cases/{case.pk}/")
    page.get_by_role("link", name=NAME).click()
    page.wait_for_url(f"**/outcomes/cases/{case.pk}/?instrument=example-progress")
    page.get_by_role("link", name="Enter a EXAMPLE-PROGRESS").click()
    expect(page.get_by_label("When")).to_have_value("intake")
    page.get_by_label("Date filled in").fill((timezone.localdate() - dt.timedelta(days=20)).isoformat())
    # Often or almost always controlling; respect low (item 6 is reversed); acts and threats.
    _answer_all(page, {1: "3", 2: "3", 3: "2", 4: "2", 5: "0", 6: "3", 7: "2", 8: "1", 9: "1", 10: "0"})
    page.get_by_role("button", name="Save questionnaire").click()
    page.wait_for_url(f"**/outcomes/cases/{case.pk}/?instrument=example-progress")
    expect(page.get_by_text("Questionnaire saved: 10 items answered, 0 without an answer.")).to_be_visible()

    # The mid-programme point is open on the results page.
    points = page.locator("section", has=page.get_by_role("heading", name="Follow-up points open"))
    point = points.get_by_role("listitem").filter(has_text="Mid-programme, after session 2")
    point.get_by_role("link", name="Enter for this point").click()
    expect(page.get_by_label("When")).to_have_value(re.compile(r"^fu-\d+$"))
    _answer_all(page, {1: "1", 2: "0", 3: "0", 4: "1", 5: "3", 6: "0", 7: "0", 8: "0", 9: "0", 10: "0"})
    page.get_by_role("button", name="Save questionnaire").click()
    page.wait_for_url(f"**/outcomes/cases/{case.pk}/?instrument=example-progress")

    # The change: control 10 -> 2 (sum), respect 0 -> 3 (mean, item 6 reversed),
    # acts named 2 -> 0 (count of acts), any threat 1 -> 0 (prevalence).
    own = page.locator("section", has=page.get_by_role("heading", name="The person's own acts"))
    header = own.get_by_role("row").first
    expect(header).to_contain_text(re.compile("Intake \\(before the programme\\).*Mid-programme", re.S))
    scores = {
        scale: own.get_by_role("row", name=re.compile(f"^{scale}")).locator(".oc-frequency").all_inner_texts()
        for scale in ("Controlling behaviour", "Respect", "Acts named", "Any threat")
    }
    assert scores == {
        "Controlling behaviour": ["10", "2"],
        "Respect": ["0", "3"],
        "Acts named": ["2", "0"],
        "Any threat": ["1", "0"],
    }
    chart = page.get_by_role("img", name=re.compile("The person's scores per scale"))
    expect(chart).to_be_visible()
    assert chart.locator("rect.oc-bar-before").count() == 4
    assert chart.locator("rect.oc-bar-after").count() == 4
    expect(chart.locator("text.oc-chart-value")).to_contain_text(["10", "2", "0", "3", "2", "0", "1", "0"])

    mid = FollowUp.objects.get(enrolment=enrolment, kind="mid")
    assert mid.status == "done"
    assert list(Administration.objects.filter(case=case).values_list("occasion", flat=True)) == ["intake", "mid"]
    assert visitor.problems == []
