"""Forms for the referral pages. They parse what was typed; the services in
``referrals.services`` decide whether it is acceptable (the API calls the
same services), and the views put the services' errors back onto these
forms."""

from __future__ import annotations

from itertools import groupby
from typing import cast

from django import forms
from django.forms import formset_factory
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.models import Language, Organisation
from core.forms import PlausibleDateField
from core.submission import SubmissionKeyMixin
from core.validators import normalise_phone
from referrals.models import (
    INCIDENT_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    EligibilityCriterion,
    Person,
    ProtectionOrderExtension,
    Referral,
    RiskFlag,
    Screening,
    Sex,
    Source,
    Survivor,
)
from referrals.services import COURT_FIELDS, MAX_SURVIVORS, ORDER_FIELDS


def _label(model, name: str):
    return capfirst(model._meta.get_field(name).verbose_name)


class DateInput(forms.DateInput):
    """The browser's own date picker; the value travels as YYYY-MM-DD."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def date_field(model, name: str, *, required: bool = True, **kwargs) -> PlausibleDateField:
    return PlausibleDateField(label=_label(model, name), required=required, widget=DateInput(), **kwargs)


class TextField(forms.CharField):
    """A textarea whose line breaks count as one character, as the browser
    counts them for ``maxlength`` (a submitted textarea carries CRLF)."""

    def __init__(self, *, rows: int = 3, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows}))
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if value else value


class PhoneField(forms.CharField):
    """A phone number typed in any usual way, kept as E.164 (+996…). Numbers
    without a country code are read as numbers of ``region``."""

    def __init__(self, *, region: str | None = None, **kwargs):
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}))
        super().__init__(**kwargs)
        self.region = region

    def clean(self, value):
        value = super().clean(value)
        return normalise_phone(value, self.region) if value else ""


class ProviderChoiceIterator(forms.models.ModelChoiceIterator):
    """The providers in one ``<optgroup>`` per country (the queryset is
    ordered by country), so an option's text is only name and region: on a
    phone the closed field cuts off the end of a long option."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for _country, providers in groupby(self.queryset, key=lambda org: org.country):
            providers = list(providers)
            yield (providers[0].get_country_display(), [self.choice(org) for org in providers])


class ProviderChoiceField(forms.ModelChoiceField):
    iterator = ProviderChoiceIterator

    def label_from_instance(self, obj) -> str:
        return f"{obj.shown_name} — {obj.region}"


# --- Referral entry (a referring body) ----------------------------------------------


