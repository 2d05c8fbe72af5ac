"""Forms of the staff records. Each answers bad input field by field and
keeps what was typed; the service checks again (``core.errors`` maps its
errors onto these fields)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PlausibleDateField
from programmes.models import QualificationFamily
from staffing.models import Qualification, Supervision, Training


def _label(model, name: str) -> str:
    return model._meta.get_field(name).verbose_name


class RecordForm(forms.Form):
    """A staff record's form: ``initial_for`` a record, ``service_kwargs``
    for its service."""

    @classmethod
    def initial_for(cls, record) -> dict:
        return {name: getattr(record, name) for name in cls.base_fields}

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class TrainingForm(RecordForm):
    course = forms.CharField(label=_label(Training, "course"), max_length=200)
    trainer = forms.CharField(
        label=_label(Training, "trainer"), max_length=200, help_text=_("Who gave the training, e.g. the OSCE.")
    )
    starts_on = PlausibleDateField(label=_label(Training, "starts_on"))
    ends_on = PlausibleDateField(label=_label(Training, "ends_on"))
    hours = forms.DecimalField(
        label=_label(Training, "hours"), min_value=Decimal("0.5"), max_value=Decimal("2000"), decimal_places=1
    )
    certificate_number = forms.CharField(label=_label(Training, "certificate_number"), max_length=100, required=False)
    certificate_issuer = forms.CharField(label=_label(Training, "certificate_issuer"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The last day cannot be before the first."))
        if data.get("certificate_number") and not data.get("certificate_issuer"):
            self.add_error("certificate_issuer", _("Say who issued the certificate."))
        return data


class SupervisionForm(RecordForm):
    held_on = PlausibleDateField(label=_label(Supervision, "held_on"))
    hours = forms.DecimalField(
        label=_label(Supervision, "hours"), min_value=Decimal("0.5"), max_value=Decimal("200"), decimal_places=1
    )
    supervisor = forms.CharField(label=_label(Supervision, "supervisor"), max_length=200)


class QualificationForm(RecordForm):
    family = forms.ChoiceField(label=_label(Qualification, "family"), choices=QualificationFamily.choices)
    granted_on = PlausibleDateField(label=_label(Qualification, "granted_on"))
    expires_on = PlausibleDateField(
        label=_label(Qualification, "expires_on"), required=False, help_text=_("Leave empty if it does not expire.")
    )
    granted_by = forms.CharField(
        label=_label(Qualification, "granted_by"),
        max_length=200,
        help_text=_("Who judged the person qualified, e.g. the trainer after the internship."),
    )

    def clean(self):
        data = super().clean()
        granted_on, expires_on = data.get("granted_on"), data.get("expires_on")
        if granted_on and expires_on and expires_on <= granted_on:
            self.add_error("expires_on", _("The qualification must be valid after the day it was granted."))
        return data
