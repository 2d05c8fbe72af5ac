"""Provider pages: incoming referrals and screening with accept/decline."""

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from referrals import services
from referrals.models import Referral, Screening
from tests import factories as f

INCOMING = reverse("referrals:incoming")
SURVIVOR = {
    "family_name": "Survivorova",
    "given_name": "Gulnara",
    "phone": "+996700987654",
    "address": "Secret street 7, flat 3",
}
ALL_MET = {"answer_no_addiction": "met", "answer_no_mental_disorder": "met"}


def screen_url(referral):
    return reverse("referrals:screen", args=[referral.pk])


@pytest.fixture
def survivor_referral(users, orgs):
    """A referral whose survivor details are easy to look for in a page."""
    return f.make_referral(
        police=users["police"],
        provider=orgs["provider"],
        person=f.person_data(family_name="Perpetratov", phone="+996555000111"),
        survivors=[f.survivor_data(**SURVIVOR, relationship="daughter_in_law", children_in_household=3)],
        risk_flags=["strangulation", "weapon"],
        incident_description="Hit his daughter-in-law in the kitchen.",
    )


# --- referrals:incoming --------------------------------------------------------


@pytest.mark.parametrize("role", ["psychologist", "social_worker", "manager"])
def test_provider_staff_see_referrals_to_decide(client, login, users, orgs, role):
    waiting = f.make_referral(
        police=users["police"], provider=orgs["provider"], person=f.person_data(family_name="Waiting")
    )
    declined = f.make_referral(police=users["police"], provider=orgs["provider"])
    services.referral_decline(referral=declined, by=users["psychologist"], reason="no_capacity")
    elsewhere = f.make_referral(police=users["other_police"], provider=orgs["other_provider"])
    login(users[role])
    response = client.get(INCOMING)
    assert response.status_code == 200
    assert [r.pk for r in response.context["page"].object_list] == [waiting.pk]
    content = response.content.decode()
    assert "Waiting Бакыт" in content
    assert "Bishkek City Police, Pervomaisky district" in content
    assert screen_url(waiting) in content
    assert screen_url(elsewhere) not in content
    everything = client.get(INCOMING, {"tab": "all"})
    assert [r.pk for r in everything.context["page"].object_list] == [declined.pk, waiting.pk]
    assert "No capacity" in everything.content.decode()
    only_declined = client.get(INCOMING, {"tab": "all", "status": "declined"})
    assert [r.pk for r in only_declined.context["page"].object_list] == [declined.pk]


def test_incoming_empty_state(client, login, users):
    login(users["psychologist"])
    assert "No referrals are waiting for a decision." in client.get(INCOMING).content.decode()


def test_incoming_search(client, login, users, orgs):
    wanted = f.make_referral(
        police=users["police"], provider=orgs["provider"], person=f.person_data(family_name="Wanted")
    )
    f.make_referral(police=users["police"], provider=orgs["provider"])
    login(users["psychologist"])
    client.post(INCOMING, {"q": "wanted"})
    assert [r.pk for r in client.get(INCOMING).context["page"].object_list] == [wanted.pk]
    client.post(INCOMING, {"q": f"R-{wanted.pk:05d}"})
    assert [r.pk for r in client.get(INCOMING).context["page"].object_list] == [wanted.pk]


def test_incoming_marks_possible_duplicates(client, login, users, orgs):
    same = {"family_name": "Twin", "given_name": "Bakyt", "birth_date": dt.date(1980, 1, 1), "phone": ""}
    earlier = f.make_referral(
        police=users["other_police"], provider=orgs["other_provider"], person=f.person_data(**same)
    )
    again = f.make_referral(police=users["police"], provider=orgs["provider"], person=f.person_data(**same))
    same_phone = f.make_referral(
        police=users["police"],
        provider=orgs["provider"],
        person=f.person_data(family_name="Other", phone="+996555999888"),
    )
    f.make_referral(
        police=users["police2"],
        provider=orgs["provider"],
        person=f.person_data(family_name="Else", phone="+996555999888"),
    )
    unique = f.make_referral(police=users["police"], provider=orgs["provider"], person=f.person_data(phone=""))
    login(users["psychologist"])
    duplicates = client.get(INCOMING).context["duplicates"]
    assert again.pk in duplicates
    assert same_phone.pk in duplicates
    assert unique.pk not in duplicates
    assert earlier.pk not in duplicates  # not on this provider's page
    assert "possible duplicate" in client.get(INCOMING).content.decode()


