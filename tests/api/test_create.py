"""POST /api/v1/referrals/: a police information system enters a referral."""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid

import pytest
from django.db import connection
from django.urls import reverse

from core.models import TimelineEntry
from referrals import timeline as referrals_timeline
from referrals.api import nest_service_errors
from referrals.models import Person, Referral, Survivor
from tests.api.conftest import SURVIVOR_ADDRESS, SURVIVOR_NAME, SURVIVOR_PHONE, referral_body, survivor_body

URL = "/api/v1/referrals/"
RISK_FLAG_CODES = (
    "weapon, threat_to_kill, strangulation, earlier_orders, children_present, escalation, separation, "
    "pregnancy, sexual_violence, stalking, substance_abuse, order_breach"
)


def post(client, body, **headers):
    return client.post(URL, data=json.dumps(body), content_type="application/json", **headers)


def assert_nothing_saved():
    assert Referral.objects.count() == 0
    assert Person.objects.count() == 0
    assert Survivor.objects.count() == 0
    assert TimelineEntry.objects.count() == 0


def test_the_url_is_named():
    assert reverse("api-referral-create") == URL


def test_it_creates_a_referral(api, users, orgs):
    response = post(api(users["police"]), referral_body(orgs["provider"].pk, external_id="KG-PD-2025-000142"))

    assert response.status_code == 201
    referral = Referral.objects.get()
    body = response.json()
    assert set(body) == {"id", "reference", "status", "status_display", "created_at"}
    assert body["id"] == referral.pk
    assert body["reference"] == f"R-{referral.pk:05d}"
    assert body["status"] == "received"
    assert body["status_display"] == "Received"
    assert response["Location"] == f"/api/v1/referrals/{referral.pk}/"

    assert referral.referring_body == orgs["police"]
    assert referral.created_by == users["police"]
    assert referral.provider == orgs["provider"]
    assert referral.source == "police"
    assert referral.order_number == "PO-2025-0142"
    assert referral.order_expires_on == dt.date.today() + dt.timedelta(days=28)
    assert referral.order_obliges_programme is True
    assert referral.risk_flags == ["threat_to_kill", "weapon"]
    assert referral.external_id == "KG-PD-2025-000142"
    assert referral.submission_key is None
    assert referral.person.patronymic == "Маратович"
    assert referral.person.birth_date == dt.date(1985, 4, 12)
    survivor = referral.survivors.get()
    assert (survivor.given_name, survivor.phone, survivor.address) == (SURVIVOR_NAME, SURVIVOR_PHONE, SURVIVOR_ADDRESS)
    assert survivor.consents_to_contact is True
    assert list(referral.timeline.values_list("kind", flat=True)) == [referrals_timeline.REFERRAL_RECEIVED]


def test_the_answer_carries_no_personal_data(api, users, orgs):
    response = post(api(users["police"]), referral_body(orgs["provider"].pk))

    assert response.status_code == 201
    content = response.content.decode()
    for value in ["Асанов", "Бакыт", SURVIVOR_NAME, SURVIVOR_PHONE, "996700987654", "Тайный", "Примерная", "Pushed"]:
        assert value not in content


def test_survivor_data_is_encrypted_at_rest(api, users, orgs):
    post(api(users["police"]), referral_body(orgs["provider"].pk))

    with connection.cursor() as cursor:
        cursor.execute("SELECT family_name, given_name, phone, address FROM referrals_survivor")
        rows = cursor.fetchall()
    assert len(rows) == 1
    for stored in rows[0]:
        assert stored.startswith("fernet:")
    raw = " ".join(rows[0])
    for clear in [SURVIVOR_NAME, "Асанова", "996700987654", "Тайный"]:
        assert clear not in raw


def test_it_does_not_log_the_body(api, users, orgs, caplog):
    caplog.set_level(logging.DEBUG)
    body = referral_body(orgs["provider"].pk, survivors=[survivor_body(phone="12ab")])
    post(api(users["police"]), body)
    post(api(users["police"]), referral_body(orgs["provider"].pk))

    for value in [SURVIVOR_NAME, SURVIVOR_PHONE, "12ab", "Тайный", "Pushed and threatened"]:
        assert value not in caplog.text


# -- idempotency -------------------------------------------------------------


def test_a_repeat_with_the_same_idempotency_key_creates_nothing(api, users, orgs):
    client = api(users["police"])
    key = str(uuid.uuid4())
    first = post(client, referral_body(orgs["provider"].pk), HTTP_IDEMPOTENCY_KEY=key)
    second = post(client, referral_body(orgs["provider"].pk), HTTP_IDEMPOTENCY_KEY=key)

    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json() == first.json()
    assert Referral.objects.count() == 1
    assert Survivor.objects.count() == 1
    assert str(Referral.objects.get().submission_key) == key


