"""Attach the user's scope; require a verified second factor for staff pages."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from accounts.scope import Scope

# Paths a signed-in user may reach before the second factor is verified.
OPEN_PREFIXES = ("/accounts/", "/static/", "/healthz", "/i18n/", "/api/")


class RequireVerifiedStaffMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.scope = SimpleLazyObject(lambda: Scope.for_user(request.user))
        user = request.user
        if user.is_authenticated and not request.path.startswith(OPEN_PREFIXES):
            if not user.is_verified():
                has_device = user.totpdevice_set.filter(confirmed=True).exists()
                target = "accounts:verify" if has_device else "accounts:two_factor_setup"
                return redirect(reverse(target))
        return self.get_response(request)
