"""Every text input refuses a control character with a message on the field:
every form's text fields and every serializer's, through one validator
(core.validators, installed by core.apps). Tab, line breaks and the letters
of every language the programme works in pass untouched."""

from __future__ import annotations

import json

import pytest
from django import forms
from django.urls import reverse
from rest_framework import serializers

from casework.models import IntakeInterview, SafetyPlan
from core.validators import no_control_characters
from notifications.models import Notice
from outcomes.forms import MeetingForm
from programmes.models import Attendance
from referrals.models import Referral
from tests.api.conftest import referral_body
from tests.casework.conftest import accepted_referral  # noqa: F401 - a fixture
from tests.casework.test_views_intake import _post_data as intake_post
from tests.casework.test_views_intake import _url as intake_url
from tests.casework.test_views_safety_plan import _form_data as plan_post
from tests.casework.test_views_safety_plan import _url as plan_url
from tests.core.test_dates import _our_forms
from tests.notifications.test_views import ack_url, dropout, service_notice  # noqa: F401 - fixtures
from tests.programmes.test_views_sessions_log import roster_post, three  # noqa: F401 - a fixture
from tests.programmes.test_views_sessions_log import url as roster_url
from tests.referrals.test_views_police import create_post

# Kyrgyz, Tajik, Uzbek (Cyrillic and Latin with its ʻ) and Russian, with a tab and line breaks.
LETTERS = "Өмүрбек Ңаңы\tҲалимов Ӯрунбой\r\nҒафур Қодирӣ\nOʻgʻiloy Gʻofurova, Ёлка"
BAD = {
    "NUL": "\x00",
    "bell": "\x07",
    "escape": "\x1b",
    "delete": "\x7f",
    "C1 next line": "\x85",
    "C1 CSI": "\x9b",
    "line separator": "\u2028",
    "paragraph separator": "\u2029",
}


def _message(position: int) -> str:
    return f"Remove the control character at position {position}."


def test_every_text_field_of_every_form_has_the_check():
    checked, wrong = 0, []
    for form_class in _our_forms():
        for name, field in form_class.base_fields.items():
            if isinstance(field, forms.CharField):
                checked += 1
                if no_control_characters not in field.validators:
                    wrong.append(f"{form_class.__module__}.{form_class.__name__}.{name}")
    assert wrong == []
    assert checked >= 40


@pytest.mark.parametrize("char", BAD.values(), ids=BAD.keys())
def test_a_form_field_refuses_it_once_and_says_where(char):
    field = forms.CharField(widget=forms.Textarea)
    with pytest.raises(forms.ValidationError) as caught:
        field.clean(f"Асан{char}ов")
    assert caught.value.messages == [_message(5)]


@pytest.mark.parametrize(
    "field",
    [
        forms.CharField(),
        forms.CharField(widget=forms.Textarea),
        forms.CharField(widget=forms.HiddenInput),
        forms.CharField(widget=forms.PasswordInput),
        forms.RegexField(r"[\s\S]*"),
        serializers.CharField(),
    ],
    ids=["text", "textarea", "hidden", "password", "regex", "api"],
)
def test_tabs_line_breaks_and_our_letters_pass(field):
    value = field.clean(LETTERS) if isinstance(field, forms.Field) else field.run_validation(LETTERS)
    assert value == LETTERS


def test_uuids_and_addresses_still_parse():
    key = "6f1c0c7a-3f0b-4f0e-9d0d-2b8c5a1e7d90"
    assert str(forms.UUIDField().clean(key)) == key
    assert forms.CharField(widget=forms.HiddenInput).clean(key) == key
    assert forms.EmailField().clean("aigul@example.kg") == "aigul@example.kg"
    with pytest.raises(forms.ValidationError) as caught:
        forms.EmailField().clean("aigul\x01@example.kg")
    assert _message(6) in caught.value.messages


def test_the_referral_form(client, login, users, orgs):
    login(users["police"])
    response = client.post(reverse("referrals:create"), create_post(orgs["provider"], order_number="PO\x1b17"))
    assert response.status_code == 200
    assert response.context["form"].errors["order_number"] == [_message(3)]
    assert Referral.objects.count() == 0


def test_the_intake_form(client, login, users, accepted_referral):  # noqa: F811
    login(users["psychologist"])
    response = client.post(
        intake_url(accepted_referral), intake_post(accepted_referral, **{"interview-notes": "Спокоен\x0bговорит"})
    )
    assert response.status_code == 200
    assert response.context["interview_form"].errors["notes"] == [_message(8)]
    assert IntakeInterview.objects.count() == 0


def test_the_safety_plan_form(client, login, users, case_with_service):
    survivor = case_with_service.referral.survivors.get()
    login(users["survivor_worker"])
    response = client.post(plan_url(case_with_service, survivor), plan_post(code_word="apri\u2028cot"))
    assert response.status_code == 200
    assert response.context["form"].errors["code_word"] == [_message(5)]
    assert SafetyPlan.objects.count() == 0


def test_the_session_roster(client, login, users, three):  # noqa: F811
    _group, people, session = three
    login(users["psychologist"])
    response = client.post(roster_url(session), roster_post(people, ["present"] * 3, notes="Хорошо\x7f"))
    assert response.status_code == 200
    assert response.context["form"].errors["notes"] == [_message(7)]
    assert not Attendance.objects.exists()


def test_the_acknowledgement_note(client, login, users, service_notice):  # noqa: F811
    login(users["survivor_worker"])
    response = client.post(ack_url(service_notice), {"actions": ["survivor_called"], "note": "Звон\x85ила"})
    assert response.status_code == 200
    assert response.context["form"].errors["note"] == [_message(5)]
    service_notice.refresh_from_db()
    assert service_notice.status == Notice.Status.OPEN


def test_the_outcome_meeting_notes():
    form = MeetingForm(data={"met_on": "2026-03-02", "attended": "yes", "notes": "Пришёл\x9bвовремя"})
    assert form.errors["notes"] == [_message(7)]
    form = MeetingForm(data={"met_on": "2026-03-02", "attended": "yes", "notes": LETTERS})
    assert form.is_valid(), form.errors


def test_the_api_says_which_field(api, users, orgs):
    body = referral_body(orgs["provider"].pk)
    body["incident_description"] = "Он ударил\x1bеё"
    body["person"]["family_name"] = "Аса\u2029нов"
    response = api(users["police"]).post(
        reverse("api-referral-create"), data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    errors = response.json()
    assert errors["incident_description"] == [_message(10)]
    assert errors["person"]["family_name"] == [_message(4)]
    assert Referral.objects.count() == 0


def test_the_api_takes_our_letters_and_line_breaks(api, users, orgs):
    body = referral_body(orgs["provider"].pk)
    body["incident_description"] = LETTERS
    response = api(users["police"]).post(
        reverse("api-referral-create"), data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    assert Referral.objects.get().incident_description == LETTERS
