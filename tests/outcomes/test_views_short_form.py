"""The short form (CTS2S): entered from the same pages with
?instrument=cts2s, scored with its own key, and never set against a
full-form questionnaire."""

from __future__ import annotations

import re
import uuid

from django.urls import reverse

from outcomes.models import Administration, Instrument
from tests.outcomes.conftest import days, sheet


def new_url(case, code="cts2s", **query):
    base = reverse("outcomes:administration_new", args=[case.pk])
    return base + "?" + "&".join(f"{k}={v}" for k, v in {"instrument": code, **query}.items())


def short_post(**overrides) -> dict:
    data = {f"item_{n}": "0" for n in range(1, 21)}
    data.update({"administered_on": days(0).isoformat(), "point": "intake", "respondent": "person"})
    data["submission_key"] = str(uuid.uuid4())
    data.update(overrides)
    return data


def test_the_short_form_has_twenty_items_by_number_and_scale(login, users, case):
    page = login(users["psychologist"]).get(new_url(case)).content.decode()
    assert '<h1 class="h3">CTS2S questionnaire, case' in page
    assert len(re.findall(r'<select name="item_\d+"', page)) == 20
    assert "Item 9 — Physical Assault (minor)</strong>, respondent&#x27;s own act" in page
    assert "Item 5 — Injury (minor)</strong>, partner&#x27;s act" in page
    assert "Item 6 — Injury (minor)</strong>, respondent&#x27;s own act" in page
    # Both forms are offered before anything is typed.
    assert 'href="?instrument=cts2"' in page and 'aria-current="page" href="?instrument=cts2s"' in page


def test_saving_and_reading_a_short_form(login, users, case):
    client = login(users["psychologist"])
    # Pushed or slapped 6-10 times (item 9 -> 8), punched once (item 11 -> 1), item 12 unanswered.
    response = client.post(new_url(case), short_post(item_9="4", item_11="1", item_12=""), follow=True)
    assert response.redirect_chain[-1][0] == reverse("outcomes:case_results", args=[case.pk]) + "?instrument=cts2s"
    page = response.content.decode()
    assert "Questionnaire saved: 19 items answered, 1 without an answer." in page
    administration = Administration.objects.get()
    assert administration.instrument.code == "cts2s"
    scores = {(s.scale.code, s.perspective): s for s in administration.scores.select_related("scale")}
    own = scores[("physical-assault", "self")]
    assert (own.prevalence, own.annual_frequency) == (True, 9)
    # The partner's severe item has no answer: no frequency, prevalence unknown.
    partner = scores[("physical-assault", "partner")]
    assert (partner.prevalence, partner.annual_frequency) == (None, None)


def test_results_keep_the_two_forms_apart(login, users, case, record):
    record(case, users["psychologist"], sheet(0, i7=3))  # a full-form intake
    short = Instrument.objects.get(code="cts2s")
    client = login(users["psychologist"])
    client.post(new_url(case), short_post(item_9="5", administered_on=days(0).isoformat(), point="intake"))
    assert Administration.objects.filter(instrument=short).count() == 1
    results = reverse("outcomes:case_results", args=[case.pk])
    full_page = client.get(results).content.decode()
    short_page = client.get(results + "?instrument=cts2s").content.decode()
    # Each page has one questionnaire, its own form's: physical assault 4 (item 7, 3-5 times) on the
    # full form, 15 (item 9, 11-20 times) on the short one.
    assert own_frequencies(full_page, "Physical Assault") == ["4"]
    assert own_frequencies(short_page, "Physical Assault") == ["15"]
    assert "Enter a CTS2S" in short_page and "Enter a CTS2S" not in full_page
    # Nothing compares the two forms: the short-form page has no full-form intake to chart.
    assert "No questionnaire after the intake yet." in short_page


def own_frequencies(page: str, scale: str) -> list[str]:
    """The annual frequencies in the first row of ``scale`` (the person's own acts)."""
    row = re.search(rf'<th scope="row" class="fw-normal">{scale}</th>(.*?)</tr>', page, re.S).group(1)
    return re.findall(r'<span class="oc-frequency">([^<]*)</span>', row)


def test_an_unknown_or_switched_off_questionnaire_is_not_found(login, users, case):
    client = login(users["psychologist"])
    assert client.get(new_url(case, code="nonexistent")).status_code == 404
    Instrument.objects.filter(code="cts2s").update(is_active=False)
    assert client.get(new_url(case)).status_code == 404
    assert client.post(new_url(case), short_post()).status_code == 404
    assert not Administration.objects.exists()
    # With no questionnaire switched on at all, the page says so.
    Instrument.objects.update(is_active=False)
    response = client.get(reverse("outcomes:administration_new", args=[case.pk]), follow=True)
    assert "No questionnaire is switched on." in response.content.decode()
