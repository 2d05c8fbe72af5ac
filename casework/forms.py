"""Forms for the case pages. They parse; the services in casework/services.py
decide and write."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from casework.models import (
    Consent,
    IntakeInterview,
    RiskInstrument,
    RiskLevel,
    SafetyPlan,
    SurvivorContact,
)
from core.forms import PlausibleDateField
from core.submission import SubmissionKeyMixin
from core.validators import not_in_future
from referrals.models import NOTE_MAX_LENGTH, Survivor

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Survivor-side forms must not end up in the browser's autofill history.
NO_AUTOFILL = {"autocomplete": "off"}

DECISIONS = [
    (Consent.Decision.GIVEN, Consent.Decision.GIVEN.label),
    (Consent.Decision.REFUSED, Consent.Decision.REFUSED.label),
]
SURVIVOR_KINDS = (Consent.Kind.SURVIVOR_CONTACT, Consent.Kind.SURVIVOR_SHARING)


def survivor_label(position: int, survivor: Survivor) -> str:
    """How a survivor is named on every page that must not show her name:
    "Survivor 1 — Partner / spouse"."""
    return str(
        _("Survivor %(n)d — %(relationship)s") % {"n": position, "relationship": survivor.get_relationship_display()}
    )


def survivor_labels(survivors: Iterable[Survivor]) -> list[tuple[Survivor, str]]:
    return [(s, survivor_label(n, s)) for n, s in enumerate(survivors, start=1)]


class IntakeInterviewForm(forms.ModelForm):
    class Meta:
        model = IntakeInterview
        fields = [
            "interviewed_on",
            "language",
            "acknowledges_violence",
            "violence_within_family_only",
            "substance_use",
            "mental_health_concern",
            "motivation",
            "violence_history",
            "notes",
        ]
        field_classes = {"interviewed_on": PlausibleDateField}
        widgets = {
            "interviewed_on": DATE_INPUT,
            "violence_history": forms.Textarea(attrs={"rows": 4}),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    def clean_interviewed_on(self):
        value = self.cleaned_data["interviewed_on"]
        not_in_future(value)
        return value


class IntakeConsentForm(forms.Form):
    """The person's release of information, and for each survivor her two
    consents (to be contacted; that her details go to a survivor service)."""

    person_release = forms.ChoiceField(
        label=_("The referred person consents to the release of information to partner agencies"),
        choices=DECISIONS,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, survivors: Sequence[tuple[Survivor, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.survivors = list(survivors)
        choices = [("", _("Not asked yet")), *DECISIONS]
        for survivor, label in self.survivors:
            self.fields[self.field_name(survivor.pk, Consent.Kind.SURVIVOR_CONTACT)] = forms.ChoiceField(
                label=_("%(survivor)s: agrees to be contacted") % {"survivor": label},
                choices=choices,
                required=False,
                widget=forms.RadioSelect,
                initial=Consent.Decision.GIVEN if survivor.consents_to_contact else "",
                help_text=_("Pre-filled from what the police recorded.") if survivor.consents_to_contact else "",
            )
            self.fields[self.field_name(survivor.pk, Consent.Kind.SURVIVOR_SHARING)] = forms.ChoiceField(
                label=_("%(survivor)s: agrees that her details go to a survivor service") % {"survivor": label},
                choices=choices,
                required=False,
                widget=forms.RadioSelect,
                initial="",
            )

    @staticmethod
    def field_name(survivor_id: int, kind: str) -> str:
        return f"survivor_{survivor_id}_{kind}"

    def survivor_consents(self) -> dict[int, dict[str, str]]:
        result: dict[int, dict[str, str]] = {}
        for survivor, _label in self.survivors:
            for kind in SURVIVOR_KINDS:
                decision = self.cleaned_data.get(self.field_name(survivor.pk, kind))
                if decision:
                    result.setdefault(survivor.pk, {})[kind] = decision
        return result


class RiskAssessmentForm(forms.Form):
    """One checkbox per item of the chosen instrument, and notes."""

    instrument = forms.ModelChoiceField(queryset=RiskInstrument.objects.none(), widget=forms.HiddenInput)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, instrument: RiskInstrument, instruments, ticked: Iterable[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.fields["instrument"].queryset = instruments
        self.fields["instrument"].initial = instrument.pk
        ticked = set(ticked)
        items = {}
        for item in instrument.items.all():
            hint = _("weight %(weight)d") % {"weight": item.weight}
            if item.forces_level:
                hint = _("%(hint)s; on its own makes the risk at least %(level)s") % {
                    "hint": hint,
                    "level": RiskLevel(item.forces_level).label,
                }
            items[f"item_{item.code}"] = forms.BooleanField(
                label=item.text, required=False, initial=item.code in ticked, help_text=hint
            )
        # Items first, notes last.
        notes = self.fields.pop("notes")
        self.fields.update(items)
        self.fields["notes"] = notes
        self.item_codes = [name.removeprefix("item_") for name in items]

    def answers(self) -> dict[str, bool]:
        return {code: bool(self.cleaned_data.get(f"item_{code}")) for code in self.item_codes}


class RiskReassessForm(SubmissionKeyMixin, RiskAssessmentForm):
    """A reassessment on its own page: a resend of the page is recognised
    (it may notify the survivor service and the police). At intake the
    assessment is part of the intake, which happens once."""


class ConsentRecordForm(forms.Form):
    kind = forms.ChoiceField(label=_("Consent"), choices=Consent.Kind.choices)
    survivor = forms.ChoiceField(label=_("Survivor"), required=False, help_text=_("Needed for a survivor's consent."))
    decision = forms.ChoiceField(label=_("Decision"), choices=Consent.Decision.choices, widget=forms.RadioSelect)

    def __init__(self, *args, survivors: Sequence[tuple[Survivor, str]], kinds: Sequence[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.survivor_objects = {str(s.pk): s for s, _label in survivors}
        self.fields["survivor"].choices = [("", "—"), *((str(s.pk), label) for s, label in survivors)]
        self.fields["kind"].choices = [(k, label) for k, label in Consent.Kind.choices if k in kinds]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        survivor = data.get("survivor")
        if kind in SURVIVOR_KINDS and not survivor and "survivor" not in self.errors:
            self.add_error("survivor", _("Choose the survivor whose consent this is."))
        if kind == Consent.Kind.PERSON_RELEASE and survivor:
            self.add_error("survivor", _("The referred person's consent is not a survivor's: leave this empty."))
        return data

    def survivor_object(self) -> Survivor | None:
        return self.survivor_objects.get(self.cleaned_data.get("survivor") or "")


class SurvivorContactForm(SubmissionKeyMixin, forms.ModelForm):
    class Meta:
        model = SurvivorContact
        fields = ["contacted_on", "method", "outcome", "informed_about_programme", "notes"]
        field_classes = {"contacted_on": PlausibleDateField}
        widgets = {
            "contacted_on": DATE_INPUT,
            "notes": forms.Textarea(attrs={"rows": 4, **NO_AUTOFILL}),
        }


class SafetyPlanForm(forms.ModelForm):
    class Meta:
        model = SafetyPlan
        fields = ["risks", "safe_contacts", "safe_places", "code_word", "children_safety", "next_review_on"]
        field_classes = {"next_review_on": PlausibleDateField}
        widgets = {
            "risks": forms.Textarea(attrs={"rows": 3, **NO_AUTOFILL}),
            "safe_contacts": forms.Textarea(attrs={"rows": 3, **NO_AUTOFILL}),
            "safe_places": forms.Textarea(attrs={"rows": 3, **NO_AUTOFILL}),
            "code_word": forms.TextInput(attrs=NO_AUTOFILL),
            "children_safety": forms.Textarea(attrs={"rows": 3, **NO_AUTOFILL}),
            "next_review_on": DATE_INPUT,
        }


class ReferSurvivorServiceForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Survivor service"), queryset=Organisation.objects.none(), empty_label=None
    )

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        field.queryset = services
        field.label_from_instance = lambda org: f"{org.shown_name} ({org.get_country_display()}, {org.region})"
