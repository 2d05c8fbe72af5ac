"""A recent second factor before a sensitive action.

Signing in with the second factor makes a session verified for as long as
it lasts. A few actions need more: that the person at the keyboard typed a
code from the account's authenticator app a few minutes ago (issuing or
revoking an API token, which hands out access that outlives the session).
Every sign-in, verification and enrolment with a code records the time in
the session (``second_factor_confirmed``); ``recent_second_factor_required``
sends a session whose last code is older than ``RECENT`` to
``accounts:reauth``, which asks for a code and comes back.

Not for: who may do the action (``accounts.permissions``); the view is
decorated with its check first, so a wrong role gets 403 without being
asked for a code.
"""

from __future__ import annotations

import datetime as dt
import time
from functools import wraps
from urllib.parse import urlencode

from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse

SESSION_KEY = "accounts:second_factor_at"
RECENT = dt.timedelta(minutes=10)


def second_factor_confirmed(request: HttpRequest) -> None:
    """The user has just typed a valid code in this session."""
    request.session[SESSION_KEY] = time.time()


def _is_verified(request: HttpRequest) -> bool:
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


def has_recent_second_factor(request: HttpRequest) -> bool:
    if not _is_verified(request):
        return False
    at = request.session.get(SESSION_KEY)
    if not isinstance(at, int | float):
        return False
    return 0 <= time.time() - at <= RECENT.total_seconds()


def _to(name: str, request: HttpRequest):
    # A POST cannot be replayed after the code: come back to the page itself.
    return redirect(f"{reverse(name)}?{urlencode({'next': request.path})}")


def second_factor_required(view):
    """A session verified with the second factor (pages under /accounts/
    are open to a signed-in session that is not, so they ask themselves)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _is_verified(request):
            return _to("accounts:verify", request)
        return view(request, *args, **kwargs)

    return wrapper


def recent_second_factor_required(view):
    """A code typed within ``RECENT``; otherwise ask for one first."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _is_verified(request):
            return _to("accounts:verify", request)
        if not has_recent_second_factor(request):
            return _to("accounts:reauth", request)
        return view(request, *args, **kwargs)

    return wrapper
