"""GET /api/v1/referrals/{id}/: the referring police unit follows a referral's status."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from referrals import services
from referrals.models import Referral
from tests import factories as f


def url(pk: int) -> str:
    return f"/api/v1/referrals/{pk}/"


def test_the_url_is_named(referral):
    assert reverse("api-referral-detail", kwargs={"id": referral.pk}) == url(referral.pk)


def test_the_referring_unit_sees_the_status(api, users, orgs, referral):
    # Another officer of the same unit: the unit follows its referrals.
    response = api(users["police2"]).get(url(referral.pk))

    assert response.status_code == 200
    referral.refresh_from_db()
    body = response.json()
    assert dt.datetime.fromisoformat(body.pop("status_changed_at")) == referral.status_changed_at
    assert body == {
        "id": referral.pk,
        "reference": f"R-{referral.pk:05d}",
        "status": "received",
        "status_display": "Received",
        "decline_reason": "",
        "decline_explanation": "",
        "provider": {"id": orgs["provider"].pk, "name": "Bishkek Consultation Room"},
        "order_current_expiry": referral.order_expires_on.isoformat(),
    }


def test_it_shows_a_decline_with_its_reason(api, users, referral):
    services.referral_decline(
        referral=referral, by=users["psychologist"], reason="other", explanation="Lives outside the city."
    )

    body = api(users["police"]).get(url(referral.pk)).json()

    referral.refresh_from_db()
    assert body["status"] == "declined"
    assert body["status_display"] == "Declined"
    assert body["decline_reason"] == "other"
    assert body["decline_explanation"] == "Lives outside the city."
    assert dt.datetime.fromisoformat(body["status_changed_at"]) == referral.status_changed_at


def test_it_shows_an_accepted_referral(api, users, referral):
    f.accept(referral, users["psychologist"])

    body = api(users["police"]).get(url(referral.pk)).json()

    assert (body["status"], body["status_display"]) == ("accepted", "Accepted")


def test_it_shows_the_extended_order_expiry(api, users, referral):
    new_expiry = referral.order_expires_on + dt.timedelta(days=15)
    services.referral_extend_order(
        referral=referral,
        by=users["police"],
        extended_on=dt.date.today(),
        new_expiry=new_expiry,
        obliges_programme=True,
    )

    body = api(users["police"]).get(url(referral.pk)).json()

    assert body["order_current_expiry"] == new_expiry.isoformat()


def test_it_shows_no_personal_or_clinical_data(api, users, case):
    content = api(users["police"]).get(url(case.referral_id)).content.decode()

    for value in ["Асанов", "Бакыт", "Айгуль", "996700987654", "Тайный", "Pushed", "Initial assessment", "stress"]:
        assert value not in content


def test_another_police_unit_gets_404(api, users, referral):
    response = api(users["other_police"]).get(url(referral.pk))

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_missing_referral_gets_the_same_404(api, users, referral):
    response = api(users["police"]).get(url(referral.pk + 1000))

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("role", ["psychologist", "social_worker", "manager", "monitoring", "monitoring_officer"])
def test_anyone_but_a_referring_body_gets_403(api, users, case_with_service, role):
    # Even the provider that holds the referral and the crisis centre on the case.
    response = api(users[role]).get(url(case_with_service.referral_id))

    assert response.status_code == 403
    assert response.json() == {"detail": "Only a referring body's officers may use this API."}


def test_the_crisis_centre_on_the_case_is_a_referrer_but_not_this_referrals(api, users, case_with_service):
    """A women's resource centre refers too; a referral it did not make is missing to it."""
    assert api(users["survivor_worker"]).get(url(case_with_service.referral_id)).status_code == 404


def test_it_requires_a_token(api, referral):
    response = api().get(url(referral.pk))

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_it_refuses_writes(api, users, referral):
    response = api(users["police"]).put(url(referral.pk), data={}, format="json")

    assert response.status_code == 405
    assert Referral.objects.get().status == "received"


def test_its_query_count_is_fixed(api, users, referral, django_assert_max_num_queries):
    client = api(users["police"])
    with django_assert_max_num_queries(6):
        assert client.get(url(referral.pk)).status_code == 200
