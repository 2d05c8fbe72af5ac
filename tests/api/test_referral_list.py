"""GET /api/v1/referrals/ and /api/v1/referrals/{id}/history/: the referring
unit lists what it sent and follows each referral's course."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken
from core.timeline import timeline_add
from referrals import services
from referrals.models import Referral
from referrals.timeline import SCREENING_SAVED, STATUS_CHANGED
from tests import factories as f
from tests.api.conftest import SURVIVOR_NAME, SURVIVOR_PHONE

URL = "/api/v1/referrals/"


def history_url(pk: int) -> str:
    return f"/api/v1/referrals/{pk}/history/"


@pytest.fixture
def sent(users, orgs):
    """Three referrals of the police unit (one by each officer, one declined)
    and one of another unit."""
    first = f.make_referral(police=users["police"], provider=orgs["provider"])
    second = f.make_referral(police=users["police2"], provider=orgs["provider"])
    third = f.make_referral(police=users["police"], provider=orgs["provider"])
    services.referral_decline(referral=third, by=users["psychologist"], reason="other", explanation="Out of area.")
    other = f.make_referral(police=users["other_police"], provider=orgs["other_provider"])
    return {"first": first, "second": second, "third": third, "other": other}


def _ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


def test_the_urls_are_named(referral):
    assert reverse("api-referral-create") == URL
    assert reverse("api-referral-history", kwargs={"id": referral.pk}) == history_url(referral.pk)


def test_it_lists_the_units_referrals_oldest_first(api, users, sent):
    response = api(users["police2"]).get(URL)

    assert response.status_code == 200
    body = response.json()
    assert _ids(response) == [sent["first"].pk, sent["second"].pk, sent["third"].pk]
    assert body["next"] is None and body["previous"] is None
    row = body["results"][2]
    assert set(row) == {
        "id",
        "reference",
        "status",
        "status_display",
        "status_changed_at",
        "decline_reason",
        "decline_explanation",
        "provider",
        "order_current_expiry",
        "source",
        "external_id",
        "created_at",
    }
    assert row["status"] == "declined" and row["decline_reason"] == "other"
    assert row["source"] == "police"
    assert dt.datetime.fromisoformat(row["created_at"]) == sent["third"].created_at


def test_it_carries_no_personal_data(api, users, sent):
    text = api(users["police"]).get(URL).content.decode()
    for secret in (SURVIVOR_NAME, SURVIVOR_PHONE, "Асанов", "Бакыт", "+996555123456", "Примерная"):
        assert secret not in text
    for pk in (sent["first"].pk, sent["third"].pk):
        assert secret not in api(users["police"]).get(history_url(pk)).content.decode()


def test_another_unit_sees_only_its_own(api, users, sent):
    assert _ids(api(users["other_police"]).get(URL)) == [sent["other"].pk]


def test_it_filters_by_status(api, users, sent):
    assert _ids(api(users["police"]).get(URL, {"status": "declined"})) == [sent["third"].pk]
    assert _ids(api(users["police"]).get(URL, {"status": "received"})) == [sent["first"].pk, sent["second"].pk]


def test_it_filters_by_dates(api, users, sent):
    day = dt.timedelta(days=1)
    now = timezone.now()
    Referral.objects.filter(pk=sent["first"].pk).update(created_at=now - 10 * day)
    Referral.objects.filter(pk=sent["second"].pk).update(created_at=now - 5 * day)
    client = api(users["police"])

    after = client.get(URL, {"created_after": (now - 6 * day).isoformat()})
    before = client.get(URL, {"created_before": (now - 5 * day).isoformat()})
    both = client.get(
        URL, {"created_after": (now - 11 * day).date().isoformat(), "created_before": (now - day).isoformat()}
    )

    assert _ids(after) == [sent["second"].pk, sent["third"].pk]
    assert _ids(before) == [sent["first"].pk]
    assert _ids(both) == [sent["first"].pk, sent["second"].pk]


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        (
            {"status": "lost<script>"},
            {"status": ["Choose one of: received, screening, accepted, declined, enrolled, completed, dropped_out."]},
        ),
        ({"created_after": "yesterday"}, {"created_after": ["Enter a valid date/time."]}),
        ({"created_before": "2025-13-45"}, {"created_before": ["Enter a valid date/time."]}),
        (
            {"created_after": "2025-05-02T00:00:00Z", "created_before": "2025-05-01T00:00:00Z"},
            {"created_before": ["Give a moment later than created_after."]},
        ),
    ],
)
def test_a_bad_filter_is_a_400_naming_the_parameter(api, users, sent, params, errors):
    response = api(users["police"]).get(URL, params)
    assert response.status_code == 400
    assert response.json() == errors
    assert "script" not in response.content.decode()


def test_it_pages_with_a_cursor(api, users, orgs, sent):
    more = [f.make_referral(police=users["police"], provider=orgs["provider"]).pk for _ in range(2)]
    client = api(users["police"])

    seen, url, pages = [], URL + "?page_size=2", 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += _ids(response)
        url = response.json()["next"]
        pages += 1

    assert pages == 3
    assert seen == [sent["first"].pk, sent["second"].pk, sent["third"].pk, *more]


def test_a_bad_cursor_is_a_404(api, users, sent):
    response = api(users["police"]).get(URL, {"cursor": "not-a-cursor"})
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid cursor"}


@pytest.mark.parametrize("role", ["psychologist", "manager", "monitoring", "monitoring_officer"])
def test_other_roles_get_403(api, users, sent, role):
    for url in (URL, history_url(sent["first"].pk)):
        response = api(users[role]).get(url)
        assert response.status_code == 403
        assert response.json() == {"detail": "Only a referring body's officers may use this API."}


def test_no_token_is_a_401(api, sent):
    assert api().get(URL).status_code == 401
    assert api().get(history_url(sent["first"].pk)).status_code == 401


@pytest.mark.parametrize("how", ["revoked", "expired"])
def test_a_revoked_or_expired_token_is_a_401(api, users, sent, how):
    client = api(users["police"])
    assert client.get(URL).status_code == 200
    change = {"revoked_at": timezone.now()} if how == "revoked" else {"expires_at": timezone.now()}
    ApiToken.objects.filter(user=users["police"]).update(**change)
    for url in (URL, history_url(sent["first"].pk)):
        response = client.get(url)
        assert response.status_code == 401
        assert response.json() == {"detail": "Invalid token."}


# -- history -------------------------------------------------------------------


def test_history_shows_the_referrals_course(api, users, orgs, sent):
    referral = f.accept(sent["first"], users["psychologist"])
    client = api(users["police2"])
    before = client.get(history_url(referral.pk)).json()["entries"]
    timeline_add(referral=referral, by=users["psychologist"], kind=SCREENING_SAVED)
    timeline_add(referral=referral, by=users["psychologist"], kind=STATUS_CHANGED, survivor_side=True)

    response = client.get(history_url(referral.pk))

    assert response.status_code == 200
    body = response.json()
    assert body["referral"] == referral.pk and body["reference"] == referral.reference
    assert body["status"] == "accepted"
    kinds = [entry["kind"] for entry in body["entries"]]
    assert kinds[0] == "referral_received" and kinds[-1] == "accepted"
    assert "screening_saved" not in kinds
    assert body["entries"] == before
    first = body["entries"][0]
    assert set(first) == {"at", "kind", "label", "detail", "organisation"}
    assert first["label"] == "Referral received"
    assert first["organisation"] == {"id": orgs["police"].pk, "name": orgs["police"].name}
    assert "not for police" not in json.dumps(body)


def test_history_labels_follow_the_requests_language(api, users, sent):
    response = api(users["police"]).get(history_url(sent["first"].pk), HTTP_ACCEPT_LANGUAGE="ru")
    assert response.json()["entries"][0]["label"] == "Направление получено"


def test_history_of_another_units_referral_is_a_404(api, users, sent):
    response = api(users["police"]).get(history_url(sent["other"].pk))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert api(users["police"]).get(history_url(999999)).status_code == 404
