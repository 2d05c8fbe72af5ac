"""Programme templates as JSON, for partner systems (GET /api/v1/programme-templates/).

Templates are reference data, not personal data: any signed-in member of
an organisation may list them. Provider staff see their organisation's own
templates and every shipped one; anyone else the shipped ones. Only current
versions (a template in use is versioned when it changes).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated

from accounts.api_permissions import Allows, api_scope
from accounts.models import Country
from core.throttling import SharedUserRateThrottle
from programmes.models import ProgrammeTemplate
from programmes.selectors import templates_browsable
from programmes.serializers import ProgrammeTemplateSerializer
from referrals.serializers import ErrorDetailSerializer

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
            401: OpenApiResponse(ErrorDetailSerializer, description="No token, or an invalid token."),
            403: OpenApiResponse(ErrorDetailSerializer, description="The token's user has no organisation."),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[ProgrammeTemplate]:
        country = self.request.query_params.get("country")
        if country is not None and country not in Country.values:
            raise ValidationError({"country": [_("Choose one of: %(codes)s.") % {"codes": ", ".join(Country.values)}]})
        return templates_browsable(api_scope(self.request), country=country or "")
