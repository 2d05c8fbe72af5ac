"""The programme manager's questionnaire page: loading a questionnaire from a
file for the organisation, exporting one, and the rule for unanswered
items; and a loaded questionnaire entered and shown on the results page.

The example questionnaire's wording is made up."""

from __future__ import annotations

import copy
import re

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from outcomes import instrument_file
from outcomes.instrument_file import EXAMPLE_PATH, instrument_load, parse
from outcomes.models import Instrument, ScoringSettings
from tests.outcomes.conftest import days

PAGE = "outcomes:instruments"


@pytest.fixture
def example() -> dict:
    return parse(EXAMPLE_PATH.read_bytes(), filename=EXAMPLE_PATH.name)


def upload(client, data: dict | bytes, name="progress.yaml"):
    raw = data if isinstance(data, bytes) else yaml.safe_dump(data, allow_unicode=True).encode()
    return client.post(reverse(PAGE), {"file": SimpleUploadedFile(name, raw)})


def test_a_manager_loads_a_questionnaire_for_the_organisation(login, users, orgs, example):
    client = login(users["manager"])
    response = upload(client, example)
    assert response.status_code == 302
    instrument = Instrument.objects.get(code="example-progress")
    assert (instrument.organisation, instrument.loaded_by) == (orgs["provider"], users["manager"])
    page = client.get(reverse(PAGE)).content.decode()
    assert "Questionnaire loaded: Progress check (example, made-up wording), version 1." in page
    assert "Your organisation" in page and "Revised Conflict Tactics Scales (CTS2)" in page


def test_a_bad_file_is_refused_with_every_problem_and_nothing_is_loaded(login, users, example):
    bad = copy.deepcopy(example)
    bad["items"][0]["scale"] = "nowhere"
    bad["responses"][1]["code"] = 0
    response = upload(login(users["manager"]), bad)
    assert response.status_code == 200
    page = response.content.decode()
    assert "items[0].scale: no scale nowhere." in page
    assert "responses[1].code: 0 is given twice." in page
    assert not Instrument.objects.filter(code="example-progress").exists()


def test_a_file_too_large_or_not_yaml_is_refused(login, users):
    client = login(users["manager"])
    page = upload(client, b"#" * (instrument_file.MAX_BYTES + 1)).content.decode()
    assert "The file is larger than 256 KB." in page
    page = upload(client, b"a: [1, 2\n").content.decode()
    assert "The file is not valid YAML or JSON (line" in page


