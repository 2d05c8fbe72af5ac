"""What is typed on the screening page is kept by "Save screening": the
notes, the answers, and a decline reason and explanation not yet sent.
The police see the reason and the explanation only once the referral is
declined."""

from __future__ import annotations

from django.urls import reverse

from referrals.models import Referral, Screening
from tests.referrals.test_views_screening import ALL_MET, screen_url

DRAFT = {"reason": "other", "explanation": "Lives 300 km away; asks for a group nearer home."}


def test_a_decline_draft_is_kept_by_save_screening_and_shown_back(client, login, users, referral):
    login(users["psychologist"])
    data = {**ALL_MET, "notes": "Seen twice.", **DRAFT, "action": "save"}
    response = client.post(screen_url(referral), data, follow=True)
    assert response.redirect_chain == [(screen_url(referral), 302)]
    assert "Screening saved." in response.content.decode()
    screening = Screening.objects.get(referral=referral)
    assert (screening.notes, screening.decline_reason, screening.decline_explanation) == (
        "Seen twice.",
        "other",
        DRAFT["explanation"],
    )
    form = response.context["form"]
    assert (form["reason"].value(), form["explanation"].value()) == ("other", DRAFT["explanation"])
    assert DRAFT["explanation"] in response.content.decode()
    # Not a decision: the referral's own decline fields stay empty.
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason, referral.decline_explanation) == ("screening", "", "")


def test_the_police_do_not_see_a_draft(client, login, users, referral):
    login(users["psychologist"])
    client.post(screen_url(referral), {**ALL_MET, **DRAFT, "action": "save"})
    login(users["police"])
    page = client.get(reverse("referrals:police_detail", args=[referral.pk])).content.decode()
    assert DRAFT["explanation"] not in page


def test_clearing_the_draft_and_saving_clears_it(client, login, users, referral):
    login(users["psychologist"])
    client.post(screen_url(referral), {**ALL_MET, **DRAFT, "action": "save"})
    client.post(screen_url(referral), {**ALL_MET, "reason": "", "explanation": "", "action": "save"})
    screening = Screening.objects.get(referral=referral)
    assert (screening.decline_reason, screening.decline_explanation) == ("", "")


def test_a_saved_draft_can_then_be_declined(client, login, users, referral):
    login(users["manager"])
    client.post(screen_url(referral), {**ALL_MET, **DRAFT, "action": "save"})
    form = client.get(screen_url(referral)).context["form"]
    data = {**ALL_MET, "reason": form["reason"].value(), "explanation": form["explanation"].value()}
    client.post(screen_url(referral), {**data, "action": "decline", "confirmed": "1"})
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason, referral.decline_explanation) == (
        Referral.Status.DECLINED,
        "other",
        DRAFT["explanation"],
    )


def test_an_unknown_draft_reason_is_a_field_error(client, login, users, referral):
    login(users["psychologist"])
    response = client.post(screen_url(referral), {**ALL_MET, "reason": "bored", "action": "save"})
    assert "reason" in response.context["form"].errors
    assert not Screening.objects.exists()
