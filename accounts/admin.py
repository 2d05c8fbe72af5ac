"""Administration: organisations, accounts and their roles.

The admin site needs the second factor too (django-otp's OTPAdminSite), and
it has no sign-in form of its own: it sends people to ``accounts:login``,
which has the lockout and the generic error message.

A superuser administers everything. Any other staff account (an
organisation's administrator) sees and assigns only its own organisation,
and cannot hand out staff or superuser rights or permissions.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.forms import ORGANISATION_FIELDS, OrganisationForm
from accounts.models import ApiToken, Membership, Organisation, TwoFactorEvent, User
from core import localnames

admin.site.__class__ = OTPAdminSite
admin.site.site_header = _("Casework administration")
admin.site.site_title = _("Casework administration")


def admin_login(request, extra_context=None):
    if request.user.is_authenticated:
        if admin.site.has_permission(request):
            return redirect("admin:index")
        raise PermissionDenied
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"), login_url=reverse("accounts:login"))


admin.site.login = admin_login

# django-otp's device admin shows a device's secret and deletes a device
# outside the audited reset (which also revokes the user's API tokens):
# devices are reset only through the "reset authenticator" action below.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


def own_organisation_id(request) -> int | None:
    scope = getattr(request, "scope", None)
    return scope.organisation_id if scope is not None else None


class OwnOrganisationChoicesMixin:
    """Unless the user is a superuser, the only organisation to choose is
    the user's own."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Organisation and not request.user.is_superuser:
            kwargs["queryset"] = Organisation.objects.filter(pk=own_organisation_id(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class OrganisationScopedMixin(OwnOrganisationChoicesMixin):
    """Unless the user is a superuser, only rows of the user's own
    organisation. ``organisation_lookup`` is the path from the model to it."""

    organisation_lookup = "organisation"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{self.organisation_lookup: own_organisation_id(request)})


@admin.register(Organisation)
class OrganisationAdmin(OrganisationScopedMixin, admin.ModelAdmin):
    organisation_lookup = "pk"
    form = OrganisationForm
    fieldsets = (
        (None, {"fields": ORGANISATION_FIELDS}),
        (
            _("The name in other languages"),
            {
                "fields": tuple(localnames.name_field_names("name")),
                "description": localnames.HELP,
            },
        ),
    )
    list_display = ["name", "kind", "country", "region", "is_active"]
    list_filter = ["kind", "country", "is_active"]
    search_fields = ["name", "region"]

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return ()
        return ("kind", "country", "is_active")


class MembershipInline(OwnOrganisationChoicesMixin, admin.StackedInline):
    model = Membership
    can_delete = False
    max_num = 1
    extra = 1
    autocomplete_fields = ["organisation"]


@admin.register(User)
class UserAdmin(OrganisationScopedMixin, BaseUserAdmin):
    organisation_lookup = "membership__organisation"
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "organisation", "role", "is_active", "is_staff"]
    list_filter = ["membership__organisation__kind", "membership__role", "is_active", "is_staff"]
    list_select_related = ["membership__organisation"]
    search_fields = ["username", "first_name", "last_name", "email", "membership__organisation__name"]
    actions = ["issue_enrolment_code", "reset_two_factor"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Preferences"), {"fields": ("preferred_language", "gender")}),
    )

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return ()
        return ("is_staff", "is_superuser", "groups", "user_permissions", "last_login", "date_joined")

    def _show_codes(self, request, queryset, *, reset: bool):
        """Issue codes and show them once, on this response only: they are
        not stored anywhere in clear (not in a message, not in the session)."""
        issued, skipped = [], []
        with transaction.atomic():
            for user in queryset.filter(is_active=True).order_by("username"):
                if services.has_confirmed_device(user) and not reset:
                    skipped.append(user)
                    continue
                code = services.enrolment_code_issue(user=user, actor=request.user, reset=reset)
                issued.append((user, code))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Enrolment codes"),
            "issued": issued,
            "skipped": skipped,
            "hours": services.settings.ENROLMENT_CODE_HOURS,
            "opts": self.model._meta,
        }
        response = TemplateResponse(request, "admin/accounts/enrolment_codes.html", context)
        response["Cache-Control"] = "no-store, private"
        return response

    @admin.action(description=_("Issue enrolment code"))
    def issue_enrolment_code(self, request, queryset):
        return self._show_codes(request, queryset, reset=False)

    @admin.action(description=_("Reset authenticator and issue enrolment code"))
    def reset_two_factor(self, request, queryset):
        return self._show_codes(request, queryset, reset=True)

    @admin.display(description=_("organisation"), ordering="membership__organisation__name")
    def organisation(self, obj):
        membership = getattr(obj, "membership", None)
        return membership.organisation if membership else "—"

    @admin.display(description=_("role"), ordering="membership__role")
    def role(self, obj):
        membership = getattr(obj, "membership", None)
        return membership.get_role_display() if membership else "—"


@admin.register(Membership)
class MembershipAdmin(OrganisationScopedMixin, admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role", "organisation__kind", "organisation__country"]
    list_select_related = ["user", "organisation"]
    search_fields = ["user__username", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]


@admin.register(TwoFactorEvent)
class TwoFactorEventAdmin(OrganisationScopedMixin, admin.ModelAdmin):
    """The audit of enrolments and resets: read only."""

    organisation_lookup = "user__membership__organisation"
    list_display = ["created_at", "kind", "user", "actor"]
    list_filter = ["kind"]
    list_select_related = ["user", "actor"]
    search_fields = ["user__username", "actor__username"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(OrganisationScopedMixin, admin.ModelAdmin):
    """API tokens by name. The token itself is never stored, so never shown;
    new tokens are issued on the organisation's API tokens page
    (accounts:api_tokens) or made with ``manage.py create_api_token``."""

    organisation_lookup = "user__membership__organisation"
    list_display = ["name", "user", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["revoked_at"]
    list_select_related = ["user"]
    search_fields = ["name", "user__username"]
    fields = ["name", "user", "created_at", "issued_by", "expires_at", "revoked_at", "revoked_by", "last_used_at"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke selected API tokens"))
    def revoke(self, request, queryset):
        from django.utils import timezone

        count = queryset.filter(revoked_at=None).update(revoked_at=timezone.now(), revoked_by=request.user)
        self.message_user(request, _("%(count)d API tokens revoked.") % {"count": count})
