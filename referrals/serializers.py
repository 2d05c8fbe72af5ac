"""Shapes of the referral API (for police information systems).

The serializers check types and shapes only: dates parse, choices exist,
lengths fit. Every rule about what makes a referral acceptable lives in
``referrals.services.referral_create``, which the web form calls too; the
view maps its errors onto the nested JSON shape used here.

Error messages never repeat what was sent: a rejected value may be personal
data, and error bodies end up in the calling system's logs.
"""

from __future__ import annotations

from typing import Any

from django.core.validators import MaxLengthValidator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Country, Language, Organisation
from core.validators import plausible_date
from referrals.models import INCIDENT_MAX_LENGTH, Referral, Relationship, RiskFlag, Sex, Source
from referrals.services import MAX_SURVIVORS

NAME_MAX_LENGTH = 100
ADDRESS_MAX_LENGTH = 500
HOUSEHOLD_MAX_LENGTH = 1000
PHONE_MAX_LENGTH = 32

PROVIDER_ERROR = _("Choose a programme provider from the list.")


def choose_one_of(codes):
    # Translated when the message is shown, not when this module is imported.
    return format_lazy(_("Choose one of: {codes}."), codes=", ".join(str(c) for c in codes))


def _choice(choices, **kwargs) -> serializers.ChoiceField:
    """A choice field whose error names the allowed codes, not the value sent."""
    return serializers.ChoiceField(
        choices=choices, error_messages={"invalid_choice": choose_one_of(value for value, _label in choices)}, **kwargs
    )


def _text(max_length: int, *, required: bool = True, **kwargs) -> serializers.CharField:
    if not required:
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("default", "")
    return serializers.CharField(max_length=max_length, required=required, trim_whitespace=True, **kwargs)


# -- request ----------------------------------------------------------------


class OrderSerializer(serializers.Serializer):
    number = _text(50, required=False, help_text=_("Protection order number."))
    issuing_authority = _text(200, required=False)
    issued_on = serializers.DateField(required=False, allow_null=True, default=None, validators=[plausible_date])
    expires_on = serializers.DateField(required=False, allow_null=True, default=None, validators=[plausible_date])
    obliges_programme = serializers.BooleanField(
        required=False, default=False, help_text=_("The order obliges the person to attend a programme.")
    )


class PersonSerializer(serializers.Serializer):
    family_name = _text(NAME_MAX_LENGTH)
    given_name = _text(NAME_MAX_LENGTH)
    patronymic = _text(NAME_MAX_LENGTH, required=False)
    sex = _choice(Sex.choices)
    birth_date = serializers.DateField(validators=[plausible_date])
    phone = _text(PHONE_MAX_LENGTH, required=False, help_text=_("International format, e.g. +996555123456."))
    address = _text(ADDRESS_MAX_LENGTH, required=False)
    preferred_language = _choice(Language.choices)
    household = _text(HOUSEHOLD_MAX_LENGTH, required=False, help_text=_("Who lives in the household."))


class SurvivorListSerializer(serializers.ListSerializer):
    # ``max_length`` refuses a longer list first; the validator repeats the
    # limit only so that the schema shows ``maxItems``.
    default_validators = [MaxLengthValidator(MAX_SURVIVORS)]


class SurvivorSerializer(serializers.Serializer):
    family_name = _text(NAME_MAX_LENGTH)
    given_name = _text(NAME_MAX_LENGTH)
    relationship = _choice(Relationship.choices, help_text=_("Relationship to the referred person."))
    phone = _text(PHONE_MAX_LENGTH, required=False)
    address = _text(ADDRESS_MAX_LENGTH, required=False)
    children_in_household = serializers.IntegerField(min_value=0, max_value=50, required=False, default=0)
    consents_to_contact = serializers.BooleanField(
        required=False, default=False, help_text=_("Agrees to be contacted by the programme or a crisis centre.")
    )

    class Meta:
        list_serializer_class = SurvivorListSerializer


