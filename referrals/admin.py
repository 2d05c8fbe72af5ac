"""Administration of screening criteria. Referrals, people and survivors are
deliberately not registered: their data must not leave the scoped pages."""

from __future__ import annotations

from django.contrib import admin

from accounts.admin import OrganisationScopedMixin
from referrals.models import EligibilityCriterion


@admin.register(EligibilityCriterion)
class EligibilityCriterionAdmin(OrganisationScopedMixin, admin.ModelAdmin):
    """A provider's administrator edits the provider's own criteria; the
    shipped country defaults (no organisation) are for superusers."""

    list_display = ["code", "text_en", "country", "organisation", "effect", "position", "is_active"]
    list_filter = ["country", "organisation", "effect", "is_active"]
    list_select_related = ["organisation"]
    search_fields = ["code", "text_en", "text_ru"]
    ordering = ["country", "organisation", "position", "id"]
    autocomplete_fields = ["organisation"]
