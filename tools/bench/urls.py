"""Production's URLconf, and what the benchmark compares every page with: a
bare view (signed out and signed in) and the Django admin's changelist of
referrals, on an admin site of its own (the site's admin deliberately does
not list referrals: their data stays on the scoped pages)."""

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as production_patterns
from referrals.models import Referral


def hello(request):
    """What Django costs with the site's middleware and nothing else."""
    return HttpResponse("hello", content_type="text/plain")


class ReferralAdmin(admin.ModelAdmin):
    """Django's changelist as a developer would first write it: a few columns, the default page of 100."""

    list_display = ["id", "status", "source", "provider", "created_at"]
    list_select_related = ["provider"]


site = admin.AdminSite(name="bench_admin")
site.register(Referral, ReferralAdmin)

urlpatterns = [
    path("bench/hello/", hello, name="bench-hello"),
    path("bench/hello/signed-in/", login_required(hello), name="bench-hello-signed-in"),
    path("bench/admin/", site.urls),
    *production_patterns,
]
