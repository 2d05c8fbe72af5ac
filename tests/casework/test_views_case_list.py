import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework.models import RiskInstrument, SafetyPlan
from casework.services import risk_reassess, safety_plan_save, survivor_service_refer
from core.models import SensitiveRead
from tests import factories as f
from tests.casework.conftest import assert_no_survivor_details, plan_data

LIST = reverse("casework:case_list")
SURVIVOR_LIST = reverse("casework:survivor_cases")


def _open_cases(n, users, orgs):
    cases = []
    for i in range(n):
        referral = f.make_referral(
            police=users["police"], provider=orgs["provider"], person=f.person_data(family_name=f"Иванов{i:02d}x")
        )
        cases.append(f.open_case(referral, users["psychologist"]))
    return cases


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# --- provider case list --------------------------------------------------------


@pytest.mark.parametrize("role", ["psychologist", "social_worker", "manager"])
def test_provider_staff_see_their_cases(client, login, users, case, other_case, role):
    login(users[role])
    response = client.get(LIST)
    assert response.status_code == 200
    content = response.content.decode()
    assert case.number in content
    assert case.referral.person.full_name in content
    assert ">High<" in content
    assert ">Open<" in content
    assert reverse("casework:case_detail", args=[case.pk]) in content
    # Another provider's case is not listed.
    assert other_case.referral.person.full_name not in content
    assert reverse("casework:case_detail", args=[other_case.pk]) not in content
    assert_no_survivor_details(content)


def test_search_by_name_is_kept_out_of_the_url(client, login, users, orgs):
    first, second = _open_cases(2, users, orgs)
    login(users["psychologist"])
    response = client.post(LIST, {"q": "иванов01"})
    assert response.status_code == 302
    assert response["Location"] == LIST
    content = client.get(LIST).content.decode()
    assert second.referral.person.full_name in content
    assert first.referral.person.full_name not in content
    client.post(LIST, {"clear": "1"})
    content = client.get(LIST).content.decode()
    assert first.referral.person.full_name in content


def test_search_by_case_number(client, login, users, orgs):
    first, second = _open_cases(2, users, orgs)
    login(users["psychologist"])
    client.post(LIST, {"q": first.number})
    content = client.get(LIST).content.decode()
    assert first.referral.person.full_name in content
    assert second.referral.person.full_name not in content


def test_risk_filter(client, login, users, orgs):
    high, low = _open_cases(2, users, orgs)
    basic = RiskInstrument.objects.get(code="basic-checklist")
    risk_reassess(case=low, by=users["psychologist"], instrument=basic, answers={})
    login(users["manager"])
    content = client.get(LIST, {"risk": "low"}).content.decode()
    assert low.referral.person.full_name in content
    assert high.referral.person.full_name not in content
    content = client.get(LIST, {"risk": "severe"}).content.decode()
    assert "No case matches this search." in content


def test_empty_state(client, login, users):
    login(users["psychologist"])
    content = client.get(LIST).content.decode()
    assert "No cases yet. A case opens when intake is done on an accepted referral." in content


def test_the_query_count_does_not_grow_with_the_cases_and_pages_hold_25(client, login, users, orgs):
    _open_cases(3, users, orgs)
    login(users["psychologist"])
    with_three = _queries(client, LIST)
    _open_cases(27, users, orgs)
    with_thirty = _queries(client, LIST)
    assert with_thirty == with_three
    first_page = client.get(LIST)
    assert len(first_page.context["page"].object_list) == 25
    assert "Page 1 of 2" in first_page.content.decode()
    second_page = client.get(LIST, {"page": 2})
    assert len(second_page.context["page"].object_list) == 5


# --- survivor-service case list ------------------------------------------------


def test_survivor_worker_sees_cases_referred_to_her_service_without_names(
    client, login, users, case_with_service, case
):
    survivor = case_with_service.referral.survivors.get()
    safety_plan_save(case=case_with_service, survivor=survivor, by=users["survivor_worker"], **plan_data())
    login(users["survivor_worker"])
    response = client.get(SURVIVOR_LIST)
    assert response.status_code == 200
    content = response.content.decode()
    assert case_with_service.number in content
    assert "Partner / spouse" in content
    assert ">High<" in content
    review = dt.date.today() + dt.timedelta(days=30)
    assert response.context["rows"][0]["next_review"] == review
    assert response.context["rows"][0]["review_state"] == "later"
    assert_no_survivor_details(content)
    assert case_with_service.referral.person.full_name not in content
    assert SensitiveRead.objects.count() == 0


