"""The OpenAPI schema at /api/schema/ describes the referral API correctly."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

from tests.conftest import sign_in


@pytest.fixture
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_the_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"

    # --fail-on-warn raises on any warning or error; --validate checks it against the OpenAPI spec.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    paths = yaml.safe_load(target.read_text())["paths"]
    assert "post" in paths["/api/v1/referrals/"]
    assert "get" in paths["/api/v1/referrals/{id}/"]


def test_it_documents_the_referral_endpoints(schema):
    paths = schema["paths"]
    assert set(paths["/api/v1/referrals/"]) == {"get", "post"}
    assert set(paths["/api/v1/referrals/{id}/"]) == {"get"}
    assert set(paths["/api/v1/referrals/{id}/history/"]) == {"get"}
    assert set(paths["/api/v1/providers/"]) == {"get"}


def test_it_documents_the_create_request_responses_and_header(schema):
    post = schema["paths"]["/api/v1/referrals/"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ReferralCreateRequest"
    }
    assert post["requestBody"]["required"] is True
    assert set(post["responses"]) == {"200", "201", "400", "401", "403", "413"}
    assert post["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ReferralCreated"
    }
    assert post["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ReferralErrors"
    }
    headers = {p["name"]: p for p in post["parameters"] if p["in"] == "header"}
    # Accept-Language is on every operation (tests/api/test_language.py).
    assert set(headers) == {"Idempotency-Key", "Accept-Language"}
    header = headers["Idempotency-Key"]
    assert header["schema"] == {"type": "string", "format": "uuid"}
    assert header.get("required", False) is False
    assert post["security"] == [{"tokenAuth": []}]


def test_it_documents_the_request_body(schema):
    request = schema["components"]["schemas"]["ReferralCreateRequest"]
    # The source is the referring body's own; only a police unit names one (default police).
    assert set(request["required"]) == {"provider", "person", "survivors", "incident_description"}
    assert set(request["properties"]) >= {"source", "court_decision_number", "court_decision_date"}
    assert request["properties"]["incident_description"]["maxLength"] == 4000
    assert request["properties"]["survivors"]["maxItems"] == 10
    person = schema["components"]["schemas"]["PersonRequest"]["properties"]
    assert person["household"]["maxLength"] == 1000
    assert person["address"]["maxLength"] == 500
    assert person["birth_date"] == {"type": "string", "format": "date"}


def test_the_answers_carry_no_personal_fields(schema):
    components = schema["components"]["schemas"]
    assert set(components["ReferralCreated"]["properties"]) == {
        "id",
        "reference",
        "status",
        "status_display",
        "created_at",
    }
    assert set(components["ReferralStatus"]["properties"]) == {
        "id",
        "reference",
        "status",
        "status_display",
        "status_changed_at",
        "decline_reason",
        "decline_explanation",
        "provider",
        "order_current_expiry",
    }


def test_it_documents_the_nested_error_shape(schema):
    errors = schema["components"]["schemas"]["ReferralErrors"]["properties"]
    assert errors["person"] == {"$ref": "#/components/schemas/PersonErrors"}
    assert errors["order"] == {"$ref": "#/components/schemas/OrderErrors"}
    per_survivor = errors["survivors"]["oneOf"][1]["items"]["properties"]
    assert per_survivor["phone"] == {"type": "array", "items": {"type": "string"}}
    assert {"detail", "non_field_errors", "provider", "incident_description", "risk_flags"} <= set(errors)


def test_the_detail_answers_404_for_outsiders(schema):
    get = schema["paths"]["/api/v1/referrals/{id}/"]["get"]
    assert set(get["responses"]) == {"200", "401", "403", "404"}
    [parameter] = [p for p in get["parameters"] if p["in"] == "path"]
    assert parameter["name"] == "id"
    assert parameter["schema"] == {"type": "integer"}


def test_the_schema_is_served_to_a_token(api, users):
    response = api(users["police"]).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    assert "/api/v1/referrals/{id}/" in response.json()["paths"]


def test_the_schema_is_served_to_a_verified_session(client, users, login):
    login(users["psychologist"])
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    assert "/api/v1/referrals/" in response.json()["paths"]


def test_it_rejects_anonymous_users(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 401
    assert "paths" not in response.json()


def test_it_rejects_a_session_without_the_second_factor(client, users):
    sign_in(client, users["psychologist"])
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code in {401, 403}
    assert "paths" not in response.json()


def test_it_rejects_a_wrong_token(api):
    client = api()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get("/api/schema/")

    assert response.status_code == 401
