"""The API asks the web pages' checks: one rule for both.

``Allows("police")`` is a DRF permission class that admits exactly the users
``accounts.permissions.CHECKS["police"]`` admits, the check behind
``@requires("police")`` on the matching page. An API view lists it after
``IsAuthenticated`` (no token is a 401, a wrong role a 403); objects are
then read through the same ``get_<thing>_for_user`` selectors as the pages,
so another organisation's record is a 404.

Not for: who may hold a token (the ``api_user`` check, asked when one is
issued, ``accounts.tokens``).
"""

from __future__ import annotations

from django.utils.functional import Promise
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from accounts.permissions import CHECKS
from accounts.scope import Scope


def api_scope(request: Request) -> Scope:
    """The scope of the token's user, computed once per request."""
    scope = getattr(request, "_api_scope", None)
    if scope is None or scope.user_id != request.user.pk:
        scope = Scope.for_user(request.user)
        request._api_scope = scope
    return scope


def Allows(check: str, message: str | Promise | None = None) -> type[BasePermission]:  # noqa: N802 - reads as a class
    """A permission class for ``CHECKS[check]``, with the 403's message."""
    predicate = CHECKS[check]  # an unknown name is an error at import, not a "no"

    def has_permission(self, request, view) -> bool:
        return predicate(api_scope(request))

    attrs: dict = {"has_permission": has_permission, "check": check, "__doc__": f"CHECKS[{check!r}]"}
    if message is not None:
        attrs["message"] = message
    return type(f"Allows_{check}", (BasePermission,), attrs)