class ReferralForm(SubmissionKeyMixin, forms.Form):
    """Provider, source, protection order, incident and risk flags. The
    person and the survivors have their own forms (prefixes "person" and
    "survivors")."""

    provider = ProviderChoiceField(
        label=_("Programme provider"),
        queryset=None,
        empty_label=_("— choose —"),
        help_text=_("Grouped by country, your own country first."),
        error_messages={
            "required": _("Choose a programme provider from the list."),
            "invalid_choice": _("Choose a programme provider from the list."),
        },
    )
    # A police unit names the source it relays; a self-referral is recorded
    # by the provider the person came to, never relayed.
    source = forms.ChoiceField(
        label=_label(Referral, "source"),
        choices=[choice for choice in Source.choices if choice[0] != Source.SELF],
        initial=Source.POLICE,
    )
    order_number = forms.CharField(label=_label(Referral, "order_number"), max_length=50, required=False)
    order_issuing_authority = forms.CharField(
        label=_label(Referral, "order_issuing_authority"), max_length=200, required=False
    )
    order_issued_on = date_field(Referral, "order_issued_on", required=False)
    order_expires_on = date_field(Referral, "order_expires_on", required=False)
    order_obliges_programme = forms.BooleanField(label=_label(Referral, "order_obliges_programme"), required=False)
    incident_description = TextField(
        label=_label(Referral, "incident_description"),
        max_length=INCIDENT_MAX_LENGTH,
        rows=5,
        help_text=_("What happened, briefly. Do not write the survivor's address or phone here."),
    )
    risk_flags = forms.MultipleChoiceField(
        label=_label(Referral, "risk_flags"),
        choices=RiskFlag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    court_decision_number = forms.CharField(
        label=_label(Referral, "court_decision_number"), max_length=50, required=False
    )
    court_decision_date = date_field(Referral, "court_decision_date", required=False)

    ORDER_FIELDS = ORDER_FIELDS
    COURT_FIELDS = COURT_FIELDS

    def __init__(self, *args, providers=None, body_kind: str = Organisation.Kind.POLICE_UNIT, **kwargs):
        """``body_kind``: the referring body's kind. A police unit names the source it
        relays; any other body is its own source. Only a court gives its
        decision (the service requires it and says which part is missing).
        A programme provider records a self-referral: to itself, with no
        order."""
        super().__init__(*args, **kwargs)
        self.self_referral = body_kind == Organisation.Kind.PROGRAMME_PROVIDER
        if self.self_referral:
            for name in ("provider", *self.ORDER_FIELDS):
                del self.fields[name]
        else:
            cast(forms.ModelChoiceField, self.fields["provider"]).queryset = providers
        if body_kind != Organisation.Kind.POLICE_UNIT:
            del self.fields["source"]
        if body_kind != Organisation.Kind.COURT:
            for name in self.COURT_FIELDS:
                del self.fields[name]

    def order_data(self) -> dict:
        """The order and court-decision fields this form has, as typed."""
        data = self.cleaned_data
        order = {}
        for name in (*self.ORDER_FIELDS, *self.COURT_FIELDS):
            if name in self.fields:
                value = data[name]
                order[name] = value.strip() if isinstance(value, str) else value
        return order


class PersonForm(forms.Form):
    family_name = forms.CharField(label=_label(Person, "family_name"), max_length=100)
    given_name = forms.CharField(label=_label(Person, "given_name"), max_length=100)
    patronymic = forms.CharField(label=_label(Person, "patronymic"), max_length=100, required=False)
    sex = forms.ChoiceField(label=_label(Person, "sex"), choices=[("", "—"), *Sex.choices])
    birth_date = date_field(Person, "birth_date")
    phone = PhoneField(label=_label(Person, "phone"))
    address = TextField(label=_label(Person, "address"), max_length=500, rows=2, required=False)
    preferred_language = forms.ChoiceField(
        label=_label(Person, "preferred_language"), choices=[("", "—"), *Language.choices]
    )
    household = TextField(
        label=_label(Person, "household"),
        max_length=1000,
        rows=2,
        required=False,
        help_text=_("Who lives in the household."),
    )

    def __init__(self, *args, region: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].region = region


class SurvivorForm(forms.Form):
    family_name = forms.CharField(label=_label(Survivor, "family_name"), max_length=100)
    given_name = forms.CharField(label=_label(Survivor, "given_name"), max_length=100)
    relationship = forms.ChoiceField(
        label=_label(Survivor, "relationship"), choices=[("", "—"), *Survivor._meta.get_field("relationship").choices]
    )
    phone = PhoneField(label=_label(Survivor, "phone"))
    address = TextField(label=_label(Survivor, "address"), max_length=500, rows=2, required=False)
    children_in_household = forms.IntegerField(
        label=_label(Survivor, "children_in_household"), min_value=0, max_value=30, initial=0
    )
    consents_to_contact = forms.BooleanField(label=_label(Survivor, "consents_to_contact"), required=False)

    def __init__(self, *args, region: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].region = region


class BaseSurvivorFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_few_forms": _("Enter at least one survivor."),
        "too_many_forms": _("At most %(num)d survivors can be entered on one referral."),
    }

    def filled_forms(self) -> list[SurvivorForm]:
        """The forms that carry a survivor (blank added forms are ignored),
        in the order the service numbers them."""
        return [form for form in self.forms if form.has_changed() and form.cleaned_data]

    def survivors_data(self) -> list[dict]:
        return [dict(form.cleaned_data) for form in self.filled_forms()]

    def add_non_form_error(self, messages) -> None:
        self.non_form_errors().extend(messages)


