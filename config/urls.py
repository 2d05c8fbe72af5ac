from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts.schema import DocsView, SchemaView
from accounts.views import set_language_view

urlpatterns = [
    path("", include("frontdoor.urls")),
    path("", include("core.urls")),
    path("accounts/", include("accounts.urls")),
    path("referrals/", include("referrals.urls")),
    path("cases/", include("casework.urls")),
    path("programmes/", include("programmes.urls")),
    # /field/..., and /sw.js and /manifest.webmanifest at the root.
    path("", include("fieldwork.urls")),
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
    # Django's switcher, which also keeps a signed-in user's choice on her profile.
    path("i18n/setlang/", set_language_view, name="set_language"),
    # The admin needs the second factor (OTPAdminSite, see accounts/admin.py).
    path(settings.ADMIN_URL, admin.site.urls),
]