def test_a_different_idempotency_key_is_a_new_referral(api, users, orgs):
    client = api(users["police"])
    first = post(client, referral_body(orgs["provider"].pk), HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    second = post(client, referral_body(orgs["provider"].pk), HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))

    assert (first.status_code, second.status_code) == (201, 201)
    assert Referral.objects.count() == 2


def test_a_repeat_with_the_same_external_id_creates_nothing(api, users, orgs):
    body = referral_body(orgs["provider"].pk, external_id="KG-PD-2025-000142")
    first = post(api(users["police"]), body)
    # Another officer of the same unit, the same police system reference.
    second = post(api(users["police2"]), body)

    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert Referral.objects.count() == 1


def test_another_units_external_id_does_not_collide(api, users, orgs):
    first = post(api(users["police"]), referral_body(orgs["provider"].pk, external_id="2025-1"))
    second = post(api(users["other_police"]), referral_body(orgs["other_provider"].pk, external_id="2025-1"))

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json()["id"] != first.json()["id"]


def test_it_rejects_an_idempotency_key_that_is_not_a_uuid(api, users, orgs):
    response = post(api(users["police"]), referral_body(orgs["provider"].pk), HTTP_IDEMPOTENCY_KEY="twice")

    assert response.status_code == 400
    assert response.json() == {"detail": "The Idempotency-Key header must be a UUID."}
    assert_nothing_saved()


# -- bad input: field-level errors, nothing saved ---------------------------


def test_it_rejects_expiry_before_issue(api, users, orgs):
    today = dt.date.today()
    body = referral_body(orgs["provider"].pk)
    body["order"].update(issued_on=today.isoformat(), expires_on=(today - dt.timedelta(days=1)).isoformat())

    response = post(api(users["police"]), body)

    assert response.status_code == 400
    assert response.json() == {"order": {"expires_on": ["The order cannot expire before it was issued."]}}
    assert_nothing_saved()


def test_it_rejects_future_birth_date(api, users, orgs):
    body = referral_body(orgs["provider"].pk)
    body["person"]["birth_date"] = (dt.date.today() + dt.timedelta(days=1)).isoformat()

    response = post(api(users["police"]), body)

    assert response.status_code == 400
    assert response.json() == {"person": {"birth_date": ["This date is in the future."]}}
    assert_nothing_saved()


def test_it_rejects_a_birth_date_that_is_not_a_date(api, users, orgs):
    body = referral_body(orgs["provider"].pk)
    body["person"]["birth_date"] = "12.04.1985"

    response = post(api(users["police"]), body)

    assert response.status_code == 400
    assert response.json() == {
        "person": {"birth_date": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]}
    }
    assert_nothing_saved()


def test_it_rejects_malformed_survivor_phone_at_its_index(api, users, orgs):
    body = referral_body(orgs["provider"].pk, survivors=[survivor_body(), survivor_body(phone="12ab")])

    response = post(api(users["police"]), body)

    assert response.status_code == 400
    assert response.json() == {"survivors": [{}, {"phone": ["Enter a valid phone number, e.g. +996 555 123 456."]}]}
    assert "12ab" not in response.content.decode()
    assert_nothing_saved()


def test_it_rejects_unknown_provider(api, users, orgs):
    response = post(api(users["police"]), referral_body(999_999))

    assert response.status_code == 400
    assert response.json() == {"provider": ["Choose a programme provider from the list."]}
    assert_nothing_saved()


@pytest.mark.parametrize("org", ["survivor_service", "police"])
def test_it_rejects_an_organisation_that_is_not_a_programme_provider(api, users, orgs, org):
    response = post(api(users["police"]), referral_body(orgs[org].pk))

    assert response.status_code == 400
    assert response.json() == {"provider": ["Choose a programme provider from the list."]}
    assert_nothing_saved()


def test_it_rejects_an_inactive_provider(api, users, orgs):
    orgs["provider"].is_active = False
    orgs["provider"].save()

    response = post(api(users["police"]), referral_body(orgs["provider"].pk))

    assert response.json() == {"provider": ["Choose a programme provider from the list."]}
    assert_nothing_saved()


def test_it_rejects_oversized_incident_text(api, users, orgs):
    body = referral_body(orgs["provider"].pk, incident_description="x" * 4001)

    response = post(api(users["police"]), body)

    assert response.status_code == 400
    assert response.json() == {"incident_description": ["Ensure this field has no more than 4000 characters."]}
    assert_nothing_saved()


def test_it_accepts_incident_text_at_the_limit(api, users, orgs):
    response = post(api(users["police"]), referral_body(orgs["provider"].pk, incident_description="x" * 4000))

    assert response.status_code == 201


