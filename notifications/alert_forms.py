"""Forms of "My alerts". They parse; ``notifications.alerts`` decides and writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from notifications.urgency import Urgency

URGENCY_CHOICES = [(u.value, u.label) for u in (Urgency.URGENT, Urgency.ACTION, Urgency.INFORMATION)]


class UrgenciesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Which notices reach you here"))
        kwargs.setdefault("choices", URGENCY_CHOICES)
        kwargs.setdefault("required", False)
        kwargs.setdefault("initial", [value for value, _label in URGENCY_CHOICES])
        super().__init__(**kwargs)


class SMSChannelForm(forms.Form):
    phone = PhoneNumberField(
        label=_("Mobile number for SMS"),
        region="KG",
        error_messages={
            "invalid": _("Enter a mobile number with its country code, for example +996 555 123 456."),
            "required": _("Enter your mobile number."),
        },
    )
    urgencies = UrgenciesField()


class EmailChannelForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address for alerts"),
        max_length=254,
        error_messages={
            "invalid": _("Enter an email address such as name@example.org."),
            "required": _("Enter your email address."),
        },
    )
    urgencies = UrgenciesField()


class UrgenciesForm(forms.Form):
    urgencies = UrgenciesField()


class ConfirmForm(forms.Form):
    code = forms.RegexField(
        label=_("Code from the test message"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("The code has 6 digits."), "required": _("Enter the code.")},
    )
