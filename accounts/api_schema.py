"""Who may call each API endpoint, written into the OpenAPI document from
the checks the endpoints ask, so the reference cannot drift from the rule.

``ScopedAutoSchema`` (REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS) adds to every
operation guarded by ``accounts.api_permissions.Allows(check)`` a sentence
naming the roles whose token it admits and ``x-token-roles`` (the check and
those roles as codes); ``document_token_roles`` (a drf-spectacular
postprocessing hook) ends the API's description with a table of every role
that may hold a token and what it may call.

Not for: serving the document (``accounts.schema``) or deciding access
(``accounts.permissions``).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema

from accounts.models import Organisation, Role
from accounts.permissions import API_ROLES, CHECKS
from accounts.scope import Scope


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
    drift from the rule: both are read off the same check."""

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
