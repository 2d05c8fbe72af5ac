"""The monitoring body's pages (its meetings, one meeting) and the provider's
(naming the bodies; missed meetings and unnamed bodies on the follow-up page)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.models import Organisation
from core.models import SensitiveRead
from outcomes.models import MonitoringMeeting
from outcomes.monitoring_services import monitoring_body_assign, monitoring_meeting_record
from tests import factories as f
from tests.outcomes.conftest import bare_enrolment, days

K = Organisation.Kind
LIST = reverse("outcomes:monitoring_list")
CHANCE = "kg-chance-mandatory-men"


@pytest.fixture
def completed(users, case):
    return bare_enrolment(case, f.shipped_template(CHANCE), users["psychologist"], status="completed",
                          starts_on=days(-400), ended_on=days(-100))  # fmt: skip


@pytest.fixture
def named(users, orgs, completed):
    """The +3 months meeting (due 10 days ago) is overdue; the +6 one is due."""
    monitoring_body_assign(enrolment=completed, body_kind=K.SOCIAL_DEVELOPMENT,
                           organisation=orgs["social_development"], by=users["manager"])  # fmt: skip
    return completed


def meeting(enrolment, months) -> MonitoringMeeting:
    return MonitoringMeeting.objects.get(enrolment=enrolment, months=months)


def rows(page: str) -> list[str]:
    if "<tbody>" not in page:
        return []
    return re.findall(r"<tr>(.*?)</tr>", page.split("<tbody>")[1], re.S)


# --- the body's list --------------------------------------------------------------


def test_the_list_shows_the_meetings_due_with_the_persons_name(login, users, named):
    page = login(users["monitoring_officer"]).get(LIST).content.decode()
    found = rows(page)
    assert len(found) == 5  # +6 .. +18; +3 is overdue
    assert named.case.referral.person.full_name in found[0]
    assert "6 months after completion" in found[0]
    assert reverse("outcomes:monitoring_meeting", args=[meeting(named, 6).pk]) in found[0]


def test_overdue_and_no_contact_meetings_are_missed(login, users, named):
    monitoring_meeting_record(meeting=meeting(named, 6), by=users["monitoring_officer"], met_on=days(0),
                              contact_made=False, new_violence=False)  # fmt: skip
    page = login(users["monitoring_officer"]).get(LIST, {"show": "missed"}).content.decode()
    found = rows(page)
    assert len(found) == 2
    assert "overdue" in found[0] and "3 months after completion" in found[0]
    assert "no contact" in found[1] and "6 months after completion" in found[1]


def test_done_meetings(login, users, named):
    monitoring_meeting_record(meeting=meeting(named, 3), by=users["monitoring_officer"], met_on=days(0),
                              contact_made=True, new_violence=False, note="Secret words")  # fmt: skip
    page = login(users["monitoring_officer"]).get(LIST, {"show": "done"}).content.decode()
    assert len(rows(page)) == 1
    assert "Secret words" not in page


@pytest.mark.parametrize(
    ("show", "empty"),
    [("due", "No meeting is due"), ("missed", "No meeting is missed."), ("done", "No meeting is recorded yet.")],
)
def test_the_empty_lists_say_so(login, users, show, empty):
    page = login(users["social_officer"]).get(LIST, {"show": show}).content.decode()
    assert rows(page) == [] and empty in page


def test_another_body_sees_none_of_them(login, users, named):
    for who in ("social_officer", "police"):
        page = login(users[who]).get(LIST).content.decode()
        assert rows(page) == [] and named.case.referral.person.full_name not in page


def test_the_list_is_paginated(login, users, orgs):
    for i in range(6):
        case = f.make_open_case(police=users["police"], provider=orgs["provider"], by=users["psychologist"],
                                given_name=f"Man{i:02d}")  # fmt: skip
        enrolment = bare_enrolment(case, f.shipped_template(CHANCE), users["psychologist"], status="completed",
                                   starts_on=days(-60), ended_on=days(-30))  # fmt: skip
        monitoring_body_assign(enrolment=enrolment, body_kind=K.SOCIAL_DEVELOPMENT,
                               organisation=orgs["social_development"], by=users["manager"])  # fmt: skip
    client = login(users["monitoring_officer"])
    first = client.get(LIST).content.decode()
    assert len(rows(first)) == 25 and "Page 1 of 2" in first
    assert len(rows(client.get(LIST, {"page": 2}).content.decode())) == 11


# --- one meeting ----------------------------------------------------------------------


def test_the_body_records_a_meeting_on_its_page(login, users, named):
    point = meeting(named, 3)
    url = reverse("outcomes:monitoring_meeting", args=[point.pk])
    client = login(users["monitoring_officer"])
    page = client.get(url).content.decode()
    assert named.case.referral.person.full_name in page and "Missed" in page
    response = client.post(url, {"met_on": days(0).isoformat(), "contact_made": "yes", "new_violence": "no",
                                 "note": "Works in the market"})  # fmt: skip
    assert response.status_code == 302
    point.refresh_from_db()
    assert (point.status, point.contact_made, point.new_violence, point.note) == (
        "done", True, False, "Works in the market",
    )  # fmt: skip
    assert "Works in the market" in client.get(url).content.decode()
    assert SensitiveRead.objects.filter(user=users["monitoring_officer"], view="outcomes:monitoring_meeting",
                                        record_id=named.case_id, record_type="therapy_notes").count() == 1  # fmt: skip


def test_a_bad_meeting_is_answered_field_by_field(login, users, named):
    url = reverse("outcomes:monitoring_meeting", args=[meeting(named, 3).pk])
    response = login(users["monitoring_officer"]).post(
        url, {"met_on": days(-101).isoformat(), "new_violence": "no", "note": "kept"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["contact_made"] == ["This field is required."]
    assert "kept" in response.content.decode()


def test_a_service_refusal_goes_to_its_field(login, users, named):
    url = reverse("outcomes:monitoring_meeting", args=[meeting(named, 3).pk])
    response = login(users["monitoring_officer"]).post(
        url, {"met_on": days(-101).isoformat(), "contact_made": "yes", "new_violence": "no"}
    )
    assert response.context["form"].errors["met_on"] == [
        f"A monitoring meeting is after the programme, which ended on {days(-100):%d.%m.%Y}."
    ]


def test_the_page_shows_no_survivor_and_no_clinical_note(login, users, named):
    survivor = named.case.referral.survivors.first()
    page = (
        login(users["monitoring_officer"])
        .get(reverse("outcomes:monitoring_meeting", args=[meeting(named, 3).pk]))
        .content.decode()
    )
    assert survivor is not None and survivor.family_name not in page
    assert reverse("casework:case_detail", args=[named.case_id]) not in page


@pytest.mark.parametrize(("who", "status"), [("social_officer", 404), ("other_police", 404), ("psychologist", 403),
                                             ("survivor_worker", 403), ("judge", 403)])  # fmt: skip
def test_others_may_not_open_a_meeting(login, users, named, who, status):
    url = reverse("outcomes:monitoring_meeting", args=[meeting(named, 3).pk])
    assert login(users[who]).get(url).status_code == status


# --- the provider's side -------------------------------------------------------------


def test_the_provider_names_the_body_on_the_enrolments_page(login, users, orgs, completed):
    url = reverse("outcomes:monitoring_bodies", args=[completed.pk])
    client = login(users["social_worker"])
    page = client.get(url).content.decode()
    assert orgs["social_development"].name in page
    assert orgs["local_government"].name not in page  # not a kind the programme names
    response = client.post(url, {K.SOCIAL_DEVELOPMENT: orgs["social_development"].pk})
    assert response.status_code == 302
    assert MonitoringMeeting.objects.filter(enrolment=completed).count() == 6
    page = client.get(url).content.decode()
    assert page.split("meetings-heading")[-1].count("months after completion") == 6


def test_a_wrong_organisation_is_refused_on_its_field(login, users, orgs, completed):
    url = reverse("outcomes:monitoring_bodies", args=[completed.pk])
    response = login(users["social_worker"]).post(url, {K.SOCIAL_DEVELOPMENT: orgs["police"].pk})
    assert response.status_code == 200
    assert response.context["form"].errors[K.SOCIAL_DEVELOPMENT]


def test_the_enrolment_page_links_to_the_monitoring(login, users, completed):
    page = login(users["psychologist"]).get(reverse("programmes:enrolment_detail", args=[completed.pk]))
    assert reverse("outcomes:monitoring_bodies", args=[completed.pk]) in page.content.decode()


def test_the_follow_up_page_says_no_monitoring_body_assigned(login, users, completed):
    page = login(users["manager"]).get(reverse("outcomes:follow_ups")).content.decode()
    section = page.split('id="monitoring"')[1]
    assert "No monitoring body assigned" in section
    assert completed.case.number in section
    assert reverse("outcomes:monitoring_bodies", args=[completed.pk]) in section


def test_the_follow_up_page_shows_missed_meetings_without_the_note(login, users, named):
    monitoring_meeting_record(meeting=meeting(named, 6), by=users["monitoring_officer"], met_on=days(0),
                              contact_made=False, new_violence=False, note="Door closed")  # fmt: skip
    page = login(users["psychologist"]).get(reverse("outcomes:follow_ups")).content.decode()
    section = page.split('id="monitoring"')[1]
    assert "No monitoring body assigned" not in section
    assert section.count("State Department for Social Development") == 2
    assert "no contact" in section and "not held" in section
    assert "Door closed" not in page


def test_another_provider_sees_none_of_it(login, users, named):
    page = login(users["other_psychologist"]).get(reverse("outcomes:follow_ups")).content.decode()
    assert named.case.number not in page.split('id="monitoring"')[1]
