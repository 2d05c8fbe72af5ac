import datetime as dt
import uuid

import pytest
from django.urls import reverse

from casework.models import SurvivorContact
from casework.services import consent_record, survivor_contact_log
from core.models import SensitiveRead
from tests import factories as f
from tests.casework.conftest import assert_no_survivor_details

RT = SensitiveRead.RecordType


def _detail(case, survivor):
    return reverse("casework:survivor_detail", args=[case.pk, survivor.pk])


def _contact(case, survivor):
    return reverse("casework:survivor_contact", args=[case.pk, survivor.pk])


def _log(case, survivor, by, notes):
    return survivor_contact_log(
        case=case,
        survivor=survivor,
        by=by,
        contacted_on=dt.date.today(),
        method="phone",
        outcome="reached",
        notes=notes,
    )


def _contact_data(**overrides):
    data = {
        "contacted_on": dt.date.today().isoformat(),
        "method": "phone",
        "outcome": "reached",
        "informed_about_programme": "on",
        "notes": "She is staying with her sister.",
        "submission_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


# --- survivor_detail -------------------------------------------------------------


def test_survivor_worker_sees_her_details_and_one_read_is_recorded(client, login, users, case_with_service):
    survivor = case_with_service.referral.survivors.get()
    login(users["survivor_worker"])
    response = client.get(_detail(case_with_service, survivor))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Асанова Айгуль" in content
    assert "+996700987654" in content
    assert "Бишкек, мкр. Тайный 7, кв. 3" in content
    assert 'Children in the household</dt><dd class="col-sm-8">2</dd>' in content
    assert "Agrees to be contacted: <strong>Given</strong>" in content
    assert "no-store" in response["Cache-Control"]
    reads = list(SensitiveRead.objects.values_list("user", "record_type", "record_id", "view"))
    assert reads == [(users["survivor_worker"].pk, RT.SURVIVOR, survivor.pk, "casework:survivor_detail")]
    client.get(_detail(case_with_service, survivor))
    assert SensitiveRead.objects.filter(record_type=RT.SURVIVOR).count() == 2


def test_the_contact_log_is_shown_and_the_view_recorded_once(client, login, users, case_with_service):
    survivor = case_with_service.referral.survivors.get()
    _log(case_with_service, survivor, users["psychologist"], "First call, short.")
    _log(case_with_service, survivor, users["survivor_worker"], "Visited at the centre.")
    login(users["survivor_worker"])
    content = client.get(_detail(case_with_service, survivor)).content.decode()
    assert "First call, short." in content
    assert "Visited at the centre." in content
    assert "psychologist · Bishkek Consultation Room" in content
    # Exactly one entry per view: her record, with its contact log.
    assert list(SensitiveRead.objects.values_list("record_type", "record_id", "view")) == [
        (RT.SURVIVOR, survivor.pk, "casework:survivor_detail")
    ]


def test_without_her_sharing_consent_no_details_are_shown_or_read(client, login, users, case_with_service):
    survivor = case_with_service.referral.survivors.get()
    consent_record(
        case=case_with_service,
        by=users["survivor_worker"],
        kind="survivor_sharing",
        decision="withdrawn",
        survivor=survivor,
    )
    login(users["survivor_worker"])
    response = client.get(_detail(case_with_service, survivor))
    assert response.status_code == 200
    content = response.content.decode()
    assert "She has not agreed that her details go to a survivor service" in content
    assert_no_survivor_details(content)
    assert SensitiveRead.objects.count() == 0


def test_survivor_service_programme_manager_may_read(client, login, orgs, case_with_service):
    survivor = case_with_service.referral.survivors.get()
    manager = f.make_user(orgs["survivor_service"], "programme_manager", "crisis_manager")
    login(manager)
    assert "+996700987654" in client.get(_detail(case_with_service, survivor)).content.decode()
    assert SensitiveRead.objects.filter(user=manager).count() == 1


@pytest.mark.parametrize("role", ["psychologist", "social_worker", "manager", "police", "monitoring"])
def test_survivor_detail_other_roles_get_403(client, login, users, case_with_service, role):
    survivor = case_with_service.referral.survivors.get()
    login(users[role])
    response = client.get(_detail(case_with_service, survivor))
    assert response.status_code == 403
    assert_no_survivor_details(response.content.decode())
    assert SensitiveRead.objects.count() == 0


def test_survivor_detail_other_service_gets_404(client, login, users, case_with_service):
    survivor = case_with_service.referral.survivors.get()
    login(users["other_survivor_worker"])
    assert client.get(_detail(case_with_service, survivor)).status_code == 404
    assert SensitiveRead.objects.count() == 0


def test_a_service_not_on_the_case_gets_404(client, login, users, case):
    login(users["survivor_worker"])
    assert client.get(_detail(case, case.referral.survivors.get())).status_code == 404


def test_a_survivor_of_another_case_gets_404(client, login, users, case_with_service, refused_case):
    login(users["survivor_worker"])
    stranger = refused_case.referral.survivors.get()
    assert client.get(_detail(case_with_service, stranger)).status_code == 404
    assert SensitiveRead.objects.count() == 0


# --- survivor_contact --------------------------------------------------------------


@pytest.mark.parametrize("role", ["psychologist", "social_worker"])
def test_clinical_staff_log_a_contact_without_seeing_her_details(client, login, users, case, role):
    survivor = case.referral.survivors.get()
    login(users[role])
    page = client.get(_contact(case, survivor))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Log contact: Survivor 1 — Partner / spouse" in content
    assert_no_survivor_details(content)
    assert "no-store" in page["Cache-Control"]
    response = client.post(_contact(case, survivor), _contact_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("casework:case_detail", args=[case.pk])
    contact = SurvivorContact.objects.get()
    assert (contact.survivor, contact.recorded_by, contact.method, contact.informed_about_programme) == (
        survivor,
        users[role],
        "phone",
        True,
    )
    assert contact.notes == "She is staying with her sister."
    assert SensitiveRead.objects.count() == 0


def test_survivor_worker_logs_a_contact_and_returns_to_her_record(client, login, users, case_with_service):
    survivor = case_with_service.referral.survivors.get()
    login(users["survivor_worker"])
    response = client.post(_contact(case_with_service, survivor), _contact_data(method="in_person"))
    assert response["Location"] == _detail(case_with_service, survivor)
    assert SurvivorContact.objects.get().recorded_by == users["survivor_worker"]


def test_contact_without_her_consent_is_refused_with_the_services_message(client, login, users, refused_case):
    survivor = refused_case.referral.survivors.get()
    login(users["psychologist"])
    page = client.get(_contact(refused_case, survivor)).content.decode()
    assert "She has not agreed to be contacted: record her consent first." in page
    response = client.post(_contact(refused_case, survivor), _contact_data())
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "She has not agreed to be contacted: record her consent first."
    ]
    assert "She is staying with her sister." in response.content.decode()
    assert SurvivorContact.objects.count() == 0


def test_bad_contact_input_is_a_field_error_and_nothing_is_saved(client, login, users, case):
    survivor = case.referral.survivors.get()
    login(users["psychologist"])
    future = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    response = client.post(_contact(case, survivor), _contact_data(contacted_on=future))
    assert response.context["form"].errors["contacted_on"] == ["This date is in the future."]
    response = client.post(_contact(case, survivor), _contact_data(method="pigeon", notes="x" * 8001))
    errors = response.context["form"].errors
    assert errors["method"] == ["Select a valid choice. pigeon is not one of the available choices."]
    assert errors["notes"] == ["Ensure this value has at most 8000 characters (it has 8001)."]
    assert SurvivorContact.objects.count() == 0


@pytest.mark.parametrize("role", ["manager", "police", "monitoring", "provider_admin"])
def test_contact_other_roles_get_403(client, login, users, case_with_service, role):
    survivor = case_with_service.referral.survivors.get()
    login(users[role])
    assert client.get(_contact(case_with_service, survivor)).status_code == 403
    assert client.post(_contact(case_with_service, survivor), _contact_data()).status_code == 403
    assert SurvivorContact.objects.count() == 0


@pytest.mark.parametrize("role", ["other_psychologist", "other_survivor_worker"])
def test_contact_other_organisations_get_404(client, login, users, case_with_service, role):
    survivor = case_with_service.referral.survivors.get()
    login(users[role])
    assert client.get(_contact(case_with_service, survivor)).status_code == 404
    assert client.post(_contact(case_with_service, survivor), _contact_data()).status_code == 404
    assert SurvivorContact.objects.count() == 0


def test_clinical_case_page_records_one_therapy_notes_read(client, login, users, case_with_service):
    login(users["psychologist"])
    client.get(reverse("casework:case_detail", args=[case_with_service.pk]))
    assert list(SensitiveRead.objects.values_list("user", "record_type", "record_id", "view")) == [
        (users["psychologist"].pk, RT.THERAPY_NOTES, case_with_service.pk, "casework:case_detail")
    ]


def test_a_manager_reads_no_therapy_notes(client, login, users, case_with_service):
    login(users["manager"])
    content = client.get(reverse("casework:case_detail", args=[case_with_service.pk])).content.decode()
    assert "Came on time; blames stress at work." not in content
    assert SensitiveRead.objects.count() == 0
