"""GET /api/v1/providers/: the programme providers a police system can refer to."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import Organisation
from tests import factories as f

URL = "/api/v1/providers/"


def test_the_url_is_named():
    assert reverse("api-provider-list") == URL


def test_it_lists_active_programme_providers_own_country_first(api, users, orgs):
    closed = f.make_org(Organisation.Kind.PROGRAMME_PROVIDER, name="Closed Room")
    closed.is_active = False
    closed.save()

    response = api(users["police"]).get(URL)

    assert response.status_code == 200
    assert response.json() == [
        {
            "id": orgs["provider"].pk,
            "name": "Bishkek Consultation Room",
            "country": "KG",
            "region": "Chuy",
            "languages": ["ru"],
        },
        {
            "id": orgs["other_provider"].pk,
            "name": "Khujand Consultation Room",
            "country": "TJ",
            "region": "Sughd",
            "languages": ["ru"],
        },
    ]


def test_it_filters_by_country(api, users, orgs):
    response = api(users["police"]).get(URL, {"country": "TJ"})

    assert [p["name"] for p in response.json()] == ["Khujand Consultation Room"]


def test_it_rejects_an_unknown_country(api, users, orgs):
    response = api(users["police"]).get(URL, {"country": "XX"})

    assert response.status_code == 400
    assert response.json() == {"country": ["Choose one of: KG, TJ, KZ, UZ, TM."]}


def test_its_query_count_does_not_grow_with_providers(api, users, orgs, django_assert_max_num_queries):
    client = api(users["police"])
    for _ in range(10):
        f.make_org(Organisation.Kind.PROGRAMME_PROVIDER)
    with django_assert_max_num_queries(5):
        assert len(client.get(URL).json()) == 12
