"""Every notice leads to the work it asks for: a survivor-service notice
links to her record, her safety plan and the contact log, with her phone as
a tel: link for the survivor workers who may see it (and that read is
logged); the police read referrals by their R-number; the acknowledgement
form offers the recipient's own actions and explains each refusal on its
field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from core.models import SensitiveRead
from notifications.models import Notice, SafetyEvent
from tests import factories as f
from tests.notifications.conftest import notice_of, record

E = SafetyEvent.Kind
INBOX = reverse("notifications:inbox")
PHONE = "+996700987654"


def detail_url(notice) -> str:
    return reverse("notifications:notice_detail", args=[notice.pk])


def ack_url(notice) -> str:
    return reverse("notifications:acknowledge", args=[notice.pk])


def _reads(user) -> list[tuple[str, str]]:
    return list(SensitiveRead.objects.filter(user=user).values_list("record_type", "view"))


@pytest.fixture
def violence(case_with_service):
    return record(E.NEW_VIOLENCE, case_with_service, facts={"reported_on": "2026-03-02"})


def test_the_survivor_worker_gets_her_links_and_her_phone_and_the_read_is_logged(
    client, login, users, violence, orgs, case_with_service
):
    survivor = case_with_service.referral.survivors.get()
    login(users["survivor_worker"])
    content = client.get(detail_url(notice_of(violence, orgs["survivor_service"]))).content.decode()
    case_pk = case_with_service.pk
    for url in (
        reverse("casework:survivor_detail", args=[case_pk, survivor.pk]),
        reverse("casework:safety_plan", args=[case_pk, survivor.pk]),
        reverse("casework:survivor_contact", args=[case_pk, survivor.pk]),
    ):
        assert f'href="{url}"' in content
    assert f'href="tel:{PHONE}"' in content
    assert "Survivor 1 — " in content
    assert survivor.family_name not in content
    assert _reads(users["survivor_worker"]) == [("survivor", "notifications:notice_detail")]
    assert SensitiveRead.objects.get(user=users["survivor_worker"]).record_id == survivor.pk


@pytest.mark.parametrize("role", ["police", "psychologist", "manager"])
def test_nobody_else_gets_her_phone_or_links(client, login, users, violence, orgs, role):
    """The police and the programme staff read their own notices of the same
    event; the provider's manager also sees the crisis centre's notice once
    it escalates. None shows her phone or links to her record."""
    from notifications.services import escalate_overdue

    escalate_overdue(now=violence.created_at + dt.timedelta(hours=100))
    login(users[role])
    for notice in violence.notices.all():
        response = client.get(detail_url(notice))
        if response.status_code == 404:
            continue
        content = response.content.decode()
        assert "tel:" not in content and PHONE not in content
        assert "/survivors/" not in content
    assert _reads(users[role]) == []


def test_no_phone_when_she_did_not_agree_to_share_it(client, login, users, orgs):
    """She withdrew her agreement to share her details after the referral."""
    from casework.services import consent_record, survivor_service_refer

    referral = f.make_referral(police=users["police"], provider=orgs["provider"])
    case = f.open_case(referral, users["psychologist"])
    survivor_service_refer(case=case, organisation=orgs["survivor_service"], by=users["social_worker"])
    consent_record(
        case=case,
        by=users["survivor_worker"],
        kind="survivor_sharing",
        decision="refused",
        survivor=case.referral.survivors.get(),
    )
    notice = notice_of(record(E.NEW_VIOLENCE, case), orgs["survivor_service"])
    login(users["survivor_worker"])
    content = client.get(detail_url(notice)).content.decode()
    assert "tel:" not in content
    survivor = case.referral.survivors.get()
    assert reverse("casework:safety_plan", args=[case.pk, survivor.pk]) in content
    assert _reads(users["survivor_worker"]) == []


def test_the_police_read_the_referral_number_not_the_case_number(client, login, users, violence, orgs):
    case = violence.case
    login(users["police"])
    inbox = client.get(INBOX).content.decode()
    detail = client.get(detail_url(notice_of(violence, orgs["police"]))).content.decode()
    for content in (inbox, detail):
        assert f"New violence reported · referral {case.referral.reference}" in content
        assert case.number not in content
    assert f'href="{reverse("referrals:police_detail", args=[case.referral_id])}">{case.referral.reference}</a>' in (
        detail
    )


# --- the acknowledgement form ------------------------------------------------------


def test_the_form_offers_the_recipients_own_actions(client, login, users, violence, orgs):
    login(users["police"])
    content = client.get(detail_url(notice_of(violence, orgs["police"]))).content.decode()
    assert 'name="actions" value="person_visited"' in content
    assert "Checked the protection order" in content
    assert 'value="survivor_called"' not in content
    login(users["survivor_worker"])
    content = client.get(detail_url(notice_of(violence, orgs["survivor_service"]))).content.decode()
    assert 'type="checkbox" class="form-check-input"  name="actions" value="survivor_called"' in content
    assert 'value="person_visited"' not in content


def test_a_police_officer_records_several_actions(client, login, users, violence, orgs):
    notice = notice_of(violence, orgs["police"])
    login(users["police"])
    response = client.post(ack_url(notice), {"actions": ["person_visited", "survivor_service_informed"]})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.actions == ["person_visited", "survivor_service_informed"]
    content = client.get(detail_url(notice)).content.decode()
    assert "<li>Visited the person</li>" in content and "<li>Informed the survivor service</li>" in content


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"note": "typed"}, "Choose what was done."),
        ({"actions": ["other"], "note": ""}, "Say why there was no contact, or what was done."),
        ({"actions": ["no_contact_possible"], "note": "  "}, "Say why there was no contact, or what was done."),
        (
            {"actions": ["shrugged"], "note": "typed"},
            "Select a valid choice. shrugged is not one of the available choices.",
        ),
        ({"actions": ["person_visited"], "note": "typed"}, "Not an action for this notice: Visited the person."),
    ],
)
def test_refusals_show_on_their_field_and_keep_what_was_typed(client, login, users, violence, orgs, data, field_error):
    notice = notice_of(violence, orgs["survivor_service"])
    login(users["survivor_worker"])
    response = client.post(ack_url(notice), data)
    assert response.status_code == 200
    form = response.context["form"]
    field = "actions" if "note" not in field_error.lower() and "say why" not in field_error.lower() else "note"
    assert form.errors[field] == [field_error]
    content = response.content.decode()
    if data.get("note", "").strip():
        assert data["note"] in content
    notice.refresh_from_db()
    assert notice.status == "open"


def test_the_police_filter_their_inbox_by_r_number(client, login, users, violence, case_with_service, orgs):
    notice = notice_of(violence, orgs["police"])
    reference = case_with_service.referral.reference
    login(users["police"])
    content = client.get(INBOX).content.decode()
    assert "Referral number" in content and 'placeholder="R-00012"' in content
    accepted = Notice.objects.get(event__kind="referral_accepted", organisation=orgs["police"])
    assert list(client.get(INBOX, {"case": reference}).context["page"].object_list) == [notice, accepted]
    assert list(client.get(INBOX, {"case": "R-99999"}).context["page"].object_list) == []
    response = client.get(INBOX, {"case": case_with_service.number})
    assert response.context["form"].errors["case"] == ["Enter a referral number such as R-00012."]
