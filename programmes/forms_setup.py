"""Forms for the programme set-up pages: templates, groups, enrolment,
moves and transfers.

The forms parse what was typed; the services in ``programmes.services``
decide whether it is acceptable, and the views put the services' errors
back onto these forms (``add_service_errors``)."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import Language, Organisation
from core import localnames
from core.forms import PlausibleDateField
from core.shipped import shown
from programmes.models import MONITORING_BODY_CHOICES, Group, ProgrammeTemplate
from programmes.services import TEMPLATE_FIELDS, StayDetails
from referrals.forms import DateInput, TextField

SEX_LABELS = {"male": _("men"), "female": _("women"), "any": _("men or women")}
GENDER_LABELS = {"male": _("man"), "female": _("woman")}


def _label(model, name: str):
    return capfirst(model._meta.get_field(name).verbose_name)


def _model_field(name: str, **kwargs) -> forms.Field:
    """The form field Django makes for a template field (label, validators)."""
    return ProgrammeTemplate._meta.get_field(name).formfield(**kwargs)


class TimeInput(forms.TimeInput):
    """The browser's own time picker; the value travels as HH:MM."""

    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class DataSelect(forms.Select):
    """A select whose options carry data attributes for the page's script
    (``option_data``: {value as string: {"data-…": "…"}})."""

    def __init__(self, attrs=None, choices=(), option_data=None):
        super().__init__(attrs, choices)
        self.option_data = option_data or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        extra = self.option_data.get(str(value))
        if extra:
            option["attrs"] = {**option["attrs"], **extra}
        return option


class StaffChoiceField(forms.ModelChoiceField):
    """A member of staff, named with the gender recorded (for a balanced pair)."""

    def label_from_instance(self, obj) -> str:
        name = obj.get_full_name() or obj.get_username()
        gender = GENDER_LABELS.get(obj.gender)
        return f"{name} ({gender})" if gender else str(name)


def programme_key(template: ProgrammeTemplate) -> str:
    """Groups run a programme, whatever its version: code and owner."""
    return f"{template.code}:{template.provider_id or ''}"


def template_label(template: ProgrammeTemplate) -> str:
    own = "" if template.provider_id is None else " · " + str(_("own"))
    return f"{shown(template.name)} (v{template.version}){own}"


class TemplateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return template_label(obj)


# --- Templates ---------------------------------------------------------------------


class LinesField(forms.CharField):
    """One item a line; blank lines dropped."""

    def __init__(self, *, rows: int = 8, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows}))
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class MonthsField(forms.CharField):
    """Whole numbers separated by commas (or spaces), e.g. "3, 6, 12, 18"."""

    default_error_messages = {
        "invalid": _("Enter whole numbers of months separated by commas, e.g. 3, 6, 12."),
        "range": _("Each follow-up point is between 1 and 120 months after the end."),
    }

    def clean(self, value):
        text = (super().clean(value) or "").strip()
        if not text:
            return []
        parts = [p for p in re.split(r"[,;\s]+", text) if p]
        if not all(p.isdigit() for p in parts):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        months = [int(p) for p in parts]
        if any(m < 1 or m > 120 for m in months):
            raise ValidationError(self.error_messages["range"], code="range")
        return months