def _incoming_queries(client, users, orgs, add: int) -> int:
    for i in range(add):
        # Pairs of the same person, so the duplicate badge is exercised.
        person = f.person_data(family_name=f"Same{i // 2}", phone="")
        f.make_referral(police=users["police"], provider=orgs["provider"], person=person)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(INCOMING).status_code == 200
    return len(queries)


def test_the_incoming_query_count_does_not_grow_with_the_rows(client, login, users, orgs):
    login(users["psychologist"])
    client.get(INCOMING)
    with_four = _incoming_queries(client, users, orgs, 4)
    with_thirty = _incoming_queries(client, users, orgs, 26)
    assert with_four == with_thirty


# --- referrals:screen ----------------------------------------------------------


@pytest.mark.parametrize("role", ["psychologist", "social_worker", "manager"])
def test_the_screen_page_shows_the_referral_without_survivor_identity(client, login, users, survivor_referral, role):
    login(users[role])
    response = client.get(screen_url(survivor_referral))
    assert response.status_code == 200
    content = response.content.decode()
    for shown in [
        "Perpetratov Бакыт",
        "Hit his daughter-in-law in the kitchen.",
        "Strangulation or choking",
        "Weapon used or threatened",
        "Daughter-in-law",
        "3 children in the household",
        survivor_referral.order_number,
        "No addiction to alcohol, narcotics, psychotropic substances or gambling (otherwise basic therapy first)",
        "No mental disorder (otherwise basic therapy first)",
        "The reason and the explanation are visible to the referring police unit.",
    ]:
        assert shown in content, shown
    for hidden in ["Survivorova", "Gulnara", "+996700987654", "700987654", "Secret street"]:
        assert hidden not in content, hidden


def test_the_screen_page_does_not_load_survivor_identity(client, login, users, survivor_referral):
    login(users["psychologist"])
    with CaptureQueriesContext(connection) as queries:
        client.get(screen_url(survivor_referral))
    survivor_queries = [q["sql"] for q in queries if 'FROM "referrals_survivor"' in q["sql"]]
    assert survivor_queries
    assert all('"family_name"' not in sql and '"phone"' not in sql for sql in survivor_queries)


def test_another_providers_referral_is_404(client, login, users, referral):
    login(users["other_psychologist"])
    assert client.get(screen_url(referral)).status_code == 404
    response = client.post(screen_url(referral), {**ALL_MET, "action": "accept"})
    assert response.status_code == 404
    referral.refresh_from_db()
    assert referral.status == Referral.Status.RECEIVED


@pytest.mark.parametrize("role", ["police", "survivor_worker", "provider_admin", "monitoring"])
def test_the_screen_page_is_for_provider_staff_only(client, login, users, referral, role):
    login(users[role])
    assert client.get(screen_url(referral)).status_code == 403
    assert client.post(screen_url(referral), {**ALL_MET, "action": "accept"}).status_code == 403


def test_the_screen_page_warns_of_earlier_referrals_of_the_same_person(client, login, users, orgs):
    person = {"family_name": "Again", "given_name": "Bakyt", "birth_date": dt.date(1979, 5, 5)}
    earlier = f.make_referral(
        police=users["other_police"], provider=orgs["other_provider"], person=f.person_data(**person)
    )
    now = f.make_referral(police=users["police"], provider=orgs["provider"], person=f.person_data(**person))
    login(users["psychologist"])
    content = client.get(screen_url(now)).content.decode()
    assert "Possible duplicate" in content
    # The date as the page shows it: in the server's time zone, not UTC
    # (they differ in the evening).
    shown = timezone.localtime(earlier.created_at)
    assert f"{earlier.reference} · {shown:%d.%m.%Y} · Khujand Consultation Room · Received" in content


