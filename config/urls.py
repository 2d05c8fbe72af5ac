from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts.schema import DocsView, SchemaView

urlpatterns = [
    path("", include("frontdoor.urls")),
    path("", include("core.urls")),
    path("accounts/", include("accounts.urls")),
    path("referrals/", include("referrals.urls")),
    path("cases/", include("casework.urls")),
    path("programmes/", include("programmes.urls")),
    path("notifications/", include("notifications.urls")),
    path("outcomes/", include("outcomes.urls")),
    path("staff/", include("staffing.urls")),
    path("reports/", include("reports.urls")),
    # Signed-in users only (accounts/schema.py).
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    path("api/docs/", DocsView.as_view(), name="api-docs"),
    path("api/v1/", include("referrals.api_urls")),
    path("api/v1/", include("programmes.api_urls")),
    path("api/v1/", include("reports.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin needs the second factor (OTPAdminSite, see accounts/admin.py).
    path(settings.ADMIN_URL, admin.site.urls),
]
