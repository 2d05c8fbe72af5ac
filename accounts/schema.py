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

from typing import Any, ClassVar

from django.utils import translation
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

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
    # The document depends only on the code, the language and the API version:
    # generated once per process and language (it took 0.2–0.7 s a request).
    _generated: ClassVar[dict[tuple[str | None, str | None], Any]] = {}

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (translation.get_language(), version)
        if key not in self._generated:
            generator = self.generator_class(urlconf=self.urlconf, api_version=version, patterns=self.patterns)
            self._generated[key] = generator.get_schema(request=request, public=self.serve_public)
        return Response(
            data=self._generated[key],
            headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'},
        )


class DocsView(SpectacularSwaggerSplitView):
    authentication_classes = [HashedTokenAuthentication, SessionAuthentication]
    permission_classes = [SignedInWithSecondFactor]
    url_name = "api-schema"
    # drf-spectacular's page with its inline <style> moved to a static file.
    template_name = "core/api_docs.html"
