"""The survivor's questionnaire, from the survivor service's side only."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from casework.models import Consent
from casework.services import consent_record
from core.models import SensitiveRead
from outcomes.models import Administration
from tests.outcomes.conftest import days


@pytest.fixture
def her(case_with_service):
    return case_with_service, case_with_service.referral.survivors.get()


def urls(case, survivor):
    return (
        reverse("outcomes:survivor_results", args=[case.pk, survivor.pk]),
        reverse("outcomes:survivor_administration_new", args=[case.pk, survivor.pk]),
    )


def post_data(**overrides):
    data = {f"item_{n}": "0" for n in range(1, 79)}
    data.update({"administered_on": days(0).isoformat(), "occasion": "intake", "respondent_consented": "on"})
    data["submission_key"] = str(uuid.uuid4())
    data.update(overrides)
    return data


def test_the_survivor_worker_enters_her_questionnaire(login, users, her):
    case, survivor = her
    results, new = urls(case, survivor)
    client = login(users["survivor_worker"])
    page = client.get(results).content.decode()
    assert "No questionnaire of hers yet." in page
    assert "Survivor 1 — Partner / spouse" in page
    assert not SensitiveRead.objects.exists()
    page = client.get(new).content.decode()
    assert "She agreed to answer this questionnaire" in page
    assert "Who answered" not in page
    response = client.post(new, post_data(item_8="5", item_10="4"), follow=True)
    assert "Her questionnaire is saved." in response.content.decode()
    administration = Administration.objects.get()
    assert (administration.respondent, administration.survivor, administration.organisation.name) == (
        "survivor", survivor, "Sezim Crisis Centre",
    )  # fmt: skip
    partner = response.content.decode().split('id="partner-heading"')[1].split("</section>")[0]
    assert '<span class="oc-frequency">23</span>' in partner  # 15 + 8
    read = SensitiveRead.objects.get()
    assert (read.record_type, read.record_id, read.view) == ("survivor", survivor.pk, "outcomes:survivor_results")


def test_without_her_agreement_nothing_is_saved(login, users, her):
    case, survivor = her
    _results, new = urls(case, survivor)
    data = post_data(item_8="5")
    del data["respondent_consented"]
    page = login(users["survivor_worker"]).post(new, data).content.decode()
    assert "Confirm that the respondent agreed to answer." in page
    assert 'name="item_8" id="id_item_8" class="form-select">' in page
    assert '<option value="5" selected>' in page
    assert not Administration.objects.exists()


def test_without_her_consent_to_contact_the_form_is_not_offered(login, users, her):
    case, survivor = her
    results, new = urls(case, survivor)
    consent_record(case=case, by=users["survivor_worker"], kind=Consent.Kind.SURVIVOR_CONTACT, decision="withdrawn",
                   survivor=survivor)  # fmt: skip
    client = login(users["survivor_worker"])
    response = client.get(new, follow=True)
    assert response.redirect_chain[-1][0] == results
    assert "She has not agreed to be contacted: record her consent first." in response.content.decode()
    assert client.post(new, post_data()).status_code == 302
    assert not Administration.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("psychologist", 403), ("social_worker", 403), ("manager", 403),
                                              ("police", 403), ("other_survivor_worker", 404)])  # fmt: skip
def test_nobody_else_reaches_her_pages(login, users, her, role, status):
    case, survivor = her
    for url in urls(case, survivor):
        assert login(users[role]).get(url).status_code == status
    assert login(users[role]).post(urls(case, survivor)[1], post_data()).status_code == status
    assert not Administration.objects.exists()


def test_her_record_links_to_her_questionnaires(login, users, her):
    case, survivor = her
    page = (
        login(users["survivor_worker"])
        .get(reverse("casework:survivor_detail", args=[case.pk, survivor.pk]))
        .content.decode()
    )
    assert urls(case, survivor)[0] in page


def test_the_case_page_links_to_the_persons_questionnaires(login, users, her):
    case, _survivor = her
    link = reverse("outcomes:case_results", args=[case.pk])
    assert link in login(users["psychologist"]).get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    assert link not in login(users["manager"]).get(reverse("casework:case_detail", args=[case.pk])).content.decode()
