import pytest
from django.urls import reverse

from casework.services import safety_plan_save
from core.models import SensitiveRead
from tests.casework.conftest import assert_no_survivor_details, plan_data


def _url(case):
    return reverse("casework:case_detail", args=[case.pk])


@pytest.mark.parametrize("role", ["psychologist", "social_worker"])
def test_clinical_staff_see_intake_risk_consents_and_timeline(client, login, users, case, role):
    login(users[role])
    response = client.get(_url(case))
    assert response.status_code == 200
    content = response.content.decode()
    assert f"Case {case.number}" in content
    assert case.referral.person.full_name in content
    assert "Came on time; blames stress at work." in content
    assert "Two earlier incidents reported by neighbours." in content
    assert "Initial assessment notes." in content
    assert "Survivor 1 — Partner / spouse" in content
    assert "Case opened at intake" in content
    assert "psychologist · Bishkek Consultation Room" in content
    assert reverse("casework:risk_reassess", args=[case.pk]) in content
    assert reverse("casework:refer_survivor_service", args=[case.pk]) in content
    survivor = case.referral.survivors.get()
    assert reverse("casework:survivor_contact", args=[case.pk, survivor.pk]) in content
    # Never the survivor record or the safety plan.
    assert f'href="{reverse("casework:survivor_detail", args=[case.pk, survivor.pk])}"' not in content
    assert reverse("casework:safety_plan", args=[case.pk, survivor.pk]) not in content
    assert_no_survivor_details(content)
    assert "no-store" in response["Cache-Control"]


def test_psychologist_does_not_see_survivor_side_timeline_entries(client, login, users, case_with_service):
    survivor = case_with_service.referral.survivors.get()
    safety_plan_save(case=case_with_service, survivor=survivor, by=users["survivor_worker"], **plan_data())
    login(users["psychologist"])
    content = client.get(_url(case_with_service)).content.decode()
    assert "Referred to a survivor service" in content
    assert "Safety plan updated" not in content
    assert "apricot" not in content
    assert_no_survivor_details(content)


def test_manager_sees_status_risk_and_timeline_but_no_notes_or_survivors(client, login, users, case):
    login(users["manager"])
    response = client.get(_url(case))
    assert response.status_code == 200
    content = response.content.decode()
    assert case.number in content
    assert "Open" in content
    assert ">High<" in content
    assert "Case opened at intake" in content
    assert "Risk assessed" in content
    assert "Came on time" not in content
    assert "Two earlier incidents" not in content
    assert "Initial assessment notes." not in content
    assert "Survivor 1" not in content
    assert reverse("casework:risk_reassess", args=[case.pk]) not in content
    assert_no_survivor_details(content)


def test_survivor_worker_sees_risk_flags_and_survivor_side_timeline(client, login, users, case_with_service):
    survivor = case_with_service.referral.survivors.get()
    safety_plan_save(case=case_with_service, survivor=survivor, by=users["survivor_worker"], **plan_data())
    login(users["survivor_worker"])
    response = client.get(_url(case_with_service))
    assert response.status_code == 200
    content = response.content.decode()
    assert ">High<" in content
    assert "Threat to kill" in content
    assert "Safety plan updated" in content
    assert "survivor_worker · Sezim Crisis Centre" in content
    assert reverse("casework:survivor_detail", args=[case_with_service.pk, survivor.pk]) in content
    assert reverse("casework:safety_plan", args=[case_with_service.pk, survivor.pk]) in content
    # No intake interview, no therapy or risk notes, not even the person's name.
    assert "Came on time" not in content
    assert "Two earlier incidents" not in content
    assert "Initial assessment notes." not in content
    assert case_with_service.referral.person.full_name not in content
    # The case page names no survivor, so it records no read.
    assert_no_survivor_details(content)
    assert SensitiveRead.objects.count() == 0


def test_a_survivor_service_the_case_was_not_referred_to_gets_404(client, login, users, case):
    login(users["survivor_worker"])
    assert client.get(_url(case)).status_code == 404