SurvivorFormSet = formset_factory(
    SurvivorForm,
    formset=BaseSurvivorFormSet,
    extra=0,
    min_num=1,
    validate_min=True,
    max_num=MAX_SURVIVORS,
    validate_max=True,
)


class OrderExtensionForm(forms.Form):
    extended_on = date_field(ProtectionOrderExtension, "extended_on")
    new_expiry = date_field(ProtectionOrderExtension, "new_expiry")
    obliges_programme = forms.BooleanField(label=_label(ProtectionOrderExtension, "obliges_programme"), required=False)


# --- Screening (provider staff) -------------------------------------------


class ScreeningForm(forms.Form):
    """One met / not met / not known yet answer per eligibility criterion,
    the screening notes, and the decline reason if the referral is
    declined. Field names of the answers: ``answer_<criterion code>``."""

    notes = TextField(label=_("Screening notes"), max_length=NOTE_MAX_LENGTH, rows=4, required=False)
    reason = forms.ChoiceField(
        label=_("Reason for declining"),
        choices=[("", "—"), *Referral.DeclineReason.choices],
        required=False,
    )
    explanation = TextField(
        label=_("Explanation"),
        max_length=500,
        rows=2,
        required=False,
        help_text=_("Required when the reason is “Other”. Do not write clinical details here."),
    )

    def __init__(self, *args, criteria: list[EligibilityCriterion], screening: Screening | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        answers = screening.answers if screening else {}
        if screening is not None:
            # Everything typed and saved comes back, the decline draft too.
            self.fields["notes"].initial = screening.notes
            self.fields["reason"].initial = screening.decline_reason
            self.fields["explanation"].initial = screening.decline_explanation
        self.criteria = criteria
        for criterion in criteria:
            self.fields[self.answer_field(criterion.code)] = forms.ChoiceField(
                label=criterion.text,
                choices=Screening.Answer.choices,
                initial=answers.get(criterion.code, Screening.Answer.UNKNOWN),
                widget=forms.RadioSelect,
                help_text=criterion.get_effect_display(),
            )
        # Notes and decision after the criteria.
        self.order_fields([self.answer_field(c.code) for c in criteria])

    @staticmethod
    def answer_field(code: str) -> str:
        return f"answer_{code}"

    def answer_fields(self):
        return [self[self.answer_field(c.code)] for c in self.criteria]

    def answers(self) -> dict[str, str]:
        return {c.code: self.cleaned_data[self.answer_field(c.code)] for c in self.criteria}

    def error_field(self, key: str) -> str | None:
        """The field for a service error key (``answers.<code>``, ``reason``…)."""
        if key.startswith("answers."):
            key = self.answer_field(key.removeprefix("answers."))
        return key if key in self.fields else None


# --- A provider's own eligibility criteria --------------------------------


class CriterionForm(forms.Form):
    code = forms.SlugField(
        label=_label(EligibilityCriterion, "code"),
        max_length=50,
        help_text=_("A short name of Latin letters, digits, “-” or “_”, unique in your organisation."),
    )
    text_ru = forms.CharField(label=_label(EligibilityCriterion, "text_ru"), max_length=300)
    text_en = forms.CharField(label=_label(EligibilityCriterion, "text_en"), max_length=300)
    effect = forms.ChoiceField(
        label=_label(EligibilityCriterion, "effect"),
        choices=EligibilityCriterion.Effect.choices,
        initial=EligibilityCriterion.Effect.REQUIRED,
    )
    position = forms.IntegerField(
        label=_label(EligibilityCriterion, "position"), min_value=0, max_value=1000, required=False
    )
    is_active = forms.BooleanField(label=_label(EligibilityCriterion, "is_active"), required=False, initial=True)