def test_it_rejects_oversized_names_and_address(api, users, orgs):
    body = referral_body(orgs["provider"].pk, survivors=[survivor_body(family_name="я" * 101, address="a" * 501)])
    body["person"]["household"] = "h" * 1001

    response = post(api(users["police"]), body)

    assert response.status_code == 400
    assert response.json() == {
        "person": {"household": ["Ensure this field has no more than 1000 characters."]},
        "survivors": [
            {
                "family_name": ["Ensure this field has no more than 100 characters."],
                "address": ["Ensure this field has no more than 500 characters."],
            }
        ],
    }
    assert_nothing_saved()


def test_it_rejects_missing_survivors(api, users, orgs):
    body = referral_body(orgs["provider"].pk)
    del body["survivors"]

    response = post(api(users["police"]), body)

    assert response.status_code == 400
    assert response.json() == {"survivors": ["This field is required."]}
    assert_nothing_saved()


def test_it_rejects_a_missing_person_as_an_object_error(api, users, orgs):
    body = referral_body(orgs["provider"].pk)
    del body["person"]
    body["order"] = "PO-2025-0142"

    response = post(api(users["police"]), body)

    assert response.status_code == 400
    assert response.json() == {
        "person": {"non_field_errors": ["This field is required."]},
        "order": {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]},
    }
    assert_nothing_saved()


def test_it_rejects_a_survivor_that_is_not_an_object(api, users, orgs):
    response = post(api(users["police"]), referral_body(orgs["provider"].pk, survivors=[survivor_body(), "Айгуль"]))

    assert response.status_code == 400
    assert response.json() == {
        "survivors": [{}, {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]}]
    }
    assert_nothing_saved()


def test_it_rejects_an_empty_survivor_list(api, users, orgs):
    response = post(api(users["police"]), referral_body(orgs["provider"].pk, survivors=[]))

    assert response.status_code == 400
    assert response.json() == {"survivors": ["Enter at least one survivor."]}
    assert_nothing_saved()


def test_it_rejects_more_than_ten_survivors(api, users, orgs):
    response = post(api(users["police"]), referral_body(orgs["provider"].pk, survivors=[survivor_body()] * 11))

    assert response.status_code == 400
    assert response.json() == {"survivors": ["At most 10 survivors can be entered on one referral."]}
    assert_nothing_saved()


def test_it_rejects_an_invalid_risk_flag(api, users, orgs):
    body = referral_body(orgs["provider"].pk, risk_flags=["weapon", "drunk-neighbour"])

    response = post(api(users["police"]), body)

    assert response.status_code == 400
    assert response.json() == {"risk_flags": [f"Choose one of: {RISK_FLAG_CODES}."]}
    assert "drunk-neighbour" not in response.content.decode()
    assert_nothing_saved()


def test_it_rejects_a_wrong_choice_without_echoing_it(api, users, orgs):
    body = referral_body(orgs["provider"].pk, survivors=[survivor_body(relationship="Айгуль's husband")])
    body["person"]["sex"] = "m"

    response = post(api(users["police"]), body)

    assert response.status_code == 400
    assert response.json() == {
        "person": {"sex": ["Choose one of: male, female."]},
        "survivors": [{"relationship": ["Choose one of: partner, ex_partner, daughter_in_law, parent, child, other."]}],
    }
    assert "husband" not in response.content.decode()
    assert_nothing_saved()


def test_it_rejects_an_order_obligation_without_order_number(api, users, orgs):
    body = referral_body(orgs["provider"].pk)
    body["order"] = {"obliges_programme": True}

    response = post(api(users["police"]), body)

    assert response.status_code == 400
    assert response.json() == {
        "order": {"number": ["An obligation to attend a programme needs the protection order number."]}
    }
    assert_nothing_saved()


@pytest.mark.parametrize("order", ["absent", None])
def test_a_referral_without_protection_order_is_accepted(api, users, orgs, order):
    body = referral_body(orgs["provider"].pk, source="womens_centre")
    if order == "absent":
        del body["order"]
    else:
        body["order"] = order

    response = post(api(users["police"]), body)

    assert response.status_code == 201
    referral = Referral.objects.get()
    assert (referral.order_number, referral.order_expires_on, referral.order_obliges_programme) == ("", None, False)


def test_it_rejects_a_body_that_is_not_json(api, users):
    response = api(users["police"]).post(URL, data="family_name=Asanov", content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request body is not valid JSON (Expecting value: line 1 column 1 (char 0))."
    }
    assert_nothing_saved()


def test_it_rejects_truncated_json(api, users, orgs):
    text = json.dumps(referral_body(orgs["provider"].pk))[:-20]

    response = api(users["police"]).post(URL, data=text, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("The request body is not valid JSON (")
    assert "Тайный" not in response.content.decode()
    assert_nothing_saved()


def test_it_rejects_a_json_list(api, users, orgs):
    response = post(api(users["police"]), [referral_body(orgs["provider"].pk)])

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}
    assert_nothing_saved()


