import pytest
from django.urls import reverse

from casework.models import Consent
from casework.selectors import has_consent
from tests.casework.conftest import assert_no_survivor_details


def _url(case):
    return reverse("casework:consent_record", args=[case.pk])


def test_clinical_staff_record_the_persons_release(client, login, users, case):
    before = Consent.objects.count()
    login(users["psychologist"])
    response = client.post(_url(case), {"kind": "person_release", "decision": "refused"})
    assert response.status_code == 302
    assert response["Location"] == reverse("casework:case_detail", args=[case.pk])
    consent = Consent.objects.latest("id")
    assert (consent.kind, consent.decision, consent.survivor, consent.recorded_by) == (
        "person_release",
        "refused",
        None,
        users["psychologist"],
    )
    assert Consent.objects.count() == before + 1


def test_the_page_shows_current_decisions_without_survivor_details(client, login, users, case):
    login(users["social_worker"])
    response = client.get(_url(case))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Referred person, release of information: <strong>Given</strong>" in content
    assert "Survivor 1 — Partner / spouse" in content
    assert_no_survivor_details(content)
    assert "no-store" in response["Cache-Control"]


def test_clinical_staff_record_a_survivors_consent(client, login, users, refused_case):
    survivor = refused_case.referral.survivors.get()
    login(users["social_worker"])
    response = client.post(
        _url(refused_case), {"kind": "survivor_contact", "decision": "given", "survivor": survivor.pk}
    )
    assert response.status_code == 302
    assert has_consent(refused_case, survivor, "survivor_contact")


def test_a_survivor_consent_needs_the_survivor(client, login, users, case):
    before = Consent.objects.count()
    login(users["psychologist"])
    response = client.post(_url(case), {"kind": "survivor_sharing", "decision": "withdrawn"})
    assert response.status_code == 200
    assert response.context["form"].errors["survivor"] == ["Choose the survivor whose consent this is."]
    assert Consent.objects.count() == before


def test_the_persons_release_takes_no_survivor(client, login, users, case):
    survivor = case.referral.survivors.get()
    before = Consent.objects.count()
    login(users["psychologist"])
    response = client.post(_url(case), {"kind": "person_release", "decision": "given", "survivor": survivor.pk})
    assert response.context["form"].errors["survivor"] == [
        "The referred person's consent is not a survivor's: leave this empty."
    ]
    assert Consent.objects.count() == before


def test_a_survivor_of_another_case_is_refused(client, login, users, case, refused_case):
    stranger = refused_case.referral.survivors.get()
    before = Consent.objects.count()
    login(users["psychologist"])
    response = client.post(_url(case), {"kind": "survivor_contact", "decision": "given", "survivor": stranger.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["survivor"] == [
        f"Select a valid choice. {stranger.pk} is not one of the available choices."
    ]
    assert Consent.objects.count() == before


def test_survivor_worker_records_her_withdrawal(client, login, users, case_with_service):
    survivor = case_with_service.referral.survivors.get()
    login(users["survivor_worker"])
    page = client.get(_url(case_with_service), {"survivor": survivor.pk})
    assert page.context["form"].initial == {"survivor": str(survivor.pk), "kind": "survivor_contact"}
    # She decides about herself; the person's release is not hers to record.
    assert [k for k, _label in page.context["form"].fields["kind"].choices] == ["survivor_contact", "survivor_sharing"]
    assert "Referred person, release of information" not in page.content.decode()
    response = client.post(
        _url(case_with_service), {"kind": "survivor_contact", "decision": "withdrawn", "survivor": survivor.pk}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("casework:survivor_detail", args=[case_with_service.pk, survivor.pk])
    assert not has_consent(case_with_service, survivor, "survivor_contact")
    entry = case_with_service.referral.timeline.last()
    assert (entry.kind, entry.survivor_side) == ("consent_recorded", True)


def test_survivor_worker_cannot_record_the_persons_release(client, login, users, case_with_service):
    before = Consent.objects.count()
    login(users["survivor_worker"])
    response = client.post(_url(case_with_service), {"kind": "person_release", "decision": "refused"})
    assert response.status_code == 200
    assert response.context["form"].errors["kind"] == [
        "Select a valid choice. person_release is not one of the available choices."
    ]
    assert Consent.objects.count() == before


@pytest.mark.parametrize("role", ["manager", "police", "monitoring", "provider_admin"])
def test_other_roles_get_403(client, login, users, case_with_service, role):
    before = Consent.objects.count()
    login(users[role])
    assert client.get(_url(case_with_service)).status_code == 403
    assert client.post(_url(case_with_service), {"kind": "person_release", "decision": "given"}).status_code == 403
    assert Consent.objects.count() == before


@pytest.mark.parametrize("role", ["other_psychologist", "other_survivor_worker"])
def test_other_organisations_get_404(client, login, users, case_with_service, role):
    survivor = case_with_service.referral.survivors.get()
    before = Consent.objects.count()
    login(users[role])
    assert client.get(_url(case_with_service)).status_code == 404
    data = {"kind": "survivor_contact", "decision": "withdrawn", "survivor": survivor.pk}
    assert client.post(_url(case_with_service), data).status_code == 404
    assert Consent.objects.count() == before


def test_a_survivor_service_not_on_the_case_gets_404(client, login, users, case):
    login(users["survivor_worker"])
    assert client.get(_url(case)).status_code == 404
