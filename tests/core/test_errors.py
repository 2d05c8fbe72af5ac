"""One mapper from a service's ValidationError to form errors and to API errors."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError
from rest_framework import exceptions

from core.api import exception_handler
from core.errors import add_service_errors, api_validation_error, service_error_dict, service_error_messages

# The suite's database set-up runs for every test; these need no rows.
pytestmark = pytest.mark.django_db


class MeetingForm(forms.Form):
    met_on = forms.DateField()
    notes = forms.CharField(required=False)


def _bound_form() -> MeetingForm:
    form = MeetingForm({"met_on": "2026-01-05", "notes": ""})
    assert form.is_valid()
    return form


def test_a_key_that_names_a_field_goes_to_that_field():
    form = _bound_form()
    add_service_errors(form, ValidationError({"met_on": ["Not before the programme started."]}))
    assert form.errors == {"met_on": ["Not before the programme started."]}
    assert form.non_field_errors() == []


def test_all_and_unknown_keys_are_non_field_errors():
    form = _bound_form()
    exc = ValidationError({"__all__": ["Already recorded."], "follow_up": ["Not due yet."]})
    add_service_errors(form, exc)
    assert list(form.non_field_errors()) == ["Already recorded.", "Not due yet."]
    assert "met_on" not in form.errors


def test_a_bare_message_is_a_non_field_error():
    form = _bound_form()
    add_service_errors(form, ValidationError("The programme has ended."))
    assert list(form.non_field_errors()) == ["The programme has ended."]


def test_a_mapping_renames_keys_and_none_makes_a_non_field_error():
    form = _bound_form()
    exc = ValidationError({"day": ["Pick a weekday."], "met_on": ["Too early."], "notes": ["Say more."]})
    add_service_errors(form, exc, {"day": "met_on", "notes": None})
    assert form.errors["met_on"] == ["Pick a weekday.", "Too early."]
    assert list(form.non_field_errors()) == ["Say more."]


def test_a_function_renames_keys():
    form = _bound_form()
    add_service_errors(form, ValidationError({"answers.3": ["Pick one."]}), lambda key: "notes")
    assert form.errors == {"notes": ["Pick one."]}


def test_messages_keep_their_order_in_the_flat_list():
    exc = ValidationError({"a": ["First.", "Second."], "__all__": ["Third."]})
    assert service_error_messages(exc) == ["First.", "Second.", "Third."]
    assert service_error_messages(ValidationError(["One.", "Two."])) == ["One.", "Two."]
    assert service_error_dict(ValidationError("Alone.")) == {"__all__": ["Alone."]}


def test_the_api_error_has_the_same_fields_and_non_field_errors():
    error = api_validation_error(ValidationError({"met_on": ["Too early."], "__all__": ["Already recorded."]}))
    assert isinstance(error, exceptions.ValidationError)
    assert error.detail == {"met_on": ["Too early."], "non_field_errors": ["Already recorded."]}


@pytest.mark.parametrize(
    ("exc", "body"),
    [
        (ValidationError({"starts_at": ["Not in the past."]}), {"starts_at": ["Not in the past."]}),
        (ValidationError("The group is full."), {"non_field_errors": ["The group is full."]}),
    ],
)
def test_an_unmapped_service_error_is_a_400_with_the_same_structure(exc, body):
    response = exception_handler(exc, {})
    assert response.status_code == 400
    assert response.data == body
