"""JSON API for police information systems.

Police officers (token authentication) enter referrals, list the ones their
unit sent and follow their status and history. The API calls the same
service as the web form (``referrals.services.referral_create``), admits the
same roles (``accounts.api_permissions.Allows`` asks the pages' checks) and
reads through the same scoped selectors; its answers carry identity and
status only, never personal data. Request bodies are never logged.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from accounts.api_permissions import Allows, api_scope
from accounts.models import Country, Organisation
from core.api import BadRequest, RequestTooLarge
from core.errors import service_error_dict
from core.throttling import SharedUserRateThrottle
from referrals.models import Referral
from referrals.selectors import (
    get_own_referral_for_user,
    police_status_history,
    programme_providers,
    referrals_made_by,
)
from referrals.serializers import (
    ErrorDetailSerializer,
    ProviderSerializer,
    ReferralCreatedSerializer,
    ReferralCreateSerializer,
    ReferralErrorsSerializer,
    ReferralFilterErrorsSerializer,
    ReferralHistorySerializer,
    ReferralListItemSerializer,
    ReferralStatusSerializer,
    choose_one_of,
)
from referrals.services import referral_create

# A full referral (ten survivors, every text at its limit, all Cyrillic
# escaped as \uXXXX) is under 100 KiB.
MAX_BODY_BYTES = 256 * 1024

# Service error keys for the protection order → the "order" object's fields.
ORDER_FIELDS = {
    "order_number": "number",
    "order_issuing_authority": "issuing_authority",
    "order_issued_on": "issued_on",
    "order_expires_on": "expires_on",
    "order_obliges_programme": "obliges_programme",
}
NESTED_OBJECTS = {"person", "order"}
TOP_LEVEL_FIELDS = set(ReferralCreateSerializer().fields) - NESTED_OBJECTS - {"survivors"}
NON_FIELD = "non_field_errors"


# The referral pages' own check: the referring body's officers (police, court, commission, ...).
IsReferrer = Allows("referrer", _("Only a referring body's officers may use this API."))


class ReferrerAPIView(APIView):
    permission_classes = [IsAuthenticated, IsReferrer]
    throttle_classes = [SharedUserRateThrottle]


# -- errors -----------------------------------------------------------------


def nest_service_errors(message_dict: Mapping[str, Sequence[str]], survivor_count: int) -> dict:
    """Map ``referral_create``'s flat error keys onto the request's shape.

    ``person.birth_date`` → ``{"person": {"birth_date": [...]}}``;
    ``survivors.0.phone`` → ``{"survivors": [{"phone": [...]}, {}, ...]}``
    (one object per survivor sent); ``order_expires_on`` →
    ``{"order": {"expires_on": [...]}}``; ``__all__`` → ``non_field_errors``.
    """
    out: dict = {}
    by_survivor: dict[int, dict[str, list]] = {}
    for key, messages in message_dict.items():
        messages = [str(m) for m in messages]
        head, _dot, rest = key.partition(".")
        if key in ORDER_FIELDS:
            out.setdefault("order", {}).setdefault(ORDER_FIELDS[key], []).extend(messages)
        elif head == "survivors" and rest:
            index, _dot, field = rest.partition(".")
            if index.isdigit():
                by_survivor.setdefault(int(index), {}).setdefault(field or NON_FIELD, []).extend(messages)
            else:
                out.setdefault(NON_FIELD, []).extend(messages)
        elif head in NESTED_OBJECTS:
            out.setdefault(head, {}).setdefault(rest or NON_FIELD, []).extend(messages)
        elif key in TOP_LEVEL_FIELDS or key == "survivors":
            out.setdefault(key, []).extend(messages)
        else:
            # "__all__" and anything that has no place in the request body.
            out.setdefault(NON_FIELD, []).extend(messages)
    if by_survivor:
        if "survivors" in out:
            out.setdefault(NON_FIELD, []).extend(out.pop("survivors"))
        size = max(survivor_count, max(by_survivor) + 1)
        out["survivors"] = [by_survivor.get(i, {}) for i in range(size)]
    return out


def _shape_serializer_errors(errors: Mapping, survivor_count: int) -> dict:
    """Give the serializer's errors the documented shape. ``person`` and
    ``order`` are always objects; ``survivors`` is a list of strings about
    the list as a whole, or one object per survivor sent. (DRF reports a
    wrong list as ``{"non_field_errors": [...]}``, item errors as
    ``{"0": {...}}``, and a missing object as a list of strings.)"""
    errors = dict(errors)
    for name in NESTED_OBJECTS:
        # "This field is required." about a nested object: keep it an object.
        if isinstance(errors.get(name), list):
            errors[name] = {NON_FIELD: errors[name]}
    survivors = errors.get("survivors")
    if isinstance(survivors, Mapping):
        by_index = {int(k): v for k, v in survivors.items() if str(k).isdigit()}
        whole = list(survivors.get(NON_FIELD, []))
        if by_index:
            size = max(survivor_count, max(by_index) + 1)
            errors["survivors"] = [by_index.get(i, {}) for i in range(size)]
            if whole:
                errors[NON_FIELD] = [*errors.get(NON_FIELD, []), *whole]
        else:
            errors["survivors"] = whole
    return errors


def _idempotency_key(request: Request) -> uuid.UUID | None:
    raw = request.headers.get("Idempotency-Key", "").strip()
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise BadRequest(_("The Idempotency-Key header must be a UUID.")) from None


def _refuse_large_body(request: Request) -> None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        raise RequestTooLarge()


# -- views ------------------------------------------------------------------

IDEMPOTENCY_KEY = OpenApiParameter(
    name="Idempotency-Key",
    type=OpenApiTypes.UUID,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "A UUID the calling system generates once per referral and repeats on every retry. "
        "A repeat with the same key (or the same external_id) answers 200 with the referral "
        "already recorded and creates nothing."
    ),
)
# Which roles may call an operation is documented from its check (accounts.api_schema).
FORBIDDEN = "The token's user may not call this operation: see who may call it."
AUTH_ERRORS = {
    401: OpenApiResponse(ErrorDetailSerializer, description="No token, or an invalid token."),
    403: OpenApiResponse(ErrorDetailSerializer, description=FORBIDDEN),
}

# The examples' ids are those the demo data (frontdoor/demo, ``make run``) gets
# in a new database, where rows are numbered in the order it creates them:
# organisation 1 is its Kyrgyz police unit, 2 the Bishkek Consultation Room,
# referral 4 an accepted and 5 an enrolled one of that unit
# (tests/api/test_schema_examples.py keeps them true).
DEMO_POLICE_UNIT = {"id": 1, "name": "Bishkek City Police, Oktyabrsky District"}
DEMO_PROVIDER = {"id": 2, "name": "Bishkek Consultation Room"}
DEMO_REFERRAL_ID = OpenApiParameter(
    "id",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description="The referral's id.",
    examples=[OpenApiExample("An accepted referral of the demo police unit", value=4)],
)

EXAMPLE_REFERRAL = {
    "provider": DEMO_PROVIDER["id"],
    "source": "police",
    "order": {
        "number": "PO-2025-0142",
        "issuing_authority": "Pervomaisky district police",
        "issued_on": "2025-05-02",
        "expires_on": "2025-06-01",
        "obliges_programme": True,
    },
    "person": {
        "family_name": "Asanov",
        "given_name": "Bakyt",
        "patronymic": "",
        "sex": "male",
        "birth_date": "1985-04-12",
        "phone": "+996555123456",
        "address": "Bishkek, Primernaya 1",
        "preferred_language": "ky",
        "household": "Wife, two children, mother",
    },
    "survivors": [
        {
            "family_name": "Asanova",
            "given_name": "Aigul",
            "relationship": "partner",
            "phone": "+996700987654",
            "address": "Bishkek, Tainyi 7-3",
            "children_in_household": 2,
            "consents_to_contact": True,
        }
    ],
    "incident_description": "Pushed and threatened his wife at home.",
    "risk_flags": ["threat_to_kill"],
    "external_id": "KG-PD-2025-000142",
}


class ReferralFilter(django_filters.FilterSet):
    """The list's filters; a value that does not parse is a 400 naming the
    parameter (``DjangoFilterBackend`` raises the form's errors)."""

    # The message names the allowed codes, never the value sent.
    status = django_filters.ChoiceFilter(
        choices=Referral.Status.choices,
        error_messages={"invalid_choice": choose_one_of(Referral.Status.values)},
    )
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Referral
        fields = ["status", "created_after", "created_before"]

    @property
    def qs(self):
        if self.is_bound and self.form.is_valid():
            after, before = self.form.cleaned_data.get("created_after"), self.form.cleaned_data.get("created_before")
            if after and before and after >= before:
                raise ValidationError({"created_before": [_("Give a moment later than created_after.")]})
        return super().qs


class OldestFirstCursor(CursorPagination):
    """Oldest first, so a calling system can page through everything and
    come back later for what is new, 50 a page (``page_size`` up to 200).
    A subclass names the ``ordering``, ending with ``id`` to break ties."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ReferralCursor(OldestFirstCursor):
    ordering = ("created_at", "id")


def page_responses(item: type[Serializer], filter_errors: type[Serializer]) -> dict:
    """The documented answers of a list read a page at a time (``OldestFirstCursor``)."""
    return {
        200: item(many=True),
        400: OpenApiResponse(filter_errors, description="A filter value is not valid: messages per parameter."),
        **AUTH_ERRORS,
        404: OpenApiResponse(ErrorDetailSerializer, description="The cursor is not valid."),
    }


LIST_PARAMETERS = [
    OpenApiParameter(
        "status",
        str,
        OpenApiParameter.QUERY,
        required=False,
        enum=Referral.Status.values,
        description="Only referrals in this status.",
    ),
    OpenApiParameter(
        "created_after",
        OpenApiTypes.DATETIME,
        OpenApiParameter.QUERY,
        required=False,
        description="Only referrals entered at or after this moment (ISO 8601, e.g. 2025-05-01T00:00:00+06:00).",
    ),
    OpenApiParameter(
        "created_before",
        OpenApiTypes.DATETIME,
        OpenApiParameter.QUERY,
        required=False,
        description="Only referrals entered before this moment (ISO 8601); later than created_after.",
    ),
]


class ReferralCollectionView(generics.ListAPIView):
    """``/api/v1/referrals/``: GET lists the unit's referrals, POST enters one."""

    permission_classes = ReferrerAPIView.permission_classes
    throttle_classes = ReferrerAPIView.throttle_classes
    serializer_class = ReferralListItemSerializer
    pagination_class = ReferralCursor
    filter_backends = [DjangoFilterBackend]
    filterset_class = ReferralFilter

    def get_queryset(self) -> QuerySet[Referral]:
        return referrals_made_by(api_scope(self.request)).prefetch_related("order_extensions")

    @extend_schema(
        operation_id="referral_list",
        tags=["referrals"],
        summary="Referrals this unit sent",
        description=(
            "Every referral entered by the caller's referring body (by any of its officers, on the web or through "
            "the API), oldest first, 50 a page (page_size up to 200). Follow `next` to page on: it carries a "
            "cursor, so a referral entered meanwhile is neither skipped nor repeated. Identity, status and dates "
            "only: no person's or survivor's details."
        ),
        parameters=LIST_PARAMETERS,
        responses=page_responses(ReferralListItemSerializer, ReferralFilterErrorsSerializer),
        examples=[
            OpenApiExample(
                "A page of referrals",
                response_only=True,
                value={
                    "id": 5,
                    "reference": "R-00005",
                    "status": "enrolled",
                    "status_display": "Enrolled",
                    "status_changed_at": "2025-05-20T10:15:00+06:00",
                    "decline_reason": "",
                    "decline_explanation": "",
                    "provider": DEMO_PROVIDER,
                    "order_current_expiry": "2025-06-01",
                    "source": "police",
                    "external_id": "KG-PD-2025-000142",
                    "created_at": "2025-05-02T09:30:00+06:00",
                },
            )
        ],
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="referral_create",
        tags=["referrals"],
        summary="Enter a referral",
        description=(
            "Records a referral from the caller's referring body, through the same checks as the web form. "
            "The answer carries the referral's identity and status only."
        ),
        parameters=[IDEMPOTENCY_KEY],
        request=ReferralCreateSerializer,
        examples=[OpenApiExample("A police referral", value=EXAMPLE_REFERRAL, request_only=True)],
        responses={
            201: OpenApiResponse(ReferralCreatedSerializer, description="Referral recorded."),
            200: OpenApiResponse(
                ReferralCreatedSerializer, description="A repeat (same Idempotency-Key or external_id): nothing new."
            ),
            400: OpenApiResponse(
                ReferralErrorsSerializer,
                description="Invalid referral: messages keyed like the request body; nothing was recorded.",
            ),
            **AUTH_ERRORS,
            413: OpenApiResponse(ErrorDetailSerializer, description="The request body is too large."),
        },
    )
    def post(self, request: Request) -> Response:
        _refuse_large_body(request)
        submission_key = _idempotency_key(request)
        serializer = ReferralCreateSerializer(data=request.data)
        if not serializer.is_valid():
            sent = request.data.get("survivors") if isinstance(request.data, Mapping) else None
            count = len(sent) if isinstance(sent, list) else 0
            raise ValidationError(_shape_serializer_errors(serializer.errors, count))
        kwargs = serializer.service_kwargs()
        try:
            referral, created = referral_create(by=request.user, submission_key=submission_key, **kwargs)
        except DjangoValidationError as exc:
            raise ValidationError(nest_service_errors(service_error_dict(exc), len(kwargs["survivors"]))) from None
        body = ReferralCreatedSerializer(referral).data
        if not created:
            return Response(body, status=status.HTTP_200_OK)
        location = reverse("api-referral-detail", kwargs={"id": referral.pk})
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})


