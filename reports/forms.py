"""The dashboard's filters: a period and, within the user's scope, a
provider, a region and a programme. The same form checks the API's query
parameters."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scope import Scope
from core.forms import PlausibleDateField
from referrals.models import Sex
from reports import selectors
from reports.selectors import Filters


class PeriodForm(forms.Form):
    """A reporting period; both ends optional and inclusive, neither in the
    future, the end not before the start."""

    date_from = PlausibleDateField(
        label=_("From"), required=False, latest=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = PlausibleDateField(
        label=_("To"), required=False, latest=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean_date_from(self):
        value = self.cleaned_data["date_from"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The period cannot start in the future."), code="future")
        return value

    def clean_date_to(self):
        value = self.cleaned_data["date_to"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The period cannot end in the future."), code="future")
        return value

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error(
                "date_to", forms.ValidationError(_("The end of the period is before its start."), code="order")
            )
        return cleaned


class ReportFilterForm(PeriodForm):
    """Only values within the scope are offered, and only they are valid: a
    provider outside it gets the same message as one that does not exist."""

    provider = forms.ChoiceField(
        label=_("Provider"),
        required=False,
        error_messages={"invalid_choice": _("Choose one of the providers in the list.")},
    )
    region = forms.ChoiceField(
        label=_("Region"),
        required=False,
        error_messages={"invalid_choice": _("Choose one of the regions in the list.")},
    )
    template = forms.ChoiceField(
        label=_("Programme"),
        required=False,
        error_messages={"invalid_choice": _("Choose one of the programmes in the list.")},
    )
    sex = forms.ChoiceField(
        label=_("Men and women"),
        required=False,
        choices=[("", _("Men and women")), (Sex.MALE, _("Men")), (Sex.FEMALE, _("Women"))],
        error_messages={"invalid_choice": _("Choose men, women or both.")},
    )

    def __init__(self, data=None, *, scope: Scope, templates: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(data, **kwargs)
        providers = list(selectors.monitored_providers(scope))
        self._providers = {str(p.pk): p for p in providers}
        self.fields["provider"].choices = [("", _("All providers"))] + [(str(p.pk), p.shown_name) for p in providers]
        regions = sorted({p.region for p in providers}, key=str.casefold)
        self.fields["region"].choices = [("", _("All regions"))] + [(r, r) for r in regions]
        self.templates = templates if templates is not None else selectors.monitored_templates(scope)
        self.fields["template"].choices = [("", _("All programmes"))] + list(self.templates)

    def clean_provider(self):
        value = self.cleaned_data["provider"]
        return self._providers[value] if value else None

    def filters(self) -> Filters:
        """The checked filters (call after ``is_valid()``)."""
        data = self.cleaned_data
        return Filters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            provider=data.get("provider"),
            region=data.get("region") or "",
            template=data.get("template") or "",
            sex=data.get("sex") or "",
        )
