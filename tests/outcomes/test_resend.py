"""A questionnaire sent twice by accident (a double click, a resend of the
page) is stored once: one administration, one set of scores, one timeline
entry. The second answer is the same success as the first."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from core.models import TimelineEntry
from outcomes import timeline as outcomes_timeline
from outcomes.models import Administration, ScaleScore
from tests.outcomes.conftest import days, sheet
from tests.outcomes.test_views_entry import post_data
from tests.outcomes.test_views_entry import url as new_url
from tests.outcomes.test_views_survivor import post_data as her_post_data
from tests.outcomes.test_views_survivor import urls as her_urls

SAVED = "Questionnaire saved: 78 items answered, 0 without an answer."


def _stored() -> tuple[int, int, int]:
    return (
        Administration.objects.count(),
        ScaleScore.objects.count(),
        TimelineEntry.objects.filter(kind=outcomes_timeline.QUESTIONNAIRE_RECORDED).count(),
    )


def test_the_same_page_sent_twice_stores_one_questionnaire(login, users, case):
    client = login(users["psychologist"])
    data = post_data()
    first = client.post(new_url(case), data, follow=True)
    once = _stored()
    assert once[0] == 1 and once[1] > 0 and once[2] == 1
    second = client.post(new_url(case), data, follow=True)
    assert _stored() == once
    assert second.redirect_chain == first.redirect_chain
    assert SAVED in first.content.decode()
    assert SAVED in second.content.decode()


def test_a_resend_for_a_follow_up_point_is_not_an_error(login, users, orgs, case):
    from tests.programmes.views_sessions_support import completed_enrolment

    enrolment = completed_enrolment(users, orgs, case)
    end = enrolment.follow_ups.get(kind="end")
    client = login(users["social_worker"])
    data = post_data(point=f"fu-{end.pk}")
    first = client.post(new_url(case), data)
    second = client.post(new_url(case), data, follow=True)
    assert second.redirect_chain == [(first["Location"], 302)]
    assert "A questionnaire is already recorded" not in second.content.decode()
    end.refresh_from_db()
    assert (end.status, Administration.objects.get().pk) == ("done", end.administration_id)


def test_two_pages_store_two_questionnaires(login, users, case):
    client = login(users["psychologist"])
    assert client.post(new_url(case), post_data()).status_code == 302
    assert client.post(new_url(case), post_data(point="other")).status_code == 302
    assert Administration.objects.count() == 2


@pytest.mark.parametrize("sent", ["", "garbled"])
def test_without_a_readable_key_nothing_is_stored_and_the_page_has_a_fresh_one(login, users, case, sent):
    client = login(users["psychologist"])
    response = client.post(new_url(case), post_data(item_5="4", submission_key=sent))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "submission_key": ["This form has expired. Check the details and submit again."]
    }
    assert "This form has expired. Check the details and submit again." in response.content.decode()
    assert not Administration.objects.exists()
    fresh = response.context["form"]["submission_key"].value()
    assert f'name="submission_key" value="{fresh}"' in response.content.decode()
    assert client.post(new_url(case), post_data(submission_key=fresh)).status_code == 302
    assert Administration.objects.count() == 1


def test_her_questionnaire_sent_twice_is_stored_once(login, users, case_with_service):
    survivor = case_with_service.referral.survivors.get()
    _results, new = her_urls(case_with_service, survivor)
    client = login(users["survivor_worker"])
    data = her_post_data()
    first = client.post(new, data, follow=True)
    second = client.post(new, data, follow=True)
    assert second.redirect_chain == first.redirect_chain
    assert "Her questionnaire is saved." in second.content.decode()
    assert _stored()[0::2] == (1, 1)


def test_the_service_returns_the_first_for_a_known_key(record, users, case):
    key = uuid.uuid4()
    first = record(case, users["psychologist"], sheet(), submission_key=key)
    again = record(case, users["psychologist"], sheet(1), submission_key=key)
    assert again.pk == first.pk
    assert again.answer_map()[1] == 0
    assert _stored()[0::2] == (1, 1)


def test_another_persons_key_is_neither_returned_nor_blocking(record, users, case):
    key = uuid.uuid4()
    theirs = record(case, users["psychologist"], sheet(), submission_key=key)
    mine = record(case, users["social_worker"], sheet(), submission_key=key, on=days(-1))
    assert mine.pk != theirs.pk
    assert mine.submission_key is None


def test_the_entry_page_carries_the_key(login, users, case):
    page = login(users["psychologist"]).get(new_url(case))
    key = page.context["form"]["submission_key"].value()
    uuid.UUID(str(key))
    assert f'name="submission_key" value="{key}"' in page.content.decode()
    assert reverse("outcomes:administration_new", args=[case.pk]) in page.request["PATH_INFO"]
