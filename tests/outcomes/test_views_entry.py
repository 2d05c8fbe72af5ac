"""The CTS2 entry page for the person (and a close relation)."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import reverse

from outcomes.models import Administration, FollowUp, Item, ItemText
from tests.outcomes.conftest import days


def url(case, **query):
    base = reverse("outcomes:administration_new", args=[case.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def post_data(**overrides) -> dict:
    data = {f"item_{n}": "0" for n in range(1, 79)}
    data.update({"administered_on": days(0).isoformat(), "point": "intake", "respondent": "person"})
    data["submission_key"] = str(uuid.uuid4())
    data.update(overrides)
    return data


def test_the_form_shows_every_item_by_number_and_scale_without_wording(login, users, case):
    page = login(users["psychologist"]).get(url(case)).content.decode()
    assert len(re.findall(r'<select name="item_\d+"', page)) == 78
    assert "Item 1 — Negotiation (emotional)</strong>, respondent&#x27;s own act" in page
    assert "Item 22 — Physical Assault (severe)</strong>, partner&#x27;s act" in page
    assert "Item 78 — Negotiation (cognitive)</strong>, partner&#x27;s act" in page
    assert "Pair 11 · Physical Assault (severe)" in page
    assert "has not been imported: each item shows its number and scale" in page
    assert '<option value="">No answer</option>' in page
    assert '<option value="7">7 — Not in the past year, but it happened before</option>' in page


def test_imported_wording_is_shown_for_the_organisation_that_may_use_it(login, users, orgs, case):
    item = Item.objects.get(instrument__code="cts2", number=5)
    ItemText.objects.create(item=item, language="en", text="[licensed wording of item five]")
    ItemText.objects.create(
        item=Item.objects.get(instrument__code="cts2", number=6),
        language="en",
        text="[another organisation's licence]",
        organisation=orgs["other_provider"],
    )
    client = login(users["psychologist"])
    page = client.get(url(case), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "[licensed wording of item five]" in page
    assert "another organisation" not in page
    assert "has not been imported" not in page
    # Wording in another language than the interface, when imported.
    ItemText.objects.create(item=item, language="ky", text="[кыргызча]")
    page = client.get(url(case, lang="ky")).content.decode()
    assert "[кыргызча]" in page
    assert "[licensed wording of item five]" not in page


def test_saving_a_questionnaire(login, users, case):
    client = login(users["psychologist"])
    response = client.post(url(case), post_data(item_7="6", item_8="3", item_9=""), follow=True)
    assert response.redirect_chain[-1][0] == reverse("outcomes:case_results", args=[case.pk]) + "?instrument=cts2"
    assert "Questionnaire saved: 77 items answered, 1 without an answer." in response.content.decode()
    administration = Administration.objects.get()
    assert (administration.respondent, administration.occasion, administration.recorded_by) == (
        "person", "intake", users["psychologist"],
    )  # fmt: skip
    answers = administration.answer_map()
    assert (answers[7], answers[8], answers[9], answers[10]) == (6, 3, None, 0)


def test_errors_are_shown_on_their_fields_and_nothing_typed_is_lost(login, users, case):
    client = login(users["psychologist"])
    response = client.post(
        url(case),
        post_data(item_5="4", item_12="9", administered_on=days(2).isoformat(), respondent="close_relation"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please correct the marked fields. Nothing you entered is lost." in page
    assert re.search(r'name="item_12" id="id_item_12" class="form-select is-invalid"', page)
    assert "Select a valid choice. 9 is not one of the available choices." in page
    assert "This date is in the future." in page
    # What was typed is still there.
    assert re.search(r'name="item_5".*?<option value="4" selected>', page, re.S)
    assert f'value="{days(2).isoformat()}"' in page
    assert re.search(r'value="close_relation" checked', page)
    assert not Administration.objects.exists()


def test_service_errors_land_on_their_fields(login, users, case):
    client = login(users["psychologist"])
    response = client.post(url(case), post_data(respondent="close_relation"))
    page = response.content.decode()
    assert "Confirm that the respondent agreed to answer." in page
    assert "Choose the relationship to the referred person." in page
    assert re.search(r'name="relation" id="id_relation" class="form-select is-invalid"', page)
    empty = {f"item_{n}": "" for n in range(1, 79)}
    response = client.post(url(case), post_data(**empty))
    assert "No item is answered. Enter at least one answer." in response.content.decode()
    assert not Administration.objects.exists()


def test_entering_for_a_follow_up_point(login, users, orgs, case):
    from tests.programmes.views_sessions_support import completed_enrolment

    enrolment = completed_enrolment(users, orgs, case)
    end = enrolment.follow_ups.get(kind="end")
    client = login(users["social_worker"])
    page = client.get(url(case, follow_up=end.pk)).content.decode()
    assert f'<option value="fu-{end.pk}" selected>End of the programme, due {days(0):%d.%m.%Y}</option>' in page
    response = client.post(url(case), post_data(point=f"fu-{end.pk}"))
    assert response.status_code == 302
    end.refresh_from_db()
    assert (end.status, end.administration.occasion) == ("done", "end")
    assert FollowUp.objects.get(enrolment=enrolment, kind="intake").status == "due"


@pytest.mark.parametrize(("role", "status"), [("manager", 403), ("survivor_worker", 403), ("police", 403),
                                              ("other_psychologist", 404)])  # fmt: skip
def test_who_may_not_enter(login, users, case_with_service, role, status):
    client = login(users[role])
    assert client.get(url(case_with_service)).status_code == status
    assert client.post(url(case_with_service), post_data()).status_code == status
    assert not Administration.objects.exists()
