"""Who may call each API endpoint, written into the OpenAPI document from
the checks the endpoints ask, so the reference cannot drift from the rule.

``ScopedAutoSchema`` (REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS) adds to every
operation guarded by ``accounts.api_permissions.Allows(check)`` a sentence
naming the roles whose token it admits and ``x-token-roles`` (the check and
those roles as codes), and to every operation the ``Accept-Language``
header that picks the language of its messages (``core.api_language``);
``document_token_roles`` (a drf-spectacular postprocessing hook) ends the
API's description with a table of every role that may hold a token and what
it may call.

Not for: serving the document (``accounts.schema``) or deciding access
(``accounts.permissions``).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter

from accounts.models import Organisation, Role
from accounts.permissions import API_ROLES, CHECKS
from accounts.scope import Scope
from core.api_language import API_DEFAULT_LANGUAGE


def accept_language_parameter() -> OpenApiParameter:
    """The ``Accept-Language`` header every operation reads
    (``core.api_language``): the interface's languages, English by default."""
    codes = [code for code, _name in settings.LANGUAGES]
    return OpenApiParameter(
        "Accept-Language",
        str,
        OpenApiParameter.HEADER,
        enum=codes,
        default=API_DEFAULT_LANGUAGE,
        description=(
            f"The language of the answer's messages (errors, labels): one of {', '.join(f'`{c}`' for c in codes)}. "
            f"A weighted list as browsers send it (`ky-KG, ru;q=0.8`) is understood too. Without the header, or when "
            f"it names none of these, `{API_DEFAULT_LANGUAGE}` (English). Cookies and the signed-in user's profile "
            "language do not count. The answer's `Content-Language` says which language it is in."
        ),
    )


def who_may_call(check: str) -> list[tuple[str, str]]:
    """The (organisation kind, role) pairs that may hold an API token
    (``API_ROLES``) and pass ``CHECKS[check]``, in the order of the kinds and
    roles: exactly the tokens an endpoint guarded by ``Allows(check)`` admits."""
    predicate = CHECKS[check]
    return [
        (kind, role)
        for kind in Organisation.Kind.values
        for role in Role.values
        if role in API_ROLES.get(kind, ()) and predicate(Scope(None, Organisation(kind=kind), role))
    ]


def role_label(kind: str, role: str) -> str:
    return _("%(role)s (%(kind)s)") % {"role": Role(role).label, "kind": Organisation.Kind(kind).label}


class ScopedAutoSchema(AutoSchema):
    """drf-spectacular's schema, with every operation saying which token
    roles may call it, from the ``Allows`` check its view lists: in its
    description and as ``x-token-roles`` (the check's name and the kind and
    role of each organisation member whose token it admits). The text cannot
    drift from the rule: both are read off the same check. Every operation
    also documents the ``Accept-Language`` header."""

    def get_override_parameters(self):
        return [*super().get_override_parameters(), accept_language_parameter()]

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        checks = [getattr(p, "check", None) for p in self.view.get_permissions()]
        checks = [c for c in checks if c]
        if operation is None or len(checks) != 1:
            return operation
        roles = who_may_call(checks[0])
        operation["x-token-roles"] = {
            "check": checks[0],
            "roles": [{"organisation_kind": kind, "role": role} for kind, role in roles],
        }
        who = _("Who may call it: %(roles)s.") % {"roles": "; ".join(role_label(*pair) for pair in roles)}
        operation["description"] = "\n\n".join(filter(None, [operation.get("description"), who]))
        return operation


def document_token_roles(result, generator, request, public):
    """A postprocessing hook: the API's description ends with a table of
    every role that may hold a token and the operations it may call, from
    the operations' ``x-token-roles``."""
    calls: dict[tuple[str, str], list[str]] = {}
    for path, methods in result.get("paths", {}).items():
        for method, operation in methods.items():
            for pair in operation.get("x-token-roles", {}).get("roles", []):
                key = (pair["organisation_kind"], pair["role"])
                calls.setdefault(key, []).append(f"`{method.upper()} {path}`")
    rows = [
        f"| {role_label(kind, role)} | {', '.join(calls.get((kind, role), [])) or _('nothing yet')} |"
        for kind in Organisation.Kind.values
        for role in Role.values
        if role in API_ROLES.get(kind, ())
    ]
    table = "\n".join([f"| {_('Token of')} | {_('May call')} |", "|---|---|", *rows])
    info = result.setdefault("info", {})
    info["description"] = "\n\n".join(filter(None, [info.get("description"), table]))
    return result