def test_due_and_overdue_reviews_are_highlighted(client, login, users, orgs):
    due, overdue, none = _open_cases(3, users, orgs)
    for case in (due, overdue, none):
        survivor_service_refer(case=case, organisation=orgs["survivor_service"], by=users["psychologist"])
    for case in (due, overdue):
        survivor = case.referral.survivors.get()
        safety_plan_save(case=case, survivor=survivor, by=users["survivor_worker"], **plan_data())
    today = dt.date.today()
    SafetyPlan.objects.filter(case=due).update(next_review_on=today + dt.timedelta(days=3))
    SafetyPlan.objects.filter(case=overdue).update(next_review_on=today - dt.timedelta(days=1))
    login(users["survivor_worker"])
    response = client.get(SURVIVOR_LIST)
    states = {row["case"].pk: row["review_state"] for row in response.context["rows"]}
    assert states == {due.pk: "due", overdue.pk: "overdue", none.pk: ""}
    content = response.content.decode()
    assert 'class="table-danger"' in content
    assert 'class="table-warning"' in content
    assert "No safety plan yet" in content


def test_survivor_list_query_count_does_not_grow(client, login, users, orgs):
    def refer(cases):
        for case in cases:
            survivor_service_refer(case=case, organisation=orgs["survivor_service"], by=users["psychologist"])
            survivor = case.referral.survivors.get()
            safety_plan_save(case=case, survivor=survivor, by=users["survivor_worker"], **plan_data())

    refer(_open_cases(2, users, orgs))
    login(users["survivor_worker"])
    with_two = _queries(client, SURVIVOR_LIST)
    refer(_open_cases(6, users, orgs))
    assert _queries(client, SURVIVOR_LIST) == with_two


def test_survivor_list_search_by_case_number(client, login, users, orgs):
    first, second = _open_cases(2, users, orgs)
    for case in (first, second):
        survivor_service_refer(case=case, organisation=orgs["survivor_service"], by=users["psychologist"])
    login(users["survivor_worker"])
    client.post(SURVIVOR_LIST, {"q": second.number})
    rows = client.get(SURVIVOR_LIST).context["rows"]
    assert [row["case"].pk for row in rows] == [second.pk]
    # Names do not search here.
    client.post(SURVIVOR_LIST, {"q": "Иванов"})
    content = client.get(SURVIVOR_LIST).content.decode()
    assert "No case matches this search." in content


def test_another_survivor_service_sees_nothing(client, login, users, case_with_service):
    login(users["other_survivor_worker"])
    response = client.get(SURVIVOR_LIST)
    content = response.content.decode()
    assert case_with_service.number not in content
    assert "No case has been referred to your organisation yet." in content


def test_survivor_service_programme_manager_sees_the_list(client, login, orgs, case_with_service):
    manager = f.make_user(orgs["survivor_service"], "programme_manager", "crisis_manager")
    login(manager)
    response = client.get(SURVIVOR_LIST)
    assert case_with_service.number in response.content.decode()


# --- the filter's refusals: a message, never a server error --------------------


@pytest.mark.parametrize("url", [LIST, SURVIVOR_LIST])
@pytest.mark.parametrize("risk", ["catastrophic", "<script>", "x" * 5000, "низкий"])
def test_an_unknown_risk_level_filters_nothing_and_says_so(client, login, users, orgs, url, risk):
    (case,) = _open_cases(1, users, orgs)
    survivor_service_refer(case=case, organisation=orgs["survivor_service"], by=users["social_worker"])
    login(users["psychologist" if url == LIST else "survivor_worker"])
    response = client.get(url, {"risk": risk})
    assert response.status_code == 200
    content = response.content.decode()
    assert "This risk level is not one of the list: the list is not filtered by risk." in content
    assert case.number in content
    assert "<script>" not in content


@pytest.mark.parametrize("query", ["risk=low%00", "page=1%00", "risk=%00"])
def test_a_nul_byte_in_the_query_string_is_refused_with_400(client, login, users, query):
    login(users["psychologist"])
    assert client.get(f"{LIST}?{query}").status_code == 400


@pytest.mark.parametrize("page", ["abc", "-1", "0", "99999", "1.5", "2026-13-45"])
def test_a_bad_page_number_shows_a_page(client, login, users, orgs, page):
    (case,) = _open_cases(1, users, orgs)
    login(users["psychologist"])
    response = client.get(LIST, {"page": page, "risk": ""})
    assert response.status_code == 200
    assert case.number in response.content.decode()
    assert "This risk level is not one of the list" not in response.content.decode()
