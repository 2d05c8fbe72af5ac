"""Self-referrals (seed 001: "people refer themselves"): a person who comes to
a programme on their own is entered by the provider's staff, with no
protection order; the provider is both the referring body and the receiving
provider, and the referral goes to screening like any other. Only a
provider's staff record one; the police and the other referring bodies
cannot file a "self" referral, on the web or through the API."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from referrals import services
from referrals.models import Referral
from tests import factories as f
from tests.api.conftest import referral_body
from tests.referrals.test_views_police import CREATE, create_post

pytestmark = pytest.mark.django_db

SELF = reverse("referrals:self_create")
ORDER_KEYS = ("source", "order_number", "order_issuing_authority", "order_issued_on", "order_expires_on")


def self_post(**overrides) -> dict:
    """What the browser sends for a self-referral: the referral form
    without provider, source or order."""
    data = create_post(SimpleNamespace(pk=0), **dict.fromkeys(ORDER_KEYS), order_obliges_programme=None)
    del data["provider"]
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _self_referral(by, **overrides) -> tuple[Referral, bool]:
    arguments = {
        "by": by,
        "provider": None,
        "source": "self",
        "person": f.person_data(),
        "survivors": [f.survivor_data()],
        "order": {},
        "incident_description": "Came on his own after shouting at his wife.",
    }
    arguments.update(overrides)
    return services.referral_create(**arguments)


# --- the page -----------------------------------------------------------------------


def test_the_page_asks_no_provider_source_or_order(client, login, users):
    login(users["psychologist"])
    page = client.get(SELF).content.decode()

    assert "New self-referral" in page
    for name in ("provider", "source", "order_number", "order_expires_on", "court_decision_number"):
        assert f'name="{name}"' not in page
    assert 'name="person-family_name"' in page and 'name="incident_description"' in page


def test_a_psychologist_records_a_self_referral_which_goes_to_screening(client, login, users, orgs):
    login(users["psychologist"])
    response = client.post(SELF, self_post(), follow=True)

    referral = Referral.objects.get()
    assert response.redirect_chain[-1][0] == reverse("referrals:screen", args=[referral.pk])
    assert (referral.source, referral.referring_body, referral.provider, referral.status) == (
        "self",
        orgs["provider"],
        orgs["provider"],
        Referral.Status.RECEIVED,
    )
    assert (referral.order_number, referral.order_obliges_programme, referral.court_decision_number) == ("", False, "")
    assert f"Self-referral {referral.reference} has been recorded." in response.content.decode()
    assert referral.timeline.filter(kind="referral_received").count() == 1
    incoming = client.get(reverse("referrals:incoming")).context["page"].object_list
    assert [r.pk for r in incoming] == [referral.pk]


def test_the_self_referral_is_screened_and_accepted_like_any_other(users, orgs):
    referral, _created = _self_referral(users["social_worker"])
    accepted = f.accept(referral, users["manager"])
    assert accepted.status == Referral.Status.ACCEPTED


def test_a_missing_field_is_named_and_what_was_typed_stays(client, login, users):
    login(users["manager"])
    response = client.post(SELF, self_post(**{"person-family_name": "", "incident_description": "Came himself."}))

    assert response.status_code == 200
    assert response.context["person_form"].errors["family_name"] == ["This field is required."]
    page = response.content.decode()
    assert "Came himself." in page and "Нурлан" in page
    assert not Referral.objects.exists()


def test_the_incoming_page_offers_it_to_provider_staff(client, login, users):
    login(users["psychologist"])
    assert f'href="{SELF}"' in client.get(reverse("referrals:incoming")).content.decode()


# --- who may ------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["police", "judge", "child_protection", "survivor_worker", "provider_admin"])
def test_nobody_but_provider_staff_opens_the_page(client, login, users, user):
    login(users[user])
    assert client.get(SELF).status_code == 403
    assert client.post(SELF, self_post()).status_code == 403
    assert not Referral.objects.exists()


def test_the_service_refuses_anyone_but_provider_staff(users):
    for user in ("provider_admin", "monitoring", "probation_officer"):
        with pytest.raises(PermissionDenied):
            _self_referral(users[user])
    assert not Referral.objects.exists()


def test_a_self_referral_goes_to_the_staffs_own_provider_only(users, orgs):
    with pytest.raises(ValidationError) as error:
        _self_referral(users["psychologist"], provider=orgs["other_provider"])
    assert error.value.message_dict["provider"] == ["A self-referral goes to your own programme."]
    referral, _created = _self_referral(users["psychologist"], provider=orgs["provider"])
    assert (referral.source, referral.provider, referral.referring_body) == ("self", orgs["provider"], orgs["provider"])
    with pytest.raises(PermissionDenied, match="Only a referring body's officers enter referrals."):
        _self_referral(users["psychologist"], source="police")


def test_a_self_referral_carries_no_order_or_court_decision(users):
    order = {**f.order_data(), "court_decision_number": "5-1/2026"}
    with pytest.raises(ValidationError) as error:
        _self_referral(users["psychologist"], order=order)

    message = ["A self-referral has no protection order or court decision."]
    errors = error.value.message_dict
    for field in ("order_number", "order_issued_on", "order_expires_on", "order_obliges_programme"):
        assert errors[field] == message
    assert errors["court_decision_number"] == message
    assert not Referral.objects.exists()


def test_the_police_cannot_file_a_self_referral(client, login, users, orgs):
    login(users["police"])
    page = client.get(CREATE).content.decode()
    assert 'value="self"' not in page

    response = client.post(CREATE, create_post(orgs["provider"], source="self"))
    assert response.status_code == 200
    assert response.context["form"].errors["source"] == [
        "Select a valid choice. self is not one of the available choices."
    ]
    with pytest.raises(ValidationError) as error:
        f.make_referral(police=users["police"], provider=orgs["provider"], source="self")
    assert error.value.message_dict["source"] == [
        "A self-referral is recorded by the programme provider the person came to."
    ]
    assert not Referral.objects.exists()


def test_the_api_refuses_a_self_referral_from_a_referring_body_and_stays_read_only_for_providers(api, users, orgs):
    url = reverse("api-referral-create")
    body = json.dumps(referral_body(orgs["provider"].pk, source="self"))

    response = api(users["police"]).post(url, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["source"] == ["A self-referral is recorded by the programme provider the person came to."]
    assert api(users["psychologist"]).post(url, data=body, content_type="application/json").status_code == 403
    assert not Referral.objects.exists()


def test_the_provider_is_never_told_as_a_referring_body_of_its_own_self_referral(users, orgs):
    from django.db import transaction

    from casework.services import survivor_service_refer
    from notifications.services import safety_event_record

    referral, _created = _self_referral(users["psychologist"])
    case = f.open_case(referral, users["psychologist"])
    survivor_service_refer(case=case, organisation=orgs["survivor_service"], by=users["social_worker"])
    told = {}
    for kind in ("completion", "non_compliance", "dropout"):
        with transaction.atomic():
            event = safety_event_record(kind=kind, case=case, facts={}, dedupe_key=f"{kind}:self-test")
        told[kind] = sorted((n.organisation.name, n.role_hint) for n in event.notices.all())

    assert told == {
        "completion": [(orgs["survivor_service"].name, "survivor_service")],
        "non_compliance": [],
        "dropout": sorted([(orgs["survivor_service"].name, "survivor_service"), (orgs["provider"].name, "provider")]),
    }
