"""Administration of risk instruments (items, weights, thresholds as data).
Cases, safety plans and survivor contacts are deliberately not registered."""

from __future__ import annotations

from django.contrib import admin

from accounts.admin import OrganisationScopedMixin
from casework.models import RiskInstrument, RiskItem, RiskThreshold


class RiskItemInline(admin.TabularInline):
    model = RiskItem
    extra = 0
    fields = ["position", "code", "text_en", "text_ru", "weight", "forces_level", "referral_flag"]


class RiskThresholdInline(admin.TabularInline):
    model = RiskThreshold
    extra = 0


@admin.register(RiskInstrument)
class RiskInstrumentAdmin(OrganisationScopedMixin, admin.ModelAdmin):
    """An organisation's administrator manages the instruments it holds a
    licence for; the shipped ones (no organisation) are for superusers."""

    list_display = ["name", "code", "organisation", "is_active"]
    list_filter = ["is_active", "organisation"]
    list_select_related = ["organisation"]
    search_fields = ["name", "code"]
    inlines = [RiskItemInline, RiskThresholdInline]
    autocomplete_fields = ["organisation"]