class TemplateForm(forms.Form):
    """Every field of a programme template (``services.TEMPLATE_FIELDS``)."""

    name = _model_field("name")
    source = _model_field("source")
    status = _model_field("status")
    mandatory = _model_field("mandatory")
    sex = _model_field("sex")
    individual_sessions = _model_field("individual_sessions")
    group_sessions = _model_field("group_sessions")
    span_weeks = _model_field("span_weeks")
    individual_interval_days = _model_field("individual_interval_days")
    group_interval_days = _model_field("group_interval_days")
    individual_first = _model_field("individual_first")
    group_offset_days = _model_field(
        "group_offset_days",
        help_text=_(
            "Counted from the person's start (day 0). With all individual sessions first, the days after the last one."
        ),
    )
    individual_minutes = _model_field("individual_minutes")
    group_minutes = _model_field("group_minutes")
    facilitation = _model_field("facilitation")
    hours_required = _model_field(
        "hours_required", help_text=_("Only when the programme is defined by hours, e.g. 16 hours in one month.")
    )
    curriculum = LinesField(
        label=_label(ProgrammeTemplate, "curriculum"), required=False, help_text=_("One topic a line, in order.")
    )
    follow_up_months = MonthsField(
        label=_label(ProgrammeTemplate, "follow_up_months"),
        required=False,
        max_length=200,
        help_text=_("Months after the end, separated by commas, e.g. 3, 6, 12, 18."),
    )
    follow_up_close_relations = _model_field("follow_up_close_relations")
    mid_programme_session = _model_field("mid_programme_session")
    monitoring_bodies = forms.MultipleChoiceField(
        label=_label(ProgrammeTemplate, "monitoring_bodies"),
        choices=MONITORING_BODY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The bodies that meet the person after completion; the provider names each one per enrolment."),
    )
    monitoring_interval_months = _model_field("monitoring_interval_months")
    monitoring_months = _model_field("monitoring_months")
    dropout_consecutive = _model_field("dropout_consecutive", help_text=_("Leave empty for no such rule."))
    dropout_total = _model_field("dropout_total", help_text=_("Leave empty for no such rule."))
    languages = forms.MultipleChoiceField(
        label=_label(ProgrammeTemplate, "languages"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    required_qualification = _model_field(
        "required_qualification",
        help_text=_("Assigning a facilitator without this qualification shows a warning. Empty: none needed."),
    )
    notes = TextField(label=_label(ProgrammeTemplate, "notes"), required=False, max_length=4000, rows=4)

    @staticmethod
    def initial_for(template: ProgrammeTemplate) -> dict:
        initial = {name: getattr(template, name) for name in TEMPLATE_FIELDS}
        initial["curriculum"] = "\n".join(template.curriculum)
        initial["follow_up_months"] = ", ".join(str(m) for m in template.follow_up_months)
        return initial

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in TEMPLATE_FIELDS}


# --- Groups ------------------------------------------------------------------------


class FacilityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.shown_name


def _setting_fields() -> dict[str, forms.Field]:
    """Where the group runs, and for a prison which one (the service checks
    that it is a prison of the provider's country)."""
    return {
        "setting": forms.ChoiceField(
            label=_label(Group, "setting"),
            choices=Group.Setting.choices,
            initial=Group.Setting.CONSULTATION_ROOM,
            required=False,
            widget=forms.RadioSelect,
            help_text=_(
                "In a prison, the facility's officers see the dates of the sessions and who attended, to bring "
                "the people to the room. At a residential centre, each participant's stay is recorded."
            ),
        ),
        "facility": FacilityChoiceField(
            label=_("Prison or correctional facility"),
            queryset=Organisation.objects.none(),
            required=False,
            empty_label=_("— choose —"),
            help_text=_("Only for a group in a prison or correctional facility."),
        ),
    }


def _clean_setting(data: dict, *, unchosen: str | None) -> None:
    """No setting chosen is ``unchosen`` (a new group: the consultation
    room; a change: as it is, None). A facility chosen for a group that does
    not run in a prison is dropped (the field is for the prison setting
    only)."""
    data["setting"] = data.get("setting") or unchosen
    if data["setting"] not in (Group.Setting.PRISON, None):
        data["facility"] = None


class GroupForm(forms.Form):
    """A new group. The place is a room, or for mobile sessions a village
    and district (kept together as "village, district")."""

    template = TemplateChoiceField(
        label=_("Programme"),
        queryset=ProgrammeTemplate.objects.none(),
        empty_label=_("— choose —"),
        widget=DataSelect,
    )
    name = forms.CharField(label=_label(Group, "name"), max_length=120, help_text=_("e.g. Tuesday evening, men"))
    sex = forms.ChoiceField(label=_("For"), choices=[("male", _("Men")), ("female", _("Women"))])
    capacity = forms.IntegerField(label=_label(Group, "capacity"), initial=12)
    intake = forms.ChoiceField(
        label=_label(Group, "intake"), choices=Group.Intake.choices, initial=Group.Intake.ROLLING
    )
    psychologist = StaffChoiceField(label=_("Psychologist"), queryset=None, empty_label=_("— choose —"))
    social_worker = StaffChoiceField(
        label=_("Social worker"),
        queryset=None,
        empty_label=_("— choose —"),
        required=False,
        help_text=_("Not needed when one facilitator leads the programme's groups."),
    )
    location_kind = forms.ChoiceField(
        label=_label(Group, "location_kind"),
        choices=Group.LocationKind.choices,
        initial=Group.LocationKind.ROOM,
        widget=forms.RadioSelect,
    )
    room = forms.CharField(label=_("Room name or number"), max_length=200, required=False)
    village = forms.CharField(label=_("Village"), max_length=95, required=False)
    district = forms.CharField(label=_("District"), max_length=95, required=False)
    language = forms.ChoiceField(label=_label(Group, "language"), choices=Language.choices)
    starts_on = PlausibleDateField(
        label=_("First session"),
        widget=DateInput(),
        help_text=_("The group's sessions follow at the programme's cadence from this day."),
    )
    time_of_day = forms.TimeField(label=_label(Group, "time_of_day"), widget=TimeInput(), initial=dt.time(10, 0))
    setting, facility = _setting_fields().values()

    def __init__(self, *args, templates, psychologists, social_workers, facilities=None, **kwargs):
        super().__init__(*args, **kwargs)
        if facilities is not None:
            self.fields["facility"].queryset = facilities
        templates = list(templates)
        field = self.fields["template"]
        field.queryset = ProgrammeTemplate.objects.filter(pk__in=[t.pk for t in templates])
        field.choices = [("", field.empty_label)] + [(t.pk, template_label(t)) for t in templates]
        field.widget.option_data = {
            str(t.pk): {"data-languages": ",".join(t.languages), "data-sex": t.sex} for t in templates
        }
        self.fields["psychologist"].queryset = psychologists
        self.fields["social_worker"].queryset = social_workers
        self.place_names = _add_place_names(self)

    def clean(self):
        data = super().clean()
        _clean_place(self, data)
        _clean_setting(data, unchosen=Group.Setting.CONSULTATION_ROOM)
        return data

    def location_field(self) -> str:
        """Where the service's "location" errors belong on this form."""
        return "village" if self.cleaned_data.get("location_kind") == Group.LocationKind.MOBILE else "room"

    def service_kwargs(self) -> dict:
        names = ("template", "name", "sex", "capacity", "intake", "psychologist", "social_worker")
        names += ("location_kind", "location", "language", "starts_on", "time_of_day")
        return {name: self.cleaned_data[name] for name in (*names, "setting", "facility")} | _place_names(self)


def _add_place_names(form: forms.Form) -> localnames.NameFields:
    """The place in each language, optional (``core.localnames``)."""
    return localnames.bound_name_fields(form, "location", _("Place"), max_length=200)


def _place_names(form: forms.Form) -> dict:
    return {"location_translations": localnames.names_from(form.cleaned_data, "location")}


def _clean_place(form: forms.Form, data: dict) -> None:
    """The place as the services take it: the room, or "village, district"."""
    if data.get("location_kind") == Group.LocationKind.MOBILE:
        village, district = data.get("village", ""), data.get("district", "")
        if not village:
            form.add_error("village", _("Enter the village."))
        if not district:
            form.add_error("district", _("Enter the district."))
        data["location"] = f"{village}, {district}" if village and district else ""
    else:
        if not data.get("room"):
            form.add_error("room", _("Enter the room."))
        data["location"] = data.get("room", "")


class GroupEditForm(forms.Form):
    """Changing a running group: what ``group_update`` may change. The
    programme, the sex, the intake, the language and the first day stay."""

    name = GroupForm.base_fields["name"]
    capacity = forms.IntegerField(label=_label(Group, "capacity"))
    psychologist = GroupForm.base_fields["psychologist"]
    social_worker = GroupForm.base_fields["social_worker"]
    location_kind = GroupForm.base_fields["location_kind"]
    room = GroupForm.base_fields["room"]
    village = GroupForm.base_fields["village"]
    district = GroupForm.base_fields["district"]
    time_of_day = forms.TimeField(
        label=_label(Group, "time_of_day"),
        widget=TimeInput(),
        help_text=_(
            "Sessions from tomorrow on move to the new time, except a session rescheduled on its own. "
            "Today's and past sessions keep theirs."
        ),
    )
    setting, facility = _setting_fields().values()

    def __init__(self, *args, psychologists, social_workers, facilities=None, **kwargs):
        super().__init__(*args, **kwargs)
        if facilities is not None:
            self.fields["facility"].queryset = facilities
        self.fields["psychologist"].queryset = psychologists
        self.fields["social_worker"].queryset = social_workers
        self.place_names = _add_place_names(self)

    @staticmethod
    def initial_for(group: Group) -> dict:
        initial = {
            "name": group.name,
            "capacity": group.capacity,
            "psychologist": group.psychologist_id,
            "social_worker": group.social_worker_id,
            "location_kind": group.location_kind,
            "time_of_day": group.time_of_day,
            "setting": group.setting,
            "facility": group.facility_id,
            **localnames.initial_names("location", group.location_translations),
        }
        if group.location_kind == Group.LocationKind.MOBILE:
            village, _comma, district = group.location.rpartition(", ")
            initial.update(village=village or district, district=district if village else "")
        else:
            initial["room"] = group.location
        return initial

    def clean(self):
        data = super().clean()
        _clean_place(self, data)
        _clean_setting(data, unchosen=None)
        return data

    location_field = GroupForm.location_field

    def service_kwargs(self) -> dict:
        names = ("name", "capacity", "psychologist", "social_worker", "location_kind", "location", "time_of_day")
        return {name: self.cleaned_data[name] for name in (*names, "setting", "facility")} | _place_names(self)


class GroupCloseForm(forms.Form):
    """Closing a group: the reason, and where the people still in it go."""

    reason = forms.CharField(
        label=_("Reason for closing"),
        max_length=300,
        help_text=_("Shown with each cancelled session, e.g. “The cycle has ended”. Do not write clinical details."),
    )
    move_to = forms.ModelChoiceField(
        label=_("Move the people still in the group to"),
        queryset=Group.objects.none(),
        required=False,
        empty_label=_("— choose —"),
        error_messages={"invalid_choice": _("Choose a group from the list.")},
    )

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        groups = list(groups)
        field = self.fields["move_to"]
        field.queryset = Group.objects.filter(pk__in=[g.pk for g in groups])
        field.choices = [("", field.empty_label)] + [(g.pk, group_option_label(g)) for g in groups]


# --- Enrolment, moves and transfers --------------------------------------------------


def group_option_label(group: Group) -> str:
    free = max(0, group.capacity - group.active_count)
    places = ngettext("%(n)d place left", "%(n)d places left", free) % {"n": free}
    if free == 0:
        places = str(_("full"))
    first = f"{formats.date_format(group.starts_on, 'SHORT_DATE_FORMAT')} {group.time_of_day:%H:%M}"
    parts = [group.name, first, places]
    if group.intake == Group.Intake.CLOSED:
        parts.append(str(_("closed intake, started")) if getattr(group, "started", False) else str(_("closed intake")))
    if group.location_kind == Group.LocationKind.MOBILE:
        parts.append(str(_("mobile")))
    return " · ".join(parts)


class _GroupChoiceMixin:
    """The group field accepts any running group of the provider (the
    service says why one cannot be joined); it offers the suitable ones,
    grouped by programme."""

    def _set_group_choices(self, groups, *, required: bool) -> None:
        field = self.fields["group"]
        field.required = required
        choices: dict[str, list] = {}
        option_data = {}
        for group in groups:
            choices.setdefault(template_label(group.template), []).append((group.pk, group_option_label(group)))
            option_data[str(group.pk)] = {
                "data-programme": programme_key(group.template),
                "data-setting": group.setting,
            }
        field.choices = [("", _("— choose —")), *choices.items()]
        field.widget.option_data = option_data


class StayForm(forms.Form):
    """A participant's stay at a residential centre: the arrival, whether
    the police brought them (and which unit, if known), the departure."""

    arrival_on = PlausibleDateField(label=_("Arrival at the centre"), widget=DateInput(), required=False)
    brought_by_police = forms.BooleanField(label=_("Brought by the police"), required=False)
    police_unit = FacilityChoiceField(
        label=_("Police unit"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("— not known —"),
    )
    departure_on = PlausibleDateField(
        label=_("Departure"), widget=DateInput(), required=False, help_text=_("Leave empty until it is known.")
    )

    def __init__(self, *args, police_units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if police_units is not None:
            self.fields["police_unit"].queryset = police_units

    def stay(self) -> StayDetails | None:
        """The stay as the services take it; None when nothing was entered."""
        data = self.cleaned_data
        if not (data.get("arrival_on") or data.get("departure_on") or data.get("brought_by_police")):
            return None if not data.get("police_unit") else StayDetails(None, False, data["police_unit"], None)
        return StayDetails(
            arrival_on=data.get("arrival_on"),
            brought_by_police=bool(data.get("brought_by_police")),
            police_unit=data.get("police_unit"),
            departure_on=data.get("departure_on"),
        )

    @staticmethod
    def initial_for(stay) -> dict:
        if stay is None:
            return {}
        return {
            "arrival_on": stay.arrival_on,
            "brought_by_police": stay.brought_by_police,
            "police_unit": stay.police_unit_id,
            "departure_on": stay.departure_on,
        }


class EnrolForm(_GroupChoiceMixin, StayForm):
    template = TemplateChoiceField(label=_("Programme"), queryset=None, empty_label=_("— choose —"), widget=DataSelect)
    starts_on = PlausibleDateField(label=_("Start"), widget=DateInput())
    group = forms.ModelChoiceField(label=_("Group"), queryset=None, required=False, widget=DataSelect)
    psychologist = StaffChoiceField(
        label=_("Psychologist for individual sessions"), queryset=None, empty_label=_("— choose —")
    )
    allow_clash = forms.BooleanField(
        label=_("Plan despite clashes"),
        required=False,
        help_text=_(
            "Only when the psychologist's diary is full: the sessions then go into the first hours after the "
            "notice even where the psychologist has another session."
        ),
    )

    def __init__(self, *args, templates, groups, all_templates, all_groups, psychologists, window_url, **kwargs):
        super().__init__(*args, **kwargs)
        # The legal window beside the form follows the programme and the start.
        for name in ("template", "starts_on"):
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": window_url,
                    "hx-trigger": "change",
                    "hx-target": "#pset-legal-window",
                    "hx-swap": "outerHTML",
                    "hx-include": "#id_template, #id_starts_on",
                }
            )
        templates = list(templates)
        field = self.fields["template"]
        field.queryset = all_templates
        field.choices = [("", field.empty_label)] + [(t.pk, template_label(t)) for t in templates]
        field.widget.option_data = {
            str(t.pk): {"data-programme": programme_key(t), "data-group-sessions": str(t.group_sessions)}
            for t in templates
        }
        self.fields["group"].queryset = all_groups
        self._set_group_choices(groups, required=False)
        self.fields["psychologist"].queryset = psychologists


class MoveGroupForm(_GroupChoiceMixin, forms.Form):
    group = forms.ModelChoiceField(label=_("New group"), queryset=None, widget=DataSelect)

    def __init__(self, *args, groups, all_groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = all_groups
        self._set_group_choices(groups, required=True)


class ProviderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.shown_name} — {obj.region}, {obj.get_country_display()}"


class TransferForm(forms.Form):
    provider = ProviderChoiceField(
        label=_("Transfer to"),
        queryset=Organisation.objects.none(),
        empty_label=_("— choose —"),
        error_messages={"invalid_choice": _("Choose another active programme provider.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("Short and non-clinical: the receiving provider and partner agencies may see it."),
    )

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