class ReferralCreateSerializer(serializers.Serializer):
    provider = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.filter(kind=Organisation.Kind.PROGRAMME_PROVIDER, is_active=True),
        error_messages={"does_not_exist": PROVIDER_ERROR, "incorrect_type": PROVIDER_ERROR},
        help_text=_("Id of a programme provider from GET /api/v1/providers/."),
    )
    source = _choice(
        Source.choices,
        required=False,
        default=Source.POLICE,
        help_text=_(
            "A police unit: the source it relays (default police). Any other referring body is its own source "
            "(court, child_rights, womens_centre, other) and what is sent here is not used."
        ),
    )
    order = OrderSerializer(required=False, allow_null=True, help_text=_("The protection order, if there is one."))
    person = PersonSerializer(help_text=_("The person referred to the programme."))
    survivors = SurvivorSerializer(
        many=True,
        max_length=MAX_SURVIVORS,
        error_messages={"max_length": _("At most {max_length} survivors can be entered on one referral.")},
    )
    incident_description = _text(INCIDENT_MAX_LENGTH)
    risk_flags = serializers.MultipleChoiceField(
        choices=RiskFlag.choices,
        required=False,
        default=list,
        error_messages={
            "invalid_choice": choose_one_of(RiskFlag.values),
            "not_a_list": _("Send a list of risk flag codes."),
        },
    )
    external_id = _text(
        64, required=False, help_text=_("The police system's own reference; a repeat with it creates nothing new.")
    )
    court_decision_number = _text(
        50, required=False, help_text=_("A court's referral: the number of the decision that orders the programme.")
    )
    court_decision_date = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        validators=[plausible_date],
        help_text=_("A court's referral: the date of that decision."),
    )

    def service_kwargs(self) -> dict[str, Any]:
        """``validated_data`` as keyword arguments of ``referral_create``."""
        data = self.validated_data
        order = data.get("order") or {}
        return {
            "provider": data["provider"],
            "source": data["source"],
            "person": dict(data["person"]),
            "survivors": [dict(s) for s in data["survivors"]],
            "order": {
                "order_number": order.get("number", ""),
                "order_issuing_authority": order.get("issuing_authority", ""),
                "order_issued_on": order.get("issued_on"),
                "order_expires_on": order.get("expires_on"),
                "order_obliges_programme": order.get("obliges_programme", False),
                "court_decision_number": data.get("court_decision_number", ""),
                "court_decision_date": data.get("court_decision_date"),
            },
            "incident_description": data["incident_description"],
            "risk_flags": list(data.get("risk_flags") or []),
            "external_id": data.get("external_id", ""),
        }


# -- responses --------------------------------------------------------------


class ReferralCreatedSerializer(serializers.ModelSerializer):
    """What the API answers to a referral: its identity and status, no personal data."""

    reference = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Referral
        fields = ["id", "reference", "status", "status_display", "created_at"]
        read_only_fields = fields


class ProviderRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name"]
        read_only_fields = fields


class ReferralStatusSerializer(serializers.ModelSerializer):
    """The outcome of a referral as the referring police unit sees it."""

    reference = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    decline_reason = serializers.ChoiceField(
        choices=Referral.DeclineReason.choices, allow_blank=True, read_only=True, help_text=_("Empty unless declined.")
    )
    provider = ProviderRefSerializer(read_only=True)
    order_current_expiry = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "reference",
            "status",
            "status_display",
            "status_changed_at",
            "decline_reason",
            "decline_explanation",
            "provider",
            "order_current_expiry",
        ]
        read_only_fields = fields


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string", "enum": Language.values},
        "description": "Languages the programme is run in (codes as for a person's preferred_language).",
    }
)
class LanguagesField(serializers.ListField):
    # Described inline: a second named enum of the same languages would only confuse generated clients.
    child = serializers.CharField()


class ProviderSerializer(serializers.ModelSerializer):
    country = serializers.ChoiceField(choices=Country.choices, read_only=True)
    languages = LanguagesField(read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "country", "region", "languages"]
        read_only_fields = fields


# -- error bodies (documentation only) --------------------------------------


class ErrorDetailSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text=_("What went wrong, in the request's language."))


def _messages(**kwargs) -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(), required=False, **kwargs)


def _error_properties(serializer_class: type[serializers.Serializer]) -> dict[str, dict]:
    props = {name: {"type": "array", "items": {"type": "string"}} for name in serializer_class().fields}
    props["non_field_errors"] = {"type": "array", "items": {"type": "string"}}
    return props


class OrderErrorsSerializer(serializers.Serializer):
    non_field_errors = _messages()
    number = _messages()
    issuing_authority = _messages()
    issued_on = _messages()
    expires_on = _messages()
    obliges_programme = _messages()


class PersonErrorsSerializer(serializers.Serializer):
    non_field_errors = _messages()
    family_name = _messages()
    given_name = _messages()
    patronymic = _messages()
    sex = _messages()
    birth_date = _messages()
    phone = _messages()
    address = _messages()
    preferred_language = _messages()
    household = _messages()


@extend_schema_field(
    {
        "oneOf": [
            {
                "type": "array",
                "items": {"type": "string"},
                "description": "Messages about the list as a whole (missing, empty, too long).",
            },
            {
                "type": "array",
                "items": {"type": "object", "properties": _error_properties(SurvivorSerializer)},
                "description": "One object per survivor sent, in the same order; {} for a survivor without errors.",
            },
        ]
    }
)
class SurvivorErrorsField(serializers.Field):
    pass


class ReferralErrorsSerializer(serializers.Serializer):
    """A 400 answer: messages keyed like the request body. A body that is not
    JSON, or a bad Idempotency-Key header, gives ``detail`` instead."""

    detail = serializers.CharField(required=False)
    non_field_errors = _messages()
    provider = _messages()
    source = _messages()
    order = OrderErrorsSerializer(required=False)
    person = PersonErrorsSerializer(required=False)
    survivors = SurvivorErrorsField(required=False)
    incident_description = _messages()
    risk_flags = _messages()
    external_id = _messages()


# -- the referring body's list and status history ----------------------------


class ReferralListItemSerializer(ReferralStatusSerializer):
    """One row of GET /api/v1/referrals/: identity, status and dates, never
    a person's or a survivor's details."""

    source = serializers.ChoiceField(choices=Source.choices, read_only=True)  # type: ignore[assignment]
    external_id = serializers.CharField(
        read_only=True, help_text=_("The calling system's own reference, as sent; empty if none was.")
    )

    class Meta(ReferralStatusSerializer.Meta):
        fields = [*ReferralStatusSerializer.Meta.fields, "source", "external_id", "created_at"]
        read_only_fields = fields


class HistoryEntrySerializer(serializers.Serializer):
    """One entry of a referral's status history, as the referrer's page shows it."""

    at = serializers.DateTimeField(read_only=True)
    kind = serializers.CharField(read_only=True, help_text=_("A stable code, e.g. referral_received, accepted."))
    # A declared field shadows Field.label only on the class; DRF collects it as a field.
    label = serializers.CharField(  # type: ignore[assignment]
        source="kind_label", read_only=True, help_text=_("The kind in the request's language.")
    )
    detail = serializers.CharField(
        source="detail_text",
        read_only=True,
        help_text=_("A short non-personal detail, in the request's language; may be empty."),
    )
    organisation = ProviderRefSerializer(
        source="actor_organisation", read_only=True, help_text=_("The organisation that made the change.")
    )


class ReferralHistorySerializer(serializers.Serializer):
    referral = serializers.IntegerField(source="referral.pk", read_only=True)
    reference = serializers.CharField(source="referral.reference", read_only=True)
    status = serializers.CharField(source="referral.status", read_only=True)
    entries = HistoryEntrySerializer(many=True, read_only=True)


class ReferralFilterErrorsSerializer(serializers.Serializer):
    """A 400 answer to the list: messages per query parameter."""

    status = _messages()
    created_after = _messages()
    created_before = _messages()
    non_field_errors = _messages()