def test_saving_the_screening(client, login, users, referral):
    login(users["social_worker"])
    data = {"answer_no_addiction": "not_met", "answer_no_mental_disorder": "unknown", "notes": "Drinks daily."}
    response = client.post(screen_url(referral), {**data, "action": "save"}, follow=True)
    assert response.redirect_chain == [(screen_url(referral), 302)]
    assert "Screening saved." in response.content.decode()
    screening = Screening.objects.get(referral=referral)
    assert screening.answers == {"no_addiction": "not_met", "no_mental_disorder": "unknown"}
    assert screening.notes == "Drinks daily."
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SCREENING
    form = response.context["form"]
    assert form["answer_no_addiction"].value() == "not_met"
    assert form["notes"].value() == "Drinks daily."


def test_an_answer_outside_the_choices_is_a_field_error(client, login, users, referral):
    login(users["psychologist"])
    response = client.post(screen_url(referral), {"answer_no_addiction": "maybe", "action": "save"})
    assert response.status_code == 200
    assert "answer_no_addiction" in response.context["form"].errors
    assert not Screening.objects.exists()


def test_accepting_with_every_criterion_met(client, login, users, referral):
    login(users["psychologist"])
    response = client.post(screen_url(referral), {**ALL_MET, "action": "accept", "confirmed": "1"}, follow=True)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED
    content = response.content.decode()
    assert "Referral accepted. The referring body is told and sees the new status." in content
    assert 'name="action"' not in content  # decided: no more buttons
    try:  # the intake page is built by the casework pages
        expected = reverse("casework:intake", args=[referral.pk])
    except NoReverseMatch:
        expected = None
    assert response.context["intake_url"] == expected
    if expected:
        assert f'href="{expected}"' in content


def test_accepting_with_an_unmet_criterion_is_refused_and_nothing_saved(client, login, users, referral):
    login(users["psychologist"])
    data = {"answer_no_addiction": "not_met", "answer_no_mental_disorder": "met", "notes": "Typed notes"}
    response = client.post(screen_url(referral), {**data, "action": "accept"})
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors == [
        "Cannot accept: not every criterion is met (No addiction to alcohol, narcotics, psychotropic substances"
        " or gambling (otherwise basic therapy first))."
    ]
    assert "Typed notes" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.RECEIVED
    assert not Screening.objects.exists()


def test_decline_without_reason_shows_the_error(client, login, users, referral):
    login(users["psychologist"])
    response = client.post(screen_url(referral), {**ALL_MET, "reason": "", "action": "decline"})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["Give the reason for declining."]
    assert "Give the reason for declining." in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.RECEIVED


def test_decline_for_other_reason_needs_an_explanation(client, login, users, referral):
    login(users["psychologist"])
    response = client.post(screen_url(referral), {**ALL_MET, "reason": "other", "action": "decline"})
    assert response.context["form"].errors["explanation"] == ["Explain the reason when you choose “Other”."]
    referral.refresh_from_db()
    assert referral.status == Referral.Status.RECEIVED


def test_declining_with_a_reason(client, login, users, referral):
    login(users["manager"])
    data = {
        **ALL_MET,
        "reason": "basic_therapy_first",
        "explanation": "Addiction treatment first.",
        "action": "decline",
        "confirmed": "1",
    }
    response = client.post(screen_url(referral), data, follow=True)
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason, referral.decline_explanation) == (
        Referral.Status.DECLINED,
        "basic_therapy_first",
        "Addiction treatment first.",
    )
    content = response.content.decode()
    assert "Referral declined. The referring body is told and sees the reason." in content
    assert "Basic therapy (addiction or mental health) first" in content


def test_a_decided_referral_cannot_be_screened_again(client, login, users, referral):
    f.accept(referral, users["psychologist"])
    login(users["psychologist"])
    response = client.post(screen_url(referral), {**ALL_MET, "reason": "no_capacity", "action": "decline"})
    assert response.context["form"].non_field_errors() == ["This referral has already been decided."]
    assert "This referral has already been decided." in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED


