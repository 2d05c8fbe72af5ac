"""The OpenAPI document at /api/schema/, for signed-in users only.

It lists every endpoint and field of the API, which helps an attacker map
it, so it is served to a client with a valid API token, or to a browser
session that has passed the second factor; anyone else gets 401.
"""

from __future__ import annotations

from drf_spectacular.views import SpectacularAPIView
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission

from accounts.tokens import HashedTokenAuthentication


class SignedInWithSecondFactor(BasePermission):
    """A token (issued only to users with a confirmed authenticator), or a
    session verified with the second factor."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.auth is not None:
            return True
        is_verified = getattr(user, "is_verified", None)
        return bool(is_verified and is_verified())


class SchemaView(SpectacularAPIView):
    authentication_classes = [HashedTokenAuthentication, SessionAuthentication]
    permission_classes = [SignedInWithSecondFactor]
