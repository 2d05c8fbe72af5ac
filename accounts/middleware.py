"""Attach the user's scope; require a verified second factor for staff pages."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from accounts.scope import Scope

# Paths a signed-in user may reach before the second factor is verified.
OPEN_PREFIXES = ("/accounts/", "/static/", "/healthz", "/livez", "/i18n/", "/api/")


def _is_htmx(request) -> bool:
    # HtmxMiddleware runs after this one, so read the header directly.
    return request.headers.get("HX-Request") == "true"


def _page_path(request) -> str | None:
    """The page the user is on: the request itself, or for an htmx request
    the page that sent it (HX-Current-URL), if it is on this site."""
    if _is_htmx(request):
        current = request.headers.get("HX-Current-URL", "")
        if not url_has_allowed_host_and_scheme(current, allowed_hosts={request.get_host()}):
            return None
        parts = urlsplit(current)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    if request.method == "GET":
        return request.get_full_path()
    return None


def _redirect(request, url: str, *, with_next: bool = True):
    """Redirect; an htmx request is told to load the page in full instead of
    swapping a sign-in form into a fragment."""
    next_path = _page_path(request) if with_next else None
    if next_path:
        url = f"{url}?{urlencode({'next': next_path})}"
    if _is_htmx(request):
        return HttpResponseClientRedirect(url)
    return redirect(url)


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
                return _redirect(request, reverse(target))
        response = self.get_response(request)
        if user.is_authenticated and not request.path.startswith("/static/"):
            # Pages for signed-in staff may show survivor data or notes: no
            # copy may stay in a browser's or a proxy's cache.
            patch_cache_control(response, no_store=True, private=True)
        if _is_htmx(request) and response.status_code == 302:
            # A session that ended while a page was open: login_required
            # answers an htmx request with a redirect to the sign-in page.
            login_url = resolve_url(settings.LOGIN_URL)
            if urlsplit(response["Location"]).path == login_url:
                return _redirect(request, login_url)
        return response
