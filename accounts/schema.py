"""The OpenAPI document at /api/schema/ and its interactive reference at
/api/docs/, for signed-in users only.

The document lists every endpoint and field of the API, which helps an
attacker map it, so both are served to a client with a valid API token, or to
a browser session that has passed the second factor; anyone else gets 401.

The reference is Swagger UI from the drf-spectacular-sidecar package, served
by the app itself (no CDN), in the split form: the page loads its start-up
script from its own URL (``?script``), so the site's CSP (scripts and styles
from 'self' only) needs no exception.
"""

from __future__ import annotations

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
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


class DocsView(SpectacularSwaggerSplitView):
    authentication_classes = [HashedTokenAuthentication, SessionAuthentication]
    permission_classes = [SignedInWithSecondFactor]
    url_name = "api-schema"
    # drf-spectacular's page with its inline <style> moved to a static file.
    template_name = "core/api_docs.html"
