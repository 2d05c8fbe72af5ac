"""Shapes of the programmes API: templates (reference data: counts, span,
hours) and, for a provider's own systems, its enrolments and their
attendance (identity, status, dates and counts; never personal data or
anything said in a session)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Country
from core.shipped import shown
from programmes.models import (
    Attendance,
    Enrolment,
    Facilitation,
    ProgrammeTemplate,
    QualificationFamily,
    Session,
    TemplateSex,
)


def _inline_choice(choices, help_text, **kwargs) -> serializers.ChoiceField:
    """A read-only choice whose allowed values are documented in place.

    drf-spectacular turns every enum into a component named after the
    field; "sex" and "status" already name other choice sets in the
    referral API (a person's sex, a referral's status), and sharing the
    name would rename those components or warn. Wrapped in ``allOf`` the
    values stay inline, exact and unambiguous."""

    @extend_schema_field({"allOf": [{"type": "string", "enum": [value for value, _label in choices]}]})
    class InlineChoiceField(serializers.ChoiceField):
        pass

    return InlineChoiceField(choices=choices, read_only=True, help_text=help_text, **kwargs)


class ShippedNameField(serializers.CharField):
    """A template's name: a shipped template's in the answer's language
    (``core.shipped``), a provider's own as it was typed."""

    def to_representation(self, value) -> str:
        return shown(super().to_representation(value))


_NAME_HELP = _("The name; a template shipped with the system is named in the answer's language.")


class ProgrammeTemplateSerializer(serializers.ModelSerializer):
    name = ShippedNameField(read_only=True, help_text=_NAME_HELP)
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
    facilitation = _inline_choice(
        Facilitation.choices,
        _(
            "Who leads the group sessions: pair (a woman and a man), woman (one facilitator, a woman) or man "
            "(one facilitator, a man)."
        ),
    )
    required_qualification = serializers.SerializerMethodField(
        help_text=_(
            "The family of programmes the facilitators must be qualified for (kg_annex3, tj_consultation_room, "
            "kz_alternative, uz_correctional, other), or null when any trained facilitator may lead it."
        )
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
            "facilitation",
            "required_qualification",
        ]
        read_only_fields = fields

    @extend_schema_field({"allOf": [{"type": "string", "enum": QualificationFamily.values}], "nullable": True})
    def get_required_qualification(self, obj: ProgrammeTemplate) -> str | None:
        return obj.required_qualification or None

    def get_shipped(self, obj: ProgrammeTemplate) -> bool:
        return obj.provider_id is None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["planned_hours"] = round(instance.planned_hours, 1)
        return data


# -- enrolments and attendance, for a provider's own systems ------------------
# Identity, status, dates and counts only: never a person's details, a
# survivor's, or what was said in a session (notes, topics).


class _Ref(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class EnrolmentReferralSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    reference = serializers.CharField(read_only=True, help_text=_('The referral\'s reference, e.g. "R-00012".'))


class EnrolmentProgrammeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text=_("The template version's id (programme-templates)."))
    code = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)
    name = ShippedNameField(read_only=True, help_text=_NAME_HELP)


class EnrolmentProgressSerializer(serializers.Serializer):
    """Logged sessions only (held, or not held because nobody came)."""

    individual_required = serializers.IntegerField(read_only=True)
    individual_attended = serializers.IntegerField(read_only=True)
    group_required = serializers.IntegerField(read_only=True)
    group_attended = serializers.IntegerField(read_only=True)
    hours_required = serializers.DecimalField(
        max_digits=5, decimal_places=1, coerce_to_string=False, read_only=True, allow_null=True
    )
    hours_attended = serializers.DecimalField(max_digits=6, decimal_places=1, coerce_to_string=False, read_only=True)
    excused = serializers.IntegerField(read_only=True, help_text=_("Excused absences."))
    unexcused = serializers.IntegerField(
        source="unexcused_total", read_only=True, help_text=_("Unexcused absences that count.")
    )
    requirements_met = serializers.BooleanField(read_only=True)


class EnrolmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    referral = EnrolmentReferralSerializer(source="case.referral", read_only=True)
    case = serializers.IntegerField(source="case_id", read_only=True)
    provider = _Ref(read_only=True)
    programme = EnrolmentProgrammeSerializer(source="template", read_only=True)
    group = _Ref(read_only=True, allow_null=True, help_text=_("null for a programme of individual sessions only."))
    status = _inline_choice(
        Enrolment.Status.choices,
        _("active, completed, dropped_out, expelled, deselected or transferred."),
    )
    starts_on = serializers.DateField(read_only=True)
    group_from = serializers.DateField(read_only=True, allow_null=True)
    enrolled_at = serializers.DateTimeField(read_only=True)
    ended_on = serializers.DateField(read_only=True, allow_null=True)
    end_reason = serializers.CharField(
        read_only=True, help_text=_("The short reason given to partner agencies when it ended; empty otherwise.")
    )
    progress = serializers.SerializerMethodField()

    @extend_schema_field(EnrolmentProgressSerializer)
    def get_progress(self, enrolment: Enrolment):
        return EnrolmentProgressSerializer(self.context["progress"][enrolment.pk]).data


class AttendanceRowSerializer(serializers.Serializer):
    session = serializers.IntegerField(source="pk", read_only=True)
    kind = _inline_choice(Session.Kind.choices, _("individual or group."))
    number = serializers.IntegerField(read_only=True)
    starts_at = serializers.DateTimeField(read_only=True)
    duration_minutes = serializers.IntegerField(read_only=True)
    session_status = _inline_choice(
        Session.Status.choices, _("planned, held, not_held (nobody came) or cancelled."), source="status"
    )
    mark = serializers.SerializerMethodField(
        help_text=_("present, late, excused or unexcused; null when no mark was recorded.")
    )

    @extend_schema_field({"allOf": [{"type": "string", "enum": Attendance.Mark.values}], "nullable": True})
    def get_mark(self, session: Session):
        return getattr(session, "mark", "") or None  # set by enrolment_sessions


class EnrolmentAttendanceSerializer(serializers.Serializer):
    enrolment = serializers.IntegerField(source="enrolment.pk", read_only=True)
    status = serializers.CharField(source="enrolment.status", read_only=True)
    progress = EnrolmentProgressSerializer(read_only=True)
    sessions = AttendanceRowSerializer(many=True, read_only=True)


class EnrolmentFilterErrorsSerializer(serializers.Serializer):
    status = serializers.ListField(child=serializers.CharField(), required=False)
    group = serializers.ListField(child=serializers.CharField(), required=False)
