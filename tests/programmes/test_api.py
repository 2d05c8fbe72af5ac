"""GET /api/v1/programme-templates/: the programme templates as JSON."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from accounts.models import User
from accounts.services import totp_device_create
from programmes import services
from programmes.models import ProgrammeTemplate
from tests import factories as f

URL = "/api/v1/programme-templates/"
FIELDS = {
    "id",
    "code",
    "version",
    "name",
    "country",
    "status",
    "shipped",
    "mandatory",
    "sex",
    "individual_sessions",
    "group_sessions",
    "span_weeks",
    "hours_required",
    "planned_hours",
    "facilitation",
    "required_qualification",
}


def test_the_url_is_named():
    assert reverse("api-programme-templates") == URL


def test_a_template_has_the_documented_fields(api, users):
    response = api(users["police"]).get(URL, {"country": "KG"})

    assert response.status_code == 200
    ayalzat = next(t for t in response.json() if t["code"] == "kg-ayalzat-mandatory")
    assert ayalzat == {
        "id": f.shipped_template("kg-ayalzat-mandatory").pk,
        "code": "kg-ayalzat-mandatory",
        "version": 1,
        "name": "Ayalzat crisis centre, mandatory (16 hours in one month)",
        "country": "KG",
        "status": "active",
        "shipped": True,
        "mandatory": True,
        "sex": "male",
        "individual_sessions": 2,
        "group_sessions": 7,
        "span_weeks": 4,
        "hours_required": 16.0,
        "planned_hours": 16.0,
        "facilitation": "pair",
        "required_qualification": "kg_annex3",
    }


def test_a_template_says_who_leads_its_groups_and_the_qualification_they_need(api, users):
    body = {t["code"]: t for t in api(users["police"]).get(URL, {"country": "KG"}).json()}

    assert (body["kg-chance-women"]["facilitation"], body["kg-chance-women"]["required_qualification"]) == (
        "woman",
        "kg_annex3",
    )
    assert body["kg-chance-voluntary-men"]["facilitation"] == "man"
    assert body["kg-annex3-voluntary-men"]["facilitation"] == "pair"
    ProgrammeTemplate.objects.filter(code="kg-annex3-voluntary-men").update(required_qualification="")
    again = {t["code"]: t for t in api(users["police"]).get(URL, {"country": "KG"}).json()}
    assert again["kg-annex3-voluntary-men"]["required_qualification"] is None


def test_a_provider_sees_its_own_templates_first_and_every_shipped_one(api, users, orgs, men):
    own = services.template_copy(template=men, provider=orgs["provider"], by=users["manager"])
    services.template_copy(template=men, provider=orgs["other_provider"], by=users["other_psychologist"])

    body = api(users["psychologist"]).get(URL).json()

    assert body[0]["code"] == own.code and body[0]["shipped"] is False
    assert all(t["shipped"] for t in body[1:])
    assert len(body) == 1 + ProgrammeTemplate.objects.filter(provider=None).count()
    assert {t["country"] for t in body} == {"KG", "TJ", "KZ", "UZ", "TM"}


def test_only_current_versions_are_listed(api, users, orgs, men, new_case, group_of, enrol):
    own = services.template_copy(template=men, provider=orgs["provider"], by=users["manager"])
    enrol(new_case(), own, group_of(own))
    services.template_update(template=own, by=users["manager"], name="Bishkek men v2")

    body = api(users["manager"]).get(URL).json()

    assert [(t["code"], t["version"], t["name"]) for t in body if t["code"] == own.code] == [
        (own.code, 2, "Bishkek men v2")
    ]


def test_the_country_filter_keeps_own_templates(api, users, orgs, men):
    own = services.template_copy(template=men, provider=orgs["provider"], by=users["manager"])

    body = api(users["psychologist"]).get(URL, {"country": "TM"}).json()

    assert [(t["code"], t["status"]) for t in body] == [(own.code, "active"), ("tm-pilot", "draft")]


def test_other_organisations_see_the_shipped_templates_only(api, users, orgs, men):
    services.template_copy(template=men, provider=orgs["provider"], by=users["manager"])

    body = api(users["survivor_worker"]).get(URL).json()

    assert all(t["shipped"] for t in body)
    assert len(body) == ProgrammeTemplate.objects.filter(provider=None).count()


def test_it_rejects_an_unknown_country(api, users):
    response = api(users["monitoring"]).get(URL, {"country": "XX"})

    assert response.status_code == 400
    assert response.json() == {"country": ["Choose one of: KG, TJ, KZ, UZ, TM."]}


def test_a_user_without_organisation_is_refused(api, db):
    loner = User.objects.create_user(username="loner", password="x")
    totp_device_create(user=loner, name="authenticator", confirmed=True)
    response = api(loner).get(URL)
    assert response.status_code == 401
    assert response.json() == {
        "detail": "The holder of this token has a role with no use for the API, so the token is refused."
        " Ask your organisation's administrator which member's token your system should use."
    }


def test_it_is_read_only(api, users):
    assert api(users["manager"]).post(URL, {}, format="json").status_code == 405


def test_its_query_count_does_not_grow_with_templates(api, users, orgs, men, django_assert_max_num_queries):
    client = api(users["manager"])
    with django_assert_max_num_queries(8) as few:
        client.get(URL)
    for _ in range(5):
        services.template_copy(template=men, provider=orgs["provider"], by=users["manager"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(URL).json()
    assert sum(not t["shipped"] for t in body) == 5


def test_it_is_in_the_openapi_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    get = schema["paths"][URL]["get"]
    assert set(schema["paths"][URL]) == {"get"}
    assert get["operationId"] == "programme_template_list"
    assert set(get["responses"]) == {"200", "400", "401", "403"}
    assert [p["name"] for p in get["parameters"]] == ["Accept-Language", "country"]
    assert get["security"] == [{"tokenAuth": []}]
    properties = schema["components"]["schemas"]["ProgrammeTemplate"]["properties"]
    assert set(properties) == FIELDS
    assert properties["sex"]["allOf"][0]["enum"] == ["male", "female", "any"]
    assert properties["facilitation"]["allOf"][0]["enum"] == ["pair", "woman", "man"]
    assert properties["required_qualification"]["allOf"][0]["enum"] == [
        "tj_consultation_room",
        "kg_annex3",
        "kz_alternative",
        "uz_correctional",
        "other",
    ]
    assert properties["required_qualification"]["nullable"] is True
    # The referral API's enum components keep their names.
    assert {"SexEnum", "StatusEnum"} <= set(schema["components"]["schemas"])