def test_an_unknown_action_is_refused(client, login, users, referral):
    login(users["psychologist"])
    response = client.post(screen_url(referral), {**ALL_MET, "action": "delete"})
    assert response.context["form"].non_field_errors() == ["Choose Save screening, Accept or Decline."]
    assert not Screening.objects.exists()


# --- asking before accepting or declining ---------------------------------------


def _text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def _reposted(response) -> list[tuple[str, str]]:
    panel = response.content.decode().split("cw-confirm", 1)[1].split("</section>", 1)[0]
    return [
        (name, html.unescape(value))
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', panel)
        if name != "csrfmiddlewaretoken"
    ]


def test_accepting_asks_first_and_changes_nothing(client, login, users, referral):
    login(users["psychologist"])
    data = {**ALL_MET, "notes": "Came with his lawyer.", "action": "accept"}
    response = client.post(screen_url(referral), data)
    assert response.status_code == 200
    page = _text(response)
    assert (
        f"You are about to accept referral {referral.reference} ({referral.person.full_name}) into your programme."
    ) in page
    assert "This cannot be undone." in page
    assert f"It tells: {referral.referring_body.name}, which sees the new status." in page
    assert _reposted(response) == [*data.items(), ("confirmed", "1")]
    assert response.context["form"]["notes"].value() == "Came with his lawyer."
    referral.refresh_from_db()
    assert referral.status == Referral.Status.RECEIVED
    assert not Screening.objects.exists()
    confirmed = client.post(screen_url(referral), dict(_reposted(response)), follow=True)
    assert "Referral accepted. The referring body is told and sees the new status." in _text(confirmed)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED
    assert Screening.objects.get(referral=referral).notes == "Came with his lawyer."


def test_declining_asks_first_naming_the_reason_and_the_police_unit(client, login, users, referral):
    login(users["manager"])
    data = {**ALL_MET, "reason": "no_capacity", "explanation": "Full until May.", "action": "decline"}
    response = client.post(screen_url(referral), data)
    page = _text(response)
    assert f"You are about to decline referral {referral.reference} ({referral.person.full_name}): " in page
    assert f"It tells: {referral.referring_body.name}, which sees the reason and the explanation." in page
    referral.refresh_from_db()
    assert referral.status == Referral.Status.RECEIVED
    client.post(screen_url(referral), {**data, "confirmed": "1"})
    referral.refresh_from_db()
    assert (referral.status, referral.decline_explanation) == (Referral.Status.DECLINED, "Full until May.")


def test_saving_the_screening_does_not_ask(client, login, users, referral):
    login(users["psychologist"])
    response = client.post(screen_url(referral), {**ALL_MET, "action": "save"})
    assert response.status_code == 302
    assert Screening.objects.filter(referral=referral).exists()


def test_a_refused_decision_shows_its_errors_not_the_confirmation(client, login, users, referral):
    login(users["psychologist"])
    data = {"answer_no_addiction": "not_met", "answer_no_mental_disorder": "met", "notes": "Kept", "action": "accept"}
    response = client.post(screen_url(referral), data)
    assert response.context["confirm"] is None
    assert response.context["form"].non_field_errors()[0].startswith("Cannot accept: not every criterion is met")
    response = client.post(screen_url(referral), {**ALL_MET, "reason": "other", "notes": "Kept", "action": "decline"})
    assert response.context["confirm"] is None
    assert response.context["form"].errors["explanation"] == ["Explain the reason when you choose “Other”."]
    assert response.context["form"]["notes"].value() == "Kept"
    assert not Screening.objects.exists()


def test_wrong_users_are_refused_even_when_confirmed(client, login, users, referral):
    data = {**ALL_MET, "action": "accept", "confirmed": "1"}
    login(users["police"])
    assert client.post(screen_url(referral), data).status_code == 403
    login(users["other_psychologist"])
    assert client.post(screen_url(referral), data).status_code == 404
    referral.refresh_from_db()
    assert referral.status == Referral.Status.RECEIVED
