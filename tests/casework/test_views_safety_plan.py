import datetime as dt

import pytest
from django.urls import reverse

from casework.models import SafetyPlan
from casework.services import safety_plan_save
from core.models import SensitiveRead
from tests import factories as f
from tests.casework.conftest import plan_data

RT = SensitiveRead.RecordType


def _url(case, survivor):
    return reverse("casework:safety_plan", args=[case.pk, survivor.pk])


def _form_data(**overrides):
    data = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in plan_data().items()}
    data.update(overrides)
    return data


@pytest.fixture
def survivor(case_with_service):
    return case_with_service.referral.survivors.get()


@pytest.fixture
def plan(case_with_service, survivor, users):
    return safety_plan_save(case=case_with_service, survivor=survivor, by=users["survivor_worker"], **plan_data())


def test_without_a_plan_the_page_is_the_form_and_records_no_read(client, login, users, case_with_service, survivor):
    login(users["survivor_worker"])
    response = client.get(_url(case_with_service, survivor))
    assert response.status_code == 200
    assert response.context["form"] is not None
    assert "Save safety plan" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert SensitiveRead.objects.count() == 0


def test_saving_the_plan(client, login, users, case_with_service, survivor):
    login(users["survivor_worker"])
    response = client.post(_url(case_with_service, survivor), _form_data(code_word="lemon tree"))
    assert response.status_code == 302
    assert response["Location"] == _url(case_with_service, survivor)
    plan = SafetyPlan.objects.get()
    assert (plan.survivor, plan.case, plan.organisation) == (
        survivor,
        case_with_service,
        users["survivor_worker"].membership.organisation,
    )
    assert plan.code_word == "lemon tree"
    assert plan.safe_places == "Sister's flat"
    assert plan.next_review_on == dt.date.today() + dt.timedelta(days=30)


def test_viewing_the_plan_shows_it_and_records_exactly_one_read(
    client, login, users, case_with_service, survivor, plan
):
    login(users["survivor_worker"])
    response = client.get(_url(case_with_service, survivor))
    assert response.status_code == 200
    content = response.content.decode()
    assert "apricot" in content
    assert "Sister Gulnara, neighbour Ainura" in content
    assert "Children go to the neighbour&#x27;s if he comes." in content
    assert "no-store" in response["Cache-Control"]
    reads = list(SensitiveRead.objects.values_list("user", "record_type", "record_id", "view"))
    assert reads == [(users["survivor_worker"].pk, RT.SAFETY_PLAN, plan.pk, "casework:safety_plan")]


def test_the_edit_form_is_filled_with_the_plan_and_records_one_read(
    client, login, users, case_with_service, survivor, plan
):
    login(users["survivor_worker"])
    response = client.get(_url(case_with_service, survivor), {"edit": "1"})
    assert response.context["form"].initial["code_word"] == "apricot"
    assert 'value="apricot"' in response.content.decode()
    assert SensitiveRead.objects.filter(record_type=RT.SAFETY_PLAN, record_id=plan.pk).count() == 1


def test_a_past_review_date_is_a_field_error_and_nothing_changes(
    client, login, users, case_with_service, survivor, plan
):
    login(users["survivor_worker"])
    past = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    response = client.post(_url(case_with_service, survivor), _form_data(next_review_on=past, code_word="changed"))
    assert response.status_code == 200
    assert response.context["form"].errors["next_review_on"] == ["The next review cannot be in the past."]
    assert 'value="changed"' in response.content.decode()
    assert SafetyPlan.objects.get().code_word == "apricot"


def test_missing_and_oversized_fields_are_field_errors(client, login, users, case_with_service, survivor):
    login(users["survivor_worker"])
    response = client.post(_url(case_with_service, survivor), _form_data(next_review_on="", code_word="x" * 101))
    errors = response.context["form"].errors
    assert errors["next_review_on"] == ["This field is required."]
    assert errors["code_word"] == ["Ensure this value has at most 100 characters (it has 101)."]
    assert SafetyPlan.objects.count() == 0


def test_survivor_service_programme_manager_may_edit(client, login, orgs, case_with_service, survivor):
    manager = f.make_user(orgs["survivor_service"], "programme_manager", "crisis_manager")
    login(manager)
    assert client.post(_url(case_with_service, survivor), _form_data()).status_code == 302
    assert SafetyPlan.objects.get().updated_by == manager


@pytest.mark.parametrize("role", ["psychologist", "social_worker", "manager", "police", "monitoring"])
def test_other_roles_get_403_and_never_see_the_plan(client, login, users, case_with_service, survivor, plan, role):
    login(users[role])
    response = client.get(_url(case_with_service, survivor))
    assert response.status_code == 403
    assert "apricot" not in response.content.decode()
    assert client.post(_url(case_with_service, survivor), _form_data(code_word="hacked")).status_code == 403
    assert SafetyPlan.objects.get().code_word == "apricot"
    assert SensitiveRead.objects.count() == 0


def test_another_survivor_service_gets_404(client, login, users, case_with_service, survivor, plan):
    login(users["other_survivor_worker"])
    assert client.get(_url(case_with_service, survivor)).status_code == 404
    assert client.post(_url(case_with_service, survivor), _form_data(code_word="hacked")).status_code == 404
    assert SafetyPlan.objects.get().code_word == "apricot"
    assert SensitiveRead.objects.count() == 0