class ReferralDetailView(ReferrerAPIView):
    @extend_schema(
        operation_id="referral_status",
        tags=["referrals"],
        parameters=[DEMO_REFERRAL_ID],
        summary="Status of a referral",
        description=(
            "A referral entered by the caller's referring body: its status and outcome, nothing clinical. "
            "Another body's referral is a 404."
        ),
        responses={
            200: ReferralStatusSerializer,
            **AUTH_ERRORS,
            404: OpenApiResponse(
                ErrorDetailSerializer, description="No such referral, or not one of this referring body's."
            ),
        },
        examples=[
            OpenApiExample(
                "An accepted referral",
                response_only=True,
                value={
                    "id": 4,
                    "reference": "R-00004",
                    "status": "accepted",
                    "status_display": "Accepted",
                    "status_changed_at": "2025-05-06T14:00:00+06:00",
                    "decline_reason": "",
                    "decline_explanation": "",
                    "provider": DEMO_PROVIDER,
                    "order_current_expiry": "2025-06-01",
                },
            )
        ],
    )
    def get(self, request: Request, id: int) -> Response:  # noqa: A002 - the path parameter is {id}
        referral = get_own_referral_for_user(api_scope(request), id)
        return Response(ReferralStatusSerializer(referral).data)


class ReferralHistoryView(ReferrerAPIView):
    @extend_schema(
        operation_id="referral_history",
        tags=["referrals"],
        parameters=[DEMO_REFERRAL_ID],
        summary="Status history of a referral",
        description=(
            "The course of a referral entered by the caller's referring body, as its page shows it: received, "
            "screening, accepted or declined, enrolled, ended, orders extended; oldest first. Never the work "
            "with the person (sessions, notes) and never survivor data. Another body's referral is a 404."
        ),
        responses={
            200: ReferralHistorySerializer,
            **AUTH_ERRORS,
            404: OpenApiResponse(
                ErrorDetailSerializer, description="No such referral, or not one of this referring body's."
            ),
        },
        examples=[
            OpenApiExample(
                "A referral accepted",
                response_only=True,
                value={
                    "referral": 4,
                    "reference": "R-00004",
                    "status": "accepted",
                    "entries": [
                        {
                            "at": "2025-05-02T09:30:00+06:00",
                            "kind": "referral_received",
                            "label": "Referral received",
                            "detail": "",
                            "organisation": DEMO_POLICE_UNIT,
                        },
                        {
                            "at": "2025-05-05T11:00:00+06:00",
                            "kind": "screening_started",
                            "label": "Screening started",
                            "detail": "",
                            "organisation": DEMO_PROVIDER,
                        },
                        {
                            "at": "2025-05-06T14:00:00+06:00",
                            "kind": "accepted",
                            "label": "Referral accepted",
                            "detail": "",
                            "organisation": DEMO_PROVIDER,
                        },
                    ],
                },
            )
        ],
    )
    def get(self, request: Request, id: int) -> Response:  # noqa: A002 - the path parameter is {id}
        scope = api_scope(request)
        referral = get_own_referral_for_user(scope, id)
        entries = police_status_history(scope, referral).order_by("at", "id")
        return Response(ReferralHistorySerializer({"referral": referral, "entries": entries}).data)


