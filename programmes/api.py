"""Programmes as JSON, for partner systems and a provider's own systems.

GET /api/v1/programme-templates/: templates are reference data, not personal
data: any signed-in member of an organisation may list them. Provider staff
see their organisation's own templates and every shipped one; anyone else the
shipped ones. Only current versions (a template in use is versioned when it
changes).

GET /api/v1/enrolments/ and /api/v1/enrolments/{id}/attendance/: a
provider's staff read its enrolments and their attendance, through the
selectors and the check of the enrolment pages; identity, status, dates and
counts only (no person's or survivor's details, no session notes).
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_permissions import Allows, api_scope
from accounts.models import Country
from core.throttling import SharedUserRateThrottle
from programmes.models import Enrolment, ProgrammeTemplate
from programmes.selectors import (
    enrolment_sessions,
    enrolments_visible_to,
    get_enrolment_for_user,
    progress,
    progress_for_enrolments,
    templates_browsable,
)
from programmes.serializers import (
    EnrolmentAttendanceSerializer,
    EnrolmentFilterErrorsSerializer,
    EnrolmentSerializer,
    ProgrammeTemplateSerializer,
)
from referrals.api import AUTH_ERRORS, DEMO_PROVIDER, OldestFirstCursor, page_responses
from referrals.serializers import ErrorDetailSerializer, choose_one_of

# Ids as the demo data gets them in a new database (see referrals.api): its
# enrolment 5 is an active one in group 1, the voluntary men's group, which
# runs the shipped template 3; session 51 is his first individual session.
DEMO_ENROLMENT = 5
DEMO_GROUP = {"id": 1, "name": "Men's group, voluntary programme"}
DEMO_PROGRAMME = {
    "id": 3,
    "code": "kg-annex3-voluntary-men",
    "version": 1,
    "name": "Kyrgyzstan Annex 3, voluntary, men (2 + 24 weekly, 6 months)",
}

# Reference data: any member of an organisation (the ``member`` check).
HasOrganisation = Allows("member", _("Only members of an organisation may use this API."))


class ProgrammeTemplateListView(generics.ListAPIView):
    permission_classes = [IsAuthenticated, HasOrganisation]
    throttle_classes = [SharedUserRateThrottle]
    serializer_class = ProgrammeTemplateSerializer
    pagination_class = None

    @extend_schema(
        operation_id="programme_template_list",
        tags=["programme templates"],
        summary="Programme templates",
        description=(
            "The current version of every programme template the caller may see: those shipped with the "
            "system (one per known programme in Central Asia) and, for a programme provider's staff, the "
            "provider's own adapted copies first."
        ),
        parameters=[
            OpenApiParameter(
                "country",
                str,
                OpenApiParameter.QUERY,
                required=False,
                enum=Country.values,
                description="Only the shipped templates of this country (a provider's own ones stay).",
            )
        ],
        responses={
            200: ProgrammeTemplateSerializer(many=True),
            400: OpenApiResponse(description="An unknown country code."),
            **AUTH_ERRORS,
        },
        examples=[
            OpenApiExample(
                "A shipped programme",
                response_only=True,
                value={
                    **DEMO_PROGRAMME,
                    "country": "KG",
                    "status": "active",
                    "shipped": True,
                    "mandatory": False,
                    "sex": "male",
                    "individual_sessions": 2,
                    "group_sessions": 24,
                    "span_weeks": 26,
                    "hours_required": None,
                    "planned_hours": 50.0,
                    "facilitation": "pair",
                    "required_qualification": "kg_annex3",
                },
            )
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[ProgrammeTemplate]:
        country = self.request.query_params.get("country")
        if country is not None and country not in Country.values:
            raise ValidationError({"country": [_("Choose one of: %(codes)s.") % {"codes": ", ".join(Country.values)}]})
        return templates_browsable(api_scope(self.request), country=country or "")


# -- enrolments and attendance, for a provider's own systems -------------------

# The enrolment pages' own check: the provider's staff.
IsProviderStaff = Allows("provider_staff", _("Only a programme provider's staff may use this API."))


class EnrolmentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Enrolment.Status.choices,
        error_messages={"invalid_choice": choose_one_of(Enrolment.Status.values)},
    )
    group = django_filters.NumberFilter(field_name="group_id")

    class Meta:
        model = Enrolment
        fields = ["status", "group"]


class EnrolmentCursor(OldestFirstCursor):
    ordering = ("enrolled_at", "id")


PROGRESS_EXAMPLE = {
    "individual_required": 2,
    "individual_attended": 1,
    "group_required": 24,
    "group_attended": 6,
    "hours_required": None,
    "hours_attended": 14.0,
    "excused": 1,
    "unexcused": 0,
    "requirements_met": False,
}


class EnrolmentListView(generics.ListAPIView):
    permission_classes = [IsAuthenticated, IsProviderStaff]
    throttle_classes = [SharedUserRateThrottle]
    serializer_class = EnrolmentSerializer
    pagination_class = EnrolmentCursor
    filter_backends = [DjangoFilterBackend]
    filterset_class = EnrolmentFilter

    def get_queryset(self) -> QuerySet[Enrolment]:
        return enrolments_visible_to(api_scope(self.request))

    def get_serializer(self, *args, **kwargs):
        rows = args[0] if args else []
        kwargs.setdefault("context", self.get_serializer_context())
        kwargs["context"]["progress"] = progress_for_enrolments(rows)
        return super().get_serializer(*args, **kwargs)

    @extend_schema(
        operation_id="enrolment_list",
        tags=["enrolments"],
        summary="The provider's enrolments",
        description=(
            "Every enrolment the provider runs (and earlier ones of a case transferred to it), oldest first, "
            "50 a page (page_size up to 200; follow `next`), with the programme, the group, the status and the "
            "attendance tally against the programme's requirements. Identity, status, dates and counts only: "
            "no person's or survivor's details, no session notes."
        ),
        parameters=[
            OpenApiParameter(
                "status",
                str,
                OpenApiParameter.QUERY,
                required=False,
                enum=Enrolment.Status.values,
                description="Only enrolments in this status.",
            ),
            OpenApiParameter(
                "group", OpenApiTypes.INT, OpenApiParameter.QUERY, required=False, description="Only this group."
            ),
        ],
        responses=page_responses(EnrolmentSerializer, EnrolmentFilterErrorsSerializer),
        examples=[
            OpenApiExample(
                "A page of enrolments",
                response_only=True,
                value={
                    "id": DEMO_ENROLMENT,
                    "referral": {"id": 12, "reference": "R-00012"},
                    "case": 7,
                    "provider": DEMO_PROVIDER,
                    "programme": DEMO_PROGRAMME,
                    "group": DEMO_GROUP,
                    "status": "active",
                    "starts_on": "2025-05-13",
                    "group_from": "2025-05-13",
                    "enrolled_at": "2025-05-12T11:00:00+06:00",
                    "ended_on": None,
                    "end_reason": "",
                    "progress": PROGRESS_EXAMPLE,
                },
            )
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class EnrolmentAttendanceView(APIView):
    permission_classes = [IsAuthenticated, IsProviderStaff]
    throttle_classes = [SharedUserRateThrottle]

    @extend_schema(
        operation_id="enrolment_attendance",
        tags=["enrolments"],
        parameters=[
            OpenApiParameter(
                "id",
                OpenApiTypes.INT,
                OpenApiParameter.PATH,
                description="The enrolment's id.",
                examples=[OpenApiExample("An active enrolment of the demo consultation room", value=DEMO_ENROLMENT)],
            )
        ],
        summary="Attendance of one enrolment",
        description=(
            "The person's sessions (individual ones and their group's from the day they joined it, plus any "
            "other session they have a mark for) in date order, each with its status and the person's mark, and "
            "the tally against the programme's requirements. Never a session's notes or topic, nor who else "
            "attended. Another provider's enrolment is a 404."
        ),
        responses={
            200: EnrolmentAttendanceSerializer,
            **AUTH_ERRORS,
            404: OpenApiResponse(ErrorDetailSerializer, description="No such enrolment, or not this provider's."),
        },
        examples=[
            OpenApiExample(
                "Two sessions",
                response_only=True,
                value={
                    "enrolment": DEMO_ENROLMENT,
                    "status": "active",
                    "progress": PROGRESS_EXAMPLE,
                    "sessions": [
                        {
                            "session": 51,
                            "kind": "individual",
                            "number": 1,
                            "starts_at": "2025-05-13T10:00:00+06:00",
                            "duration_minutes": 60,
                            "session_status": "held",
                            "mark": "present",
                        },
                        {
                            "session": 1,
                            "kind": "group",
                            "number": 1,
                            "starts_at": "2025-05-27T10:00:00+06:00",
                            "duration_minutes": 120,
                            "session_status": "held",
                            "mark": "present",
                        },
                        {
                            "session": 2,
                            "kind": "group",
                            "number": 2,
                            "starts_at": "2025-06-03T10:00:00+06:00",
                            "duration_minutes": 120,
                            "session_status": "held",
                            "mark": "unexcused",
                        },
                    ],
                },
            )
        ],
    )
    def get(self, request: Request, id: int) -> Response:  # noqa: A002 - the path parameter is {id}
        enrolment = get_enrolment_for_user(api_scope(request), id)
        body = {"enrolment": enrolment, "progress": progress(enrolment), "sessions": enrolment_sessions(enrolment)}
        return Response(EnrolmentAttendanceSerializer(body).data)