def test_texts_from_a_file_are_shown_escaped(login, users, case, example):
    example["name"]["en"] = "<script>alert(1)</script>"
    example["items"][0]["text"]["en"] = "<b>bold</b>"
    client = login(users["manager"])
    assert upload(client, example).status_code == 302
    page = client.get(reverse(PAGE)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    entry = login(users["psychologist"]).get(
        reverse("outcomes:administration_new", args=[case.pk]) + "?instrument=example-progress&lang=en"
    )
    assert "&lt;b&gt;bold&lt;/b&gt;" in entry.content.decode()


def test_another_organisation_neither_sees_nor_exports_it(login, users, orgs, case, example):
    mine = instrument_load(data=example, organisation=orgs["provider"], by=users["manager"])
    page = login(users["manager"]).get(reverse(PAGE)).content.decode()
    assert "example-progress" in page
    other = login(users["other_psychologist"])
    response = other.get(reverse("outcomes:case_results", args=[case.pk]) + "?instrument=example-progress")
    assert response.status_code == 404
    response = login(users["psychologist"]).get(reverse("outcomes:case_results", args=[case.pk]))
    assert "?instrument=example-progress" in response.content.decode()
    # The matrix has no other provider's manager: the selector says it.
    from accounts.scope import Scope
    from outcomes import selectors

    with pytest.raises(Exception) as caught:
        selectors.get_instrument_for_user(Scope.for_user(users["other_psychologist"]), mine.pk)
    assert caught.type.__name__ == "Http404"


def test_the_export_is_the_file_format_without_wording(login, users, orgs, example):
    mine = instrument_load(data=example, organisation=orgs["provider"], by=users["manager"])
    response = login(users["manager"]).get(reverse("outcomes:instrument_export", args=[mine.pk]))
    assert response["Content-Type"] == "application/yaml; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="example-progress-v1.yaml"'
    exported = yaml.safe_load(response.content.decode())
    assert exported["scales"][3] == {"code": "respect", "name": example["scales"][3]["name"], "rule": "mean"}
    assert all("text" not in item for item in exported["items"])
    assert exported["items"][5] == {"number": 6, "scale": "respect", "perspective": "self", "reversed": True}


@pytest.mark.parametrize("role", ["psychologist", "social_worker", "provider_admin", "other_psychologist", "police"])
def test_only_a_programme_manager_opens_the_page(login, users, role, example):
    client = login(users[role])
    assert client.get(reverse(PAGE)).status_code == 403
    assert upload(client, example).status_code == 403
    assert not Instrument.objects.filter(code="example-progress").exists()


def test_the_manager_chooses_the_prorating_rule(login, users, orgs):
    client = login(users["manager"])
    url = reverse("outcomes:scoring_settings")
    assert client.post(url, {"prorate_missing": "yes"}).status_code == 302
    settings = ScoringSettings.objects.get(organisation=orgs["provider"])
    assert (settings.prorate_missing, settings.changed_by) == (True, users["manager"])
    page = client.get(reverse(PAGE)).content.decode()
    assert re.search(r'value="yes"[^>]*checked', page)
    response = client.post(url, {"prorate_missing": "maybe"})
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert client.post(url, {"prorate_missing": "no"}).status_code == 302
    assert ScoringSettings.objects.get(organisation=orgs["provider"]).prorate_missing is False
    assert login(users["psychologist"]).post(url, {"prorate_missing": "yes"}).status_code == 403


def _enter(client, case, answers: dict, point="intake"):
    url = reverse("outcomes:administration_new", args=[case.pk]) + "?instrument=example-progress"
    data = {"administered_on": days(0).isoformat(), "point": point, "respondent": "person"}
    data.update({f"item_{n}": "" if v is None else str(v) for n, v in answers.items()})
    form = client.get(url).content.decode()
    key = form.split('name="submission_key" value="')[1].split('"')[0]
    return client.post(url, {**data, "submission_key": key})


FULL = {1: 2, 2: 3, 3: 0, 4: 1, 5: 3, 6: 3, 7: 1, 8: 0, 9: 0, 10: 0}


def test_a_loaded_questionnaire_is_entered_and_its_scores_shown_with_the_rule(login, users, orgs, case, example):
    instrument_load(data=example, organisation=orgs["provider"], by=users["manager"])
    client = login(users["psychologist"])
    assert _enter(client, case, FULL).status_code == 302
    page = client.get(reverse("outcomes:case_results", args=[case.pk]) + "?instrument=example-progress")
    text = page.content.decode()
    assert "Controlling behaviour" in text and "Respect" in text
    assert '<span class="oc-frequency">6</span>' in text  # the sum of control
    assert '<span class="oc-frequency">1.5</span>' in text  # the mean of respect, item 6 reversed
    assert "a scale with any unanswered item is not scored" in text
    assert "prorated</span>" not in text


def test_a_prorated_score_is_marked_on_the_results_page(login, users, orgs, case, example):
    instrument_load(data=example, organisation=orgs["provider"], by=users["manager"])
    ScoringSettings.objects.create(organisation=orgs["provider"], prorate_missing=True, changed_by=users["manager"])
    client = login(users["psychologist"])
    assert _enter(client, case, {**FULL, 2: None}).status_code == 302
    text = client.get(reverse("outcomes:case_results", args=[case.pk]) + "?instrument=example-progress").content
    text = text.decode()
    assert "by the prorating rule of the CTS literature" in text
    assert text.count('oc-prorated"') == 1  # control (the table shows the scales, not their subscales)
    assert '<span class="oc-frequency">4</span>' in text  # control-words: 2 * 2 / 1
