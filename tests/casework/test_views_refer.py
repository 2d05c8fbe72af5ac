import pytest
from django.urls import reverse

from casework.models import SurvivorServiceReferral
from tests import factories as f
from tests.casework.conftest import assert_no_survivor_details


def _url(case):
    return reverse("casework:refer_survivor_service", args=[case.pk])


@pytest.mark.parametrize("role", ["psychologist", "social_worker"])
def test_clinical_staff_refer_to_a_survivor_service(client, login, users, orgs, case, role):
    login(users[role])
    response = client.post(_url(case), {"organisation": orgs["survivor_service"].pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("casework:case_detail", args=[case.pk])
    link = SurvivorServiceReferral.objects.get()
    assert (link.case, link.organisation, link.referred_by) == (case, orgs["survivor_service"], users[role])
    content = client.get(response["Location"]).content.decode()
    assert "The case is referred to Sezim Crisis Centre." in content


def test_services_of_the_providers_country_come_first_and_inactive_are_left_out(client, login, users, orgs, case):
    f.make_org("survivor_service", country="TJ", name="Aaa Dushanbe Centre")
    closed = f.make_org("survivor_service", name="Closed Centre")
    closed.is_active = False
    closed.save()
    login(users["psychologist"])
    response = client.get(_url(case))
    assert response.status_code == 200
    choices = [label for _value, label in response.context["form"].fields["organisation"].choices]
    assert choices == [
        "Sezim Crisis Centre (Kyrgyzstan, Chuy)",
        "Aaa Dushanbe Centre (Tajikistan, Chuy)",
        "Khujand Crisis Centre (Tajikistan, Sughd)",
    ]
    content = response.content.decode()
    assert "Survivor 1 — Partner / spouse" in content
    assert_no_survivor_details(content)
    assert "no-store" in response["Cache-Control"]


def test_without_her_sharing_consent_the_referral_is_refused(client, login, users, orgs, refused_case):
    login(users["psychologist"])
    response = client.post(_url(refused_case), {"organisation": orgs["survivor_service"].pk})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "No survivor has agreed that her details go to a survivor service."
    ]
    assert SurvivorServiceReferral.objects.count() == 0


def test_an_organisation_that_is_not_a_survivor_service_is_refused(client, login, users, orgs, case):
    login(users["psychologist"])
    response = client.post(_url(case), {"organisation": orgs["provider"].pk})
    assert response.context["form"].errors["organisation"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert SurvivorServiceReferral.objects.count() == 0


def test_referring_twice_to_the_same_service_is_refused(client, login, users, orgs, case_with_service):
    login(users["psychologist"])
    response = client.post(_url(case_with_service), {"organisation": orgs["survivor_service"].pk})
    assert response.context["form"].errors["organisation"] == ["The case is already referred to this service."]
    assert SurvivorServiceReferral.objects.count() == 1


@pytest.mark.parametrize("role", ["manager", "survivor_worker", "police", "monitoring"])
def test_other_roles_get_403(client, login, users, orgs, case_with_service, role):
    login(users[role])
    assert client.get(_url(case_with_service)).status_code == 403
    response = client.post(_url(case_with_service), {"organisation": orgs["other_survivor_service"].pk})
    assert response.status_code == 403
    assert SurvivorServiceReferral.objects.count() == 1


def test_another_providers_psychologist_gets_404(client, login, users, orgs, case):
    login(users["other_psychologist"])
    assert client.get(_url(case)).status_code == 404
    assert client.post(_url(case), {"organisation": orgs["other_survivor_service"].pk}).status_code == 404
    assert SurvivorServiceReferral.objects.count() == 0
