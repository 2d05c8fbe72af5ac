"""Administration: the questionnaire structure (read-only: it is shipped
data and scores depend on it) and the imported item wording, which an
organisation's administrator may review or remove for their organisation.

Questionnaires filled in, their scores and follow-up meetings are not
registered: they are clinical records (and a survivor's answers are hers)."""

from __future__ import annotations

from django.contrib import admin

from accounts.admin import OrganisationScopedMixin
from outcomes.models import Instrument, Item, ItemText, Scale


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ScaleInline(ReadOnlyInline):
    model = Scale
    fields = ["position", "code", "name", "parent"]
    readonly_fields = fields


class ItemInline(ReadOnlyInline):
    model = Item
    fields = ["number", "scale", "perspective", "pair"]
    readonly_fields = fields


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "version", "scoring_method", "is_active"]
    readonly_fields = ["code", "version", "name", "citation", "licence_note", "scoring_method", "response_options"]
    fields = readonly_fields + ["is_active"]
    inlines = [ScaleInline, ItemInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # Only switching an instrument off; its structure never changes.
        return request.user.is_superuser


@admin.register(ItemText)
class ItemTextAdmin(OrganisationScopedMixin, admin.ModelAdmin):
    """Wording comes in through ``manage.py import_instrument_text``; here it
    can be checked and removed, not typed (a typo in licensed wording is
    fixed in the file and imported again)."""

    list_display = ["item", "language", "organisation", "imported_at"]
    list_filter = ["language", "item__instrument"]
    list_select_related = ["item", "item__instrument", "organisation"]
    readonly_fields = ["item", "language", "organisation", "text", "imported_at"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
