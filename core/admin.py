"""The read log is visible to administrators and can never be changed."""

from __future__ import annotations

from django.contrib import admin

from core.models import SensitiveRead


@admin.register(SensitiveRead)
class SensitiveReadAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "record_type", "record_id", "view"]
    list_filter = ["record_type"]
    list_select_related = ["user"]
    search_fields = ["user__username", "view"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
