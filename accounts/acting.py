"""The acting user: who makes this request, typed as ``accounts.User``.

``request.user`` is a ``User`` or an ``AnonymousUser``; a view behind the
sign-in (``login_required``, the two-factor middleware) knows it is a user,
but the type checker does not. ``acting_user(request)`` says so once, and
refuses the request if it is not: services and selectors that take a
``by``/``user`` argument then get a ``User``, never an anonymous one.

Not for: deciding what the user may do (``accounts.permissions``) or what
they see (``accounts.scope``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.models import User


def acting_user(request: HttpRequest) -> User:
    """The signed-in user of ``request``; ``PermissionDenied`` (403) for an
    anonymous request, which a view behind the sign-in never sees."""
    user = request.user
    if isinstance(user, User) and user.is_authenticated:
        return user
    raise PermissionDenied
