"""Every date field, on every form and in the API, refuses a year before 1900
(and after 2099) with a message on the field itself."""

from __future__ import annotations

import datetime as dt
import importlib
import json

import pytest
from django import forms
from django.urls import reverse

from core.forms import PlausibleDateField
from tests.api.conftest import referral_body
from tests.casework.conftest import accepted_referral  # noqa: F401 - a fixture
from tests.casework.test_views_intake import _nothing_saved, _post_data, _url

FORM_MODULES = [
    "accounts.forms",
    "casework.forms",
    "notifications.forms",
    "notifications.alert_forms",
    "outcomes.forms",
    "programmes.forms_sessions",
    "programmes.forms_setup",
    "referrals.forms",
    "reports.forms",
]


def _our_forms():
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, forms.BaseForm) and value.__module__ == module_name:
                yield value


def test_every_date_field_of_every_form_is_a_plausible_one():
    checked, wrong = 0, []
    for form_class in _our_forms():
        for name, field in form_class.base_fields.items():
            if isinstance(field, forms.DateField):
                checked += 1
                if not isinstance(field, PlausibleDateField):
                    wrong.append(f"{form_class.__module__}.{form_class.__name__}.{name}")
    assert wrong == []
    assert checked >= 12


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0001-01-01", "Enter a date in 1900 or later."),
        ("1899-12-31", "Enter a date in 1900 or later."),
        ("2100-01-01", "Enter a date before the year 2100."),
    ],
)
def test_the_field_refuses_implausible_years(value, message):
    field = PlausibleDateField()
    with pytest.raises(forms.ValidationError) as caught:
        field.clean(value)
    assert caught.value.messages == [message]


def test_the_field_takes_the_ends_of_the_range():
    field = PlausibleDateField()
    assert field.clean("1900-01-01") == dt.date(1900, 1, 1)
    assert field.clean("2099-12-31") == dt.date(2099, 12, 31)


def test_an_interview_dated_year_one_is_a_field_error(client, login, users, accepted_referral):  # noqa: F811
    login(users["psychologist"])
    response = client.post(
        _url(accepted_referral), _post_data(accepted_referral, **{"interview-interviewed_on": "0001-01-01"})
    )
    assert response.status_code == 200
    assert response.context["interview_form"].errors["interviewed_on"] == ["Enter a date in 1900 or later."]
    _nothing_saved()


def test_the_api_refuses_an_order_issued_in_year_one(api, users, orgs):
    body = referral_body(orgs["provider"].pk)
    body["order"]["issued_on"] = "0001-01-01"
    response = api(users["police"]).post(
        reverse("api-referral-create"), data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["order"]["issued_on"] == ["Enter a date in 1900 or later."]
