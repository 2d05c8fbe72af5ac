"""The monitoring overview: aggregate counts only, small cells hidden."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation
from core.selectors import HIDDEN, SMALL, referral_counts, suppress
from referrals.models import Referral
from tests import factories as f

URL = "/overview/"


def _table(response, index):
    table = response.context["tables"][index]
    return {str(row.label): row.shown for row in table.rows}, table.total


@pytest.fixture
def seven(users, orgs):
    """Five police and two court referrals to our provider."""
    made = [f.make_referral(police=users["police"], provider=orgs["provider"]) for _ in range(5)]
    made += [f.make_referral(police=users["police"], provider=orgs["provider"], source="court") for _ in range(2)]
    return made


def test_the_url():
    assert reverse("core:overview") == URL


def test_it_counts_by_status_and_source_with_small_cells_hidden(client, users, login, seven):
    login(users["monitoring"])
    response = client.get(URL)
    assert response.status_code == 200
    by_status, total = _table(response, 0)
    assert by_status["Received"] == "7"
    assert by_status["Accepted"] == SMALL
    assert by_status["Dropped out"] == SMALL
    assert total == "7"
    by_source, total = _table(response, 1)
    assert by_source["Police"] == "5"
    assert by_source["Court"] == SMALL
    assert by_source["Self-referral"] == SMALL
    assert total == "7"
    assert "&lt;5" in response.content.decode()


def test_it_shows_no_name_or_contact(client, users, login, seven):
    login(users["monitoring"])
    content = client.get(URL).content.decode()
    referral = seven[0]
    survivor = referral.survivors.get()
    for secret in (
        referral.person.family_name,
        referral.person.given_name,
        "Асанов",
        survivor.family_name,
        survivor.given_name,
        survivor.phone,
        "+996555123456",
        referral.reference,
        users["police"].username,
    ):
        assert secret not in content, secret


def test_a_small_total_is_hidden_too(client, users, login, orgs):
    for _ in range(3):
        f.make_referral(police=users["police"], provider=orgs["provider"])
    login(users["monitoring"])
    response = client.get(URL)
    by_status, total = _table(response, 0)
    assert by_status["Received"] == SMALL
    assert total == SMALL
    assert ">3<" not in response.content.decode()


def test_a_monitoring_body_counts_only_its_own_country(client, users, login, orgs, seven):
    for _ in range(5):
        f.make_referral(police=users["other_police"], provider=orgs["other_provider"])
    login(users["monitoring"])
    _by_status, total = _table(client.get(URL), 0)
    assert total == "7"


def test_a_programme_manager_counts_only_their_own_provider(client, users, login, orgs, seven):
    elsewhere = f.make_org(Organisation.Kind.PROGRAMME_PROVIDER, name="Osh Consultation Room")
    for _ in range(6):
        f.make_referral(police=users["police"], provider=elsewhere)
    login(users["manager"])
    response = client.get(URL)
    assert response.status_code == 200
    _by_status, total = _table(response, 0)
    assert total == "7"
    login(users["monitoring"])
    _by_status, total = _table(client.get(URL), 0)
    assert total == "13"


@pytest.mark.parametrize(
    "role", ["police", "psychologist", "social_worker", "survivor_worker", "provider_admin", "other_psychologist"]
)
def test_other_roles_are_refused(client, users, login, role):
    login(users[role])
    assert client.get(URL).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response["Location"] == f"/accounts/login/?next={URL}"


def test_the_period_filters_by_date_received(client, users, login, seven):
    old = seven[:2]
    Referral.objects.filter(pk__in=[r.pk for r in old]).update(created_at=timezone.now() - dt.timedelta(days=40))
    today = timezone.localdate()
    login(users["monitoring"])
    response = client.get(URL, {"date_from": (today - dt.timedelta(days=7)).isoformat()})
    assert _table(response, 0)[1] == "5"
    response = client.get(URL, {"date_to": (today - dt.timedelta(days=30)).isoformat()})
    assert _table(response, 0)[1] == SMALL
    response = client.get(URL, {"date_from": (today - dt.timedelta(days=60)).isoformat(), "date_to": today.isoformat()})
    assert _table(response, 0)[1] == "7"


def test_it_rejects_a_period_that_ends_before_it_starts(client, users, login, seven):
    login(users["monitoring"])
    response = client.get(URL, {"date_from": "2025-03-10", "date_to": "2025-03-01"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {"date_to": ["The end of the period is before its start."]}
    assert response.context["tables"] is None
    content = response.content.decode()
    assert 'value="2025-03-10"' in content and 'value="2025-03-01"' in content


def test_it_rejects_a_start_in_the_future_and_a_malformed_date(client, users, login):
    login(users["monitoring"])
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    response = client.get(URL, {"date_from": future, "date_to": "not a date"})
    assert response.context["form"].errors == {
        "date_from": ["The period cannot start in the future."],
        "date_to": ["Enter a valid date."],
    }


def test_the_counts_are_one_query(users, orgs, seven, django_assert_num_queries):
    from accounts.scope import Scope

    scope = Scope.for_user(users["monitoring"])
    with django_assert_num_queries(1):
        rows = referral_counts(scope)
    assert sorted((r["status"], r["source"], r["n"]) for r in rows) == [
        ("received", "court", 2),
        ("received", "police", 5),
    ]


def test_the_page_query_count_does_not_grow_with_referrals(client, users, login, orgs, django_assert_max_num_queries):
    login(users["monitoring"])
    f.make_referral(police=users["police"], provider=orgs["provider"])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for _ in range(6):
        f.make_referral(police=users["police"], provider=orgs["provider"], source="self")
    with CaptureQueriesContext(connection) as more:
        client.get(URL)
    assert len(more) == len(few)


@pytest.mark.parametrize(
    ("counts", "shown", "total"),
    [
        ({"a": 10, "b": 7}, {"a": "10", "b": "7"}, "17"),
        ({"a": 3, "b": 1}, {"a": SMALL, "b": SMALL}, SMALL),
        # A single hidden cell could be worked out from the total: hide the smallest visible one too.
        ({"a": 10, "b": 6, "c": 2}, {"a": "10", "b": HIDDEN, "c": SMALL}, "18"),
        # A single hidden zero reveals nobody.
        ({"a": 10, "b": 6, "c": 0}, {"a": "10", "b": "6", "c": SMALL}, "16"),
        # Two hidden cells that must both be 4.
        ({"a": 10, "b": 4, "c": 4}, {"a": HIDDEN, "b": SMALL, "c": SMALL}, "18"),
        # Two hidden cells that could be split several ways stay as they are.
        ({"a": 10, "b": 3, "c": 1}, {"a": "10", "b": SMALL, "c": SMALL}, "14"),
    ],
)
def test_suppression(counts, shown, total):
    assert suppress(counts) == (shown, total)
