"""The "Record what followed" form: it parses (numbers, dates, codes);
``notifications.sanctions.sanction_record`` decides which fields the chosen
kind needs and whether they fit the notice."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.dates import short_date
from notifications.models import SERVICE_HOURS_MAX, SERVICE_HOURS_MIN, Notice, Sanction
from notifications.sanctions import order_extensions_for
from referrals.models import ProtectionOrderExtension

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ExtensionChoiceField(forms.ModelChoiceField):
    """An extension of the referral's order, named by its dates."""

    def label_from_instance(self, obj) -> str:
        return _("until %(date)s (extended on %(on)s)") % {
            "date": short_date(obj.new_expiry),
            "on": short_date(obj.extended_on),
        }


class SanctionForm(forms.Form):
    kind = forms.ChoiceField(label=_("What followed"), choices=Sanction.Kind.choices, widget=forms.RadioSelect)
    fine_amount = forms.DecimalField(
        label=_("Amount of the fine"), required=False, max_digits=12, decimal_places=2, min_value=0
    )
    fine_currency = forms.ChoiceField(
        label=_("Currency"), required=False, choices=[("", _("Not given")), *Sanction.Currency.choices]
    )
    service_hours = forms.IntegerField(
        label=_("Hours of community service"),
        required=False,
        min_value=SERVICE_HOURS_MIN,
        max_value=SERVICE_HOURS_MAX,
        help_text=_("From %(min)s to %(max)s hours (Kyrgyzstan: 40).")
        % {"min": SERVICE_HOURS_MIN, "max": SERVICE_HOURS_MAX},
    )
    order_extension = ExtensionChoiceField(
        label=_("The order's extension"),
        required=False,
        queryset=ProtectionOrderExtension.objects.none(),
        empty_label=_("Not recorded yet: record it with the date below"),
    )
    extended_until = forms.DateField(
        label=_("Order now runs until"),
        required=False,
        widget=DATE_INPUT,
        help_text=_(
            "With no extension chosen above, this date is recorded on the referral as the order's extension, "
            "and the order's window follows it."
        ),
    )
    hearing_on = forms.DateField(label=_("Date of the hearing"), required=False, widget=DATE_INPUT)
    no_action_reason = forms.ChoiceField(
        label=_("Why no action"), required=False, choices=[("", "—"), *Sanction.NoActionReason.choices]
    )
    # The outcome shown when the form was opened (empty: none yet).
    replaces = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, notice: Notice, current: Sanction | None = None, **kwargs) -> None:
        if current is not None and not args and "data" not in kwargs:
            kwargs.setdefault(
                "initial",
                {
                    "kind": current.kind,
                    "fine_amount": current.fine_amount,
                    "fine_currency": current.fine_currency,
                    "service_hours": current.service_hours,
                    "order_extension": current.order_extension_id,
                    "extended_until": current.extended_until,
                    "hearing_on": current.hearing_on,
                    "no_action_reason": current.no_action_reason,
                    "replaces": current.pk,
                },
            )
        super().__init__(*args, **kwargs)
        field = self.fields["order_extension"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = order_extensions_for(notice)

    def parameters(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("replaces", None)
        return data
