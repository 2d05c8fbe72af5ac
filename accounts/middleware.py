"""Attach the user's scope; require a verified second factor for staff pages;
sign out a session idle longer than SESSION_IDLE_MINUTES."""

from __future__ import annotations

import time
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from accounts.scope import Scope
from core.languages import is_interface_language

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


# --- idle sign-out -----------------------------------------------------------------

_ACTIVITY_SALT = "accounts.middleware.activity"
# Web servers whose clocks differ by a little must not sign each other's users out.
_CLOCK_SKEW = 60


def activity_cookie_value(*, signed_in_at: int, active_at: int) -> str:
    """The signed activity cookie: when the session was signed in and when it
    was last used (seconds since the epoch)."""
    return signing.Signer(salt=_ACTIVITY_SALT).sign(f"{signed_in_at}:{active_at}")


def _read_activity(request, now: int) -> int | None:
    """When a session still in use was signed in; None if its activity cookie
    is missing, not ours, idle too long or past the absolute bound."""
    value = request.COOKIES.get(settings.ACTIVITY_COOKIE_NAME)
    if not value:
        return None
    try:
        signed_in_at, active_at = (int(part) for part in signing.Signer(salt=_ACTIVITY_SALT).unsign(value).split(":"))
    except (signing.BadSignature, ValueError):
        return None
    if not signed_in_at <= active_at <= now + _CLOCK_SKEW:
        return None
    if now - active_at > settings.SESSION_IDLE_SECONDS or now - signed_in_at > settings.SESSION_COOKIE_AGE:
        return None
    return signed_in_at


def passive(request) -> None:
    """This request is no sign of someone at the keyboard (a badge polled in
    the background): it does not renew the idle timeout."""
    request.renews_activity = False


class IdleSignOutMiddleware:
    """Sign out a session idle longer than SESSION_IDLE_MINUTES without
    writing the session on every request.

    The time of the last request travels in a signed cookie, re-issued on
    each response of a signed-in session; the session row is written only
    when its contents change. A session whose cookie is missing, tampered
    with, too old, or older than SESSION_COOKIE_AGE since its sign-in is
    flushed before the view runs: the view sees an anonymous user, as with
    an expired session. Requests without a signed-in session (a token-
    authenticated API call) are left alone. Runs after AuthenticationMiddleware
    and before OTPMiddleware, which keeps the user it finds.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        now = int(time.time())
        session = request.session
        key_at_start = session.session_key
        signed_in_at = None
        if AUTH_SESSION_KEY in session:
            signed_in_at = _read_activity(request, now)
            if signed_in_at is None:
                session.flush()
                request.user = AnonymousUser()
        response = self.get_response(request)
        name = settings.ACTIVITY_COOKIE_NAME
        if AUTH_SESSION_KEY not in request.session:
            if name in request.COOKIES:
                response.delete_cookie(name, samesite="Lax")
            return response
        if not getattr(request, "renews_activity", True):
            return response
        if signed_in_at is None or request.session.session_key != key_at_start:
            # Signed in, or the second factor verified again, by this request.
            signed_in_at = now
        response.set_cookie(
            name,
            activity_cookie_value(signed_in_at=signed_in_at, active_at=now),
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return response


class UserLanguageMiddleware:
    """A signed-in user reads the interface in the language kept on her
    profile (set by the language switcher), whichever browser she uses;
    without one, LocaleMiddleware's choice (the switcher's cookie, then the
    browser's Accept-Language) stands. Not under /api/, where
    core.api_language's middleware, after this one, follows Accept-Language
    alone (a browser's session on the API reference included)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            code = getattr(user, "preferred_language", "")
            if is_interface_language(code):
                translation.activate(code)
                request.LANGUAGE_CODE = code
        return self.get_response(request)