class ProviderListView(generics.ListAPIView):
    permission_classes = ReferrerAPIView.permission_classes
    throttle_classes = ReferrerAPIView.throttle_classes
    serializer_class = ProviderSerializer
    pagination_class = None

    @extend_schema(
        operation_id="provider_list",
        tags=["providers"],
        summary="Programme providers",
        description=(
            "Active programme providers a referral can be sent to (the `provider` id of a referral), "
            "those of the caller's own country first."
        ),
        parameters=[
            OpenApiParameter(
                "country",
                str,
                OpenApiParameter.QUERY,
                required=False,
                enum=Country.values,
                description="Only this country.",
            )
        ],
        responses={200: ProviderSerializer(many=True), **AUTH_ERRORS},
        examples=[
            OpenApiExample(
                "The demo consultation room",
                response_only=True,
                value={**DEMO_PROVIDER, "country": "KG", "region": "Bishkek", "languages": ["ky", "ru"]},
            )
        ],
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Organisation]:
        # Reference data, not records: every police unit may list every provider.
        qs = programme_providers(api_scope(self.request))
        country = self.request.query_params.get("country")
        if country is not None:
            if country not in Country.values:
                raise ValidationError(
                    {"country": [_("Choose one of: %(codes)s.") % {"codes": ", ".join(Country.values)}]}
                )
            qs = qs.filter(country=country)
        return qs
