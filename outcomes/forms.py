"""Forms for questionnaires and follow-up meetings. They parse; the
services in outcomes/services.py decide and write."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import short_date
from core.forms import PlausibleDateField
from core.submission import SubmissionKeyMixin
from outcomes.instrument_file import MAX_BYTES as MAX_UPLOAD_BYTES
from outcomes.models import FollowUp, Occasion, Respondent
from referrals.models import NOTE_MAX_LENGTH, Relationship

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NO_ANSWER = ""
POINT_PREFIX = "fu-"


def item_field_name(number: int) -> str:
    return f"item_{number}"


class QuestionnaireForm(SubmissionKeyMixin, forms.Form):
    """One CTS2 (or any instrument): the date, when it was given, and one
    answer per item (or "no answer").

    ``items``: rows from ``selectors.item_rows``; ``choices``: the answer
    categories; ``points``: open follow-up points a questionnaire can
    complete (person side only); ``side``: "provider" (the person or a
    close relation) or "survivor"."""

    administered_on = PlausibleDateField(label=_("Date filled in"), widget=DATE_INPUT)

    def __init__(self, *args, items, choices, side: str, points=(), **kwargs):
        kwargs.setdefault("initial", {}).setdefault("administered_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.side = side
        self.items = items
        self.points = {f"{POINT_PREFIX}{p.pk}": p for p in points}
        if side == "survivor":
            self.fields["occasion"] = forms.ChoiceField(label=_("When"), choices=Occasion.choices)
            self.fields["respondent_consented"] = forms.BooleanField(
                label=_("She agreed to answer this questionnaire, and was asked without the referred person present"),
                required=False,
            )
        else:
            point_choices = [
                (Occasion.INTAKE.value, Occasion.INTAKE.label),
                *[(key, _point_label(p)) for key, p in self.points.items()],
                (Occasion.OTHER.value, Occasion.OTHER.label),
            ]
            self.fields["point"] = forms.ChoiceField(label=_("When"), choices=point_choices)
            self.fields["respondent"] = forms.ChoiceField(
                label=_("Who answered"),
                choices=[
                    (Respondent.PERSON.value, Respondent.PERSON.label),
                    (Respondent.CLOSE_RELATION.value, Respondent.CLOSE_RELATION.label),
                ],
                initial=Respondent.PERSON,
                widget=forms.RadioSelect,
            )
            self.fields["relation"] = forms.ChoiceField(
                label=_("Close relation: relationship to the referred person"),
                choices=[("", "—"), *Relationship.choices],
                required=False,
            )
            self.fields["respondent_consented"] = forms.BooleanField(
                label=_("Close relation: agreed to answer this questionnaire"), required=False
            )
        answer_choices = [(NO_ANSWER, _("No answer")), *[(str(code), label) for code, label in choices]]
        for row in items:
            self.fields[item_field_name(row["number"])] = forms.ChoiceField(
                label=_("Item %(number)d") % {"number": row["number"]},
                choices=answer_choices,
                required=False,
            )

    def clean_administered_on(self):
        value = self.cleaned_data["administered_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("This date is in the future."))
        return value

    def answers(self) -> dict[int, int | None]:
        answers = {}
        for row in self.items:
            raw = self.cleaned_data.get(item_field_name(row["number"]))
            answers[row["number"]] = int(raw) if raw not in (None, NO_ANSWER) else None
        return answers

    def chosen_point(self) -> FollowUp | None:
        return self.points.get(self.cleaned_data.get("point", ""))

    def occasion(self) -> str:
        if self.side == "survivor":
            return self.cleaned_data["occasion"]
        point = self.cleaned_data.get("point")
        return Occasion.OTHER if point in self.points else point

    def item_groups(self) -> list[dict]:
        """The items in questionnaire order, two by two (the respondent's act
        and the partner's), each with its bound field."""
        groups: list[dict] = []
        for row in self.items:
            field = self[item_field_name(row["number"])]
            if groups and groups[-1]["pair"] == row["item"].pair and row["item"].pair is not None:
                groups[-1]["rows"].append({**row, "field": field})
            else:
                groups.append({"pair": row["item"].pair, "scale": row["scale"], "rows": [{**row, "field": field}]})
        return groups


def _point_label(point: FollowUp) -> str:
    return _("%(point)s, due %(date)s") % {"point": point.label, "date": short_date(point.due_on)}


class MeetingForm(forms.Form):
    met_on = PlausibleDateField(label=_("Meeting date"), widget=DATE_INPUT)
    attended = forms.TypedChoiceField(
        label=_("Did the person come?"),
        choices=[("yes", _("Yes")), ("no", _("No, missed"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("met_on", timezone.localdate())
        super().__init__(*args, **kwargs)


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _yes(value: str) -> bool:
    return value == "yes"


class MonitoringMeetingForm(forms.Form):
    """A monitoring body's own meeting with the person after the programme."""

    met_on = PlausibleDateField(label=_("Meeting date"), widget=DATE_INPUT)
    contact_made = forms.TypedChoiceField(
        label=_("Was contact made with the person?"), choices=YES_NO, coerce=_yes, widget=forms.RadioSelect
    )
    new_violence = forms.TypedChoiceField(
        label=_("Was new violence reported?"),
        choices=YES_NO,
        coerce=_yes,
        widget=forms.RadioSelect,
        help_text=_("Yes tells the survivor's support service and the others told of new violence at once."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Seen only by your organisation."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("met_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class MonitoringBodiesForm(forms.Form):
    """One choice of organisation per kind of body the programme names.
    ``choices``: {kind: (label, queryset of organisations)}."""

    def __init__(self, *args, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, (label, queryset) in choices.items():
            self.fields[kind] = forms.ModelChoiceField(
                label=label, queryset=queryset, required=False, empty_label=_("— not named yet —")
            )


class InstrumentUploadForm(forms.Form):
    """A questionnaire file (``outcomes.instrument_file``); the size is
    checked before the file is read."""

    file = forms.FileField(
        label=_("Questionnaire file (YAML or JSON)"),
        help_text=_("The format is casework-instrument/1; export a questionnaire below for an example."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than %(max)d KB.") % {"max": MAX_UPLOAD_BYTES // 1024})
        return upload


class ScoringSettingsForm(forms.Form):
    prorate_missing = forms.TypedChoiceField(
        label=_("A scale with one unanswered item"),
        choices=[
            ("no", _("Not scored (the conservative rule)")),
            ("yes", _("Prorated: scored from the mean of its answered items, and marked as prorated")),
        ],
        coerce=_yes,
        widget=forms.RadioSelect,
    )
