"""Monitoring figures as JSON for national statistics
(GET /api/v1/reports/outcomes/).

The same figures as the dashboard, suppressed the same way, for the same
users: monitoring viewers (their country) and programme managers (their
provider); anyone else 403. The filters are query parameters checked by the
dashboard's own form; a wrong one is a 400 naming the parameter.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_permissions import Allows, api_scope
from core.throttling import SharedUserRateThrottle
from programmes.api import DEMO_PROGRAMME
from referrals.api import AUTH_ERRORS, DEMO_PROVIDER
from reports.figures import build_report
from reports.forms import ReportFilterForm
from reports.serializers import MonitoringReportSerializer, ReportFilterErrorsSerializer

# The dashboard's own check (``monitor``): monitoring viewers and programme managers.
CanMonitor = Allows("monitor", _("Only monitoring viewers and programme managers may read these figures."))


PARAMETERS = [
    OpenApiParameter(
        "date_from",
        OpenApiTypes.DATE,
        OpenApiParameter.QUERY,
        required=False,
        description="First day of the period (YYYY-MM-DD, inclusive, not in the future).",
    ),
    OpenApiParameter(
        "date_to",
        OpenApiTypes.DATE,
        OpenApiParameter.QUERY,
        required=False,
        description="Last day of the period (inclusive, not in the future, not before date_from).",
    ),
    OpenApiParameter(
        "provider",
        OpenApiTypes.INT,
        OpenApiParameter.QUERY,
        required=False,
        description="Only this programme provider (an id from /api/v1/providers/ within the caller's scope).",
        examples=[OpenApiExample("The demo consultation room", value=DEMO_PROVIDER["id"])],
    ),
    OpenApiParameter(
        "region", str, OpenApiParameter.QUERY, required=False, description="Only providers in this region."
    ),
    OpenApiParameter(
        "template",
        str,
        OpenApiParameter.QUERY,
        required=False,
        description="Only enrolments in this programme (a template code, all its versions). Referral figures "
        "are not restricted by it.",
        examples=[OpenApiExample("A programme of the demo", value=DEMO_PROGRAMME["code"])],
    ),
    OpenApiParameter(
        "sex",
        str,
        OpenApiParameter.QUERY,
        required=False,
        enum=["male", "female"],
        description="Only referred men (male) or women (female); both when absent.",
    ),
]


class OutcomesReportView(APIView):
    permission_classes = [IsAuthenticated, CanMonitor]
    throttle_classes = [SharedUserRateThrottle]

    @extend_schema(
        operation_id="reports_outcomes",
        tags=["reports"],
        summary="Monitoring figures",
        description=(
            "Aggregate figures for monitoring and national statistics, the same as the monitoring dashboard: "
            "referrals by source, acceptance and enrolment rates, completion and dropout rates, the share still "
            "attending by session number, CTS-2 change and follow-up completion, for men and women, by provider, "
            "region and programme. Never a name or a case number. No figure comes from fewer than 5 people: such "
            'a figure is null with "suppressed": "small", and a figure that would let one be worked out is null '
            'with "suppressed": "secondary". A monitoring body sees its country, a programme manager their own '
            "provider."
        ),
        parameters=PARAMETERS,
        responses={
            200: MonitoringReportSerializer,
            400: OpenApiResponse(
                ReportFilterErrorsSerializer, description="A filter is not valid: messages per parameter."
            ),
            **AUTH_ERRORS,
        },
    )
    def get(self, request: Request) -> Response:
        scope = api_scope(request)
        form = ReportFilterForm(request.query_params, scope=scope)
        if not form.is_valid():
            raise ValidationError({field: [str(m) for m in messages] for field, messages in form.errors.items()})
        report = build_report(scope, form.filters(), template_names=dict(form.templates))
        return Response(MonitoringReportSerializer(report).data)
