"""Screening at a provider whose country ships no eligibility criteria
(Kazakhstan, Uzbekistan, Turkmenistan) and that has set up none of its own.

The domain notes and the seeds give eligibility criteria only for Tajikistan
and Kyrgyzstan, so nothing is shipped for the other countries: the
screening must still be possible (decision and reason recorded), with a note
that an administrator can add criteria."""

import pytest
from django.urls import reverse

from accounts.models import Organisation, Role
from referrals import services
from referrals import timeline as referrals_timeline
from referrals.models import EligibilityCriterion, Referral, Screening
from referrals.selectors import criteria_for_provider
from tests import factories as f

K = Organisation.Kind
NOTE = "No eligibility criteria are set up for your organisation; an administrator can add them."


@pytest.fixture
def kz(db):
    police = f.make_org(K.POLICE_UNIT, country="KZ", name="Shymkent Police", region="Turkistan")
    provider = f.make_org(K.PROGRAMME_PROVIDER, country="KZ", name="Turkistan Residential Centre", region="Turkistan")
    return {
        "provider": provider,
        "police": f.make_user(police, Role.POLICE_OFFICER, "kz_police"),
        "psychologist": f.make_user(provider, Role.PSYCHOLOGIST, "kz_psychologist"),
        "manager": f.make_user(provider, Role.PROGRAMME_MANAGER, "kz_manager"),
    }


@pytest.fixture
def kz_referral(kz):
    return f.make_referral(police=kz["police"], provider=kz["provider"])


def screen_url(referral):
    return reverse("referrals:screen", args=[referral.pk])


@pytest.mark.parametrize("country", ["KZ", "UZ", "TM"])
def test_no_criteria_are_shipped_where_the_sources_give_none(db, country):
    provider = f.make_org(K.PROGRAMME_PROVIDER, country=country)
    assert criteria_for_provider(provider) == []
    assert not EligibilityCriterion.objects.filter(country=country).exists()


@pytest.mark.parametrize("country", ["UZ", "TM"])
def test_the_service_saves_a_screening_without_criteria(db, country):
    police = f.make_user(f.make_org(K.POLICE_UNIT, country=country), Role.POLICE_OFFICER)
    provider = f.make_org(K.PROGRAMME_PROVIDER, country=country)
    psychologist = f.make_user(provider, Role.PSYCHOLOGIST)
    referral = f.make_referral(police=police, provider=provider)
    screening = services.screening_save(referral=referral, by=psychologist, answers={}, notes="Seen twice.")
    screening.refresh_from_db()
    assert (screening.answers, screening.notes) == ({}, "Seen twice.")
    services.referral_accept(referral=referral, by=psychologist)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED


def test_answers_to_unknown_criteria_are_not_stored(kz, kz_referral):
    screening = services.screening_save(referral=kz_referral, by=kz["psychologist"], answers={"made_up": "met"})
    assert screening.answers == {}


def test_the_screen_page_says_no_criteria_are_set_up(client, login, kz, kz_referral):
    login(kz["psychologist"])
    response = client.get(screen_url(kz_referral))
    assert response.status_code == 200
    content = response.content.decode()
    assert NOTE in content
    assert list(response.context["form"].answer_fields()) == []
    # A psychologist cannot edit the criteria: no link to the criteria page.
    assert reverse("referrals:criteria") not in content


def test_a_manager_gets_a_link_to_set_up_criteria(client, login, kz, kz_referral):
    login(kz["manager"])
    content = client.get(screen_url(kz_referral)).content.decode()
    assert NOTE in content
    assert f'href="{reverse("referrals:criteria")}"' in content


def test_a_kz_provider_saves_then_accepts_end_to_end(client, login, kz, kz_referral):
    login(kz["psychologist"])
    saved = client.post(screen_url(kz_referral), {"notes": "Came voluntarily.", "action": "save"}, follow=True)
    assert saved.redirect_chain == [(screen_url(kz_referral), 302)]
    assert "Screening saved." in saved.content.decode()
    assert "This field cannot be blank." not in saved.content.decode()
    screening = Screening.objects.get(referral=kz_referral)
    assert (screening.answers, screening.notes) == ({}, "Came voluntarily.")
    kz_referral.refresh_from_db()
    assert kz_referral.status == Referral.Status.SCREENING

    accepted = client.post(
        screen_url(kz_referral), {"notes": "Came voluntarily.", "action": "accept", "confirmed": "1"}, follow=True
    )
    content = accepted.content.decode()
    assert "Referral accepted. The referring body is told and sees the new status." in content
    assert NOTE not in content  # decided: the note is about the form
    assert "No eligibility criteria were set up when this referral was screened." in content
    kz_referral.refresh_from_db()
    assert kz_referral.status == Referral.Status.ACCEPTED
    assert [(entry.kind, entry.detail_text) for entry in kz_referral.timeline.all()] == [
        (referrals_timeline.REFERRAL_RECEIVED, ""),
        (referrals_timeline.SCREENING_STARTED, ""),
        (referrals_timeline.SCREENING_SAVED, ""),
        (referrals_timeline.ACCEPTED, "No eligibility criteria were set up"),
    ]


def test_a_kz_provider_declines_with_a_reason_in_one_step(client, login, kz, kz_referral):
    login(kz["manager"])
    data = {"reason": "other", "explanation": "Lives outside the region.", "action": "decline"}
    assert "You are about to decline referral" in client.post(screen_url(kz_referral), data).content.decode()
    response = client.post(screen_url(kz_referral), {**data, "confirmed": "1"}, follow=True)
    assert "Referral declined. The referring body is told and sees the reason." in response.content.decode()
    kz_referral.refresh_from_db()
    assert (kz_referral.status, kz_referral.decline_reason, kz_referral.decline_explanation) == (
        Referral.Status.DECLINED,
        "other",
        "Lives outside the region.",
    )
    assert Screening.objects.get(referral=kz_referral).answers == {}


def test_a_kz_decline_without_reason_keeps_what_was_typed(client, login, kz, kz_referral):
    login(kz["psychologist"])
    response = client.post(screen_url(kz_referral), {"notes": "Typed notes", "action": "decline"})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["Give the reason for declining."]
    assert "Typed notes" in response.content.decode()
    kz_referral.refresh_from_db()
    assert kz_referral.status == Referral.Status.RECEIVED
    assert not Screening.objects.exists()


def test_once_the_provider_adds_a_criterion_it_is_asked(client, login, kz, kz_referral):
    services.criterion_save(
        provider=kz["provider"],
        by=kz["manager"],
        code="voluntary",
        text_en="Agrees to take part",
        text_ru="Согласен участвовать",
        effect="required",
    )
    login(kz["psychologist"])
    response = client.get(screen_url(kz_referral))
    content = response.content.decode()
    assert NOTE not in content
    assert "Agrees to take part" in content
    refused = client.post(screen_url(kz_referral), {"answer_voluntary": "unknown", "action": "accept"})
    assert refused.context["form"].non_field_errors() == [
        "Cannot accept: not every criterion is met (Agrees to take part)."
    ]


def test_an_outsider_cannot_screen_a_kz_referral(client, login, users, kz_referral):
    login(users["psychologist"])
    assert client.get(screen_url(kz_referral)).status_code == 404
    assert client.post(screen_url(kz_referral), {"action": "accept"}).status_code == 404
    kz_referral.refresh_from_db()
    assert kz_referral.status == Referral.Status.RECEIVED
