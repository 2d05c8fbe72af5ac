"""Administration: staff contact points for SMS/email, and a read-only view
of deliveries so an administrator can see what is stuck or failed.

Events and notices are not editable here (the acknowledgement is a service
with its own rules); violence reports are not registered (their summary is
a clinical note)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from accounts.admin import OrganisationScopedMixin
from notifications.models import AlertChannel, Delivery, StaffContact, WebhookSubscription


@admin.register(StaffContact)
class StaffContactAdmin(OrganisationScopedMixin, admin.ModelAdmin):
    organisation_lookup = "user__membership__organisation"
    list_display = ["user", "phone", "email_enabled", "sms_enabled"]
    list_select_related = ["user"]
    search_fields = ["user__username"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not request.user.is_superuser:
            from accounts.admin import own_organisation_id
            from accounts.models import User

            kwargs["queryset"] = User.objects.filter(membership__organisation_id=own_organisation_id(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Delivery)
class DeliveryAdmin(OrganisationScopedMixin, admin.ModelAdmin):
    organisation_lookup = "notice__organisation"
    list_display = ["id", "notice", "webhook", "user", "channel", "status", "attempts", "next_attempt_at", "last_error"]
    list_filter = ["status", "channel", "escalation_level"]
    list_select_related = ["notice", "user"]
    fields = list_display + ["escalation_level", "claimed_at", "sent_at", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AlertChannel)
class AlertChannelAdmin(OrganisationScopedMixin, admin.ModelAdmin):
    """Read-only: each person adds and confirms her own channels on "My
    alerts"; an administrator may remove one (a phone that was lost)."""

    organisation_lookup = "user__membership__organisation"
    list_display = ["user", "kind", "address", "urgencies", "confirmed_at"]
    list_filter = ["kind"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
    fields = ["user", "kind", "address", "urgencies", "confirmed_at", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(OrganisationScopedMixin, admin.ModelAdmin):
    """Read-only, never the secret: an organisation's administrator keeps its
    webhooks on its webhook page; here the failures of every one show."""

    list_display = ["id", "organisation", "url", "active", "failed", "created_at"]
    list_filter = ["active"]
    list_select_related = ["organisation"]
    fields = ("organisation", "url", "active", "created_by", "created_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(failed_count=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.FAILED)))
        )

    @admin.display(description=_("Failed deliveries"), ordering="failed_count")
    def failed(self, obj) -> int:
        return obj.failed_count

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