def test_it_rejects_a_form_encoded_body(api, users, orgs):
    response = api(users["police"]).post(URL, data={"provider": orgs["provider"].pk})

    assert response.status_code == 415
    assert response.json()["detail"].startswith('Unsupported media type "multipart/form-data')
    assert_nothing_saved()


def test_it_refuses_a_huge_body(api, users, orgs):
    body = referral_body(orgs["provider"].pk, incident_description="x" * 300_000)

    response = post(api(users["police"]), body)

    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is too large."}
    assert_nothing_saved()


# -- who may -----------------------------------------------------------------


@pytest.mark.parametrize("role", ["psychologist", "manager", "monitoring", "monitoring_officer"])
def test_it_refuses_anyone_but_a_referring_bodys_officers(api, users, orgs, role):
    response = post(api(users[role]), referral_body(orgs["provider"].pk))

    assert response.status_code == 403
    assert response.json() == {"detail": "Only a referring body's officers may use this API."}
    assert_nothing_saved()


def test_it_refuses_a_police_unit_administrator(api, orgs):
    """An administrator has no use for the API: the token itself is refused
    (tests/api/test_token_roles.py)."""
    from accounts.models import Role
    from tests import factories as f

    admin = f.make_user(orgs["police"], Role.ORG_ADMIN, "police_admin")

    response = post(api(admin), referral_body(orgs["provider"].pk))

    assert response.status_code == 401
    assert_nothing_saved()


def test_it_requires_a_token(api, orgs):
    response = post(api(), referral_body(orgs["provider"].pk))

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert response["WWW-Authenticate"] == "Token"
    assert_nothing_saved()


def test_it_refuses_an_unknown_token(api, orgs):
    client = api()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)

    response = post(client, referral_body(orgs["provider"].pk))

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}
    assert_nothing_saved()


def test_a_signed_in_session_is_not_enough(client, login, users, orgs):
    login(users["police"])

    response = client.post(URL, data=json.dumps(referral_body(orgs["provider"].pk)), content_type="application/json")

    assert response.status_code == 401
    assert_nothing_saved()


# -- the mapping of service errors ------------------------------------------


def test_service_errors_map_onto_the_request_shape():
    errors = nest_service_errors(
        {
            "__all__": ["General."],
            "provider": ["P."],
            "order_expires_on": ["E."],
            "person": ["Whole person."],
            "person.birth_date": ["B."],
            "survivors.2.phone": ["Ph."],
            "survivors.0": ["Whole survivor."],
            "referring_body": ["Unit."],
        },
        survivor_count=3,
    )

    assert errors == {
        "non_field_errors": ["General.", "Unit."],
        "provider": ["P."],
        "order": {"expires_on": ["E."]},
        "person": {"non_field_errors": ["Whole person."], "birth_date": ["B."]},
        "survivors": [{"non_field_errors": ["Whole survivor."]}, {}, {"phone": ["Ph."]}],
    }


ODD_BODIES = {
    "huge provider id": lambda b: b.update(provider=10**30),
    "provider as text": lambda b: b.update(provider="Bishkek Consultation Room"),
    "provider as object": lambda b: b.update(provider={"id": 1}),
    "person phone not a number": lambda b: b["person"].update(phone="call me"),
    "birth date before 1900": lambda b: b["person"].update(birth_date="1850-01-01"),
    "impossible date": lambda b: b["order"].update(issued_on="2025-02-30"),
    "huge child count": lambda b: b["survivors"][0].update(children_in_household=10**30),
    "negative child count": lambda b: b["survivors"][0].update(children_in_household=-1),
    "risk flags as text": lambda b: b.update(risk_flags="weapon"),
    "risk flag as object": lambda b: b.update(risk_flags=[{"code": "weapon"}]),
    "nul character": lambda b: b["person"].update(family_name="Asa\x00nov"),
    "null incident": lambda b: b.update(incident_description=None),
    "survivors as object": lambda b: b.update(survivors={"0": {}}),
    "long external id": lambda b: b.update(external_id="x" * 65),
}


@pytest.mark.parametrize("case", ODD_BODIES)
def test_odd_input_is_a_400_never_a_500(api, users, orgs, case):
    body = referral_body(orgs["provider"].pk)
    ODD_BODIES[case](body)

    response = post(api(users["police"]), body)

    assert response.status_code == 400, response.content
    assert response.json()
    assert_nothing_saved()


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("[" * 100_000 + "]" * 100_000, id="an array nested 100,000 deep"),
        pytest.param('{"a": ' * 5_000 + "1" + "}" * 5_000, id="an object nested 5,000 deep"),
    ],
)
def test_a_body_nested_past_what_python_parses_is_a_400(api, users, raw):
    response = api(users["police"]).post(URL, data=raw, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"detail": "The request body is not valid JSON (nested too deeply)."}
    assert_nothing_saved()
