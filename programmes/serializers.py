"""Shapes of the programme-templates API. Templates are reference data
(counts, span, hours), never personal data."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Country
from programmes.models import ProgrammeTemplate, TemplateSex


def _inline_choice(choices, help_text) -> serializers.ChoiceField:
    """A read-only choice whose allowed values are documented in place.

    drf-spectacular turns every enum into a component named after the
    field; "sex" and "status" already name other choice sets in the
    referral API (a person's sex, a referral's status), and sharing the
    name would rename those components or warn. Wrapped in ``allOf`` the
    values stay inline, exact and unambiguous."""

    @extend_schema_field({"allOf": [{"type": "string", "enum": [value for value, _label in choices]}]})
    class InlineChoiceField(serializers.ChoiceField):
        pass

    return InlineChoiceField(choices=choices, read_only=True, help_text=help_text)


class ProgrammeTemplateSerializer(serializers.ModelSerializer):
    country = serializers.ChoiceField(choices=Country.choices, read_only=True)
    sex = _inline_choice(
        TemplateSex.choices,
        _("Who the programme is for: male, female, or any (men and women always in separate groups)."),
    )
    status = _inline_choice(
        ProgrammeTemplate.Status.choices,
        _("draft (still being designed, e.g. a pilot; not run yet), active, or retired."),
    )
    shipped = serializers.SerializerMethodField(
        help_text=_("True for the templates shipped with the system; false for the caller's organisation's own.")
    )
    hours_required = serializers.DecimalField(
        max_digits=5,
        decimal_places=1,
        coerce_to_string=False,
        read_only=True,
        allow_null=True,
        help_text=_("Hours of sessions required, when the programme is defined by hours; otherwise null."),
    )
    planned_hours = serializers.DecimalField(
        max_digits=6,
        decimal_places=1,
        coerce_to_string=False,
        read_only=True,
        help_text=_("Hours of all the planned sessions together."),
    )

    class Meta:
        model = ProgrammeTemplate
        fields = [
            "id",
            "code",
            "version",
            "name",
            "country",
            "status",
            "shipped",
            "mandatory",
            "sex",
            "individual_sessions",
            "group_sessions",
            "span_weeks",
            "hours_required",
            "planned_hours",
        ]
        read_only_fields = fields

    def get_shipped(self, obj: ProgrammeTemplate) -> bool:
        return obj.provider_id is None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["planned_hours"] = round(instance.planned_hours, 1)
        return data
