"""Who may do what: the one place where a role is checked.

Access is decided in four steps, each in one place:

1. ``Scope`` (``accounts.scope``): the user's organisation, its kind and role.
2. A view decorator from this module: a wrong role gets 403.
3. A selector (``get_<thing>_for_user``) built on ``get_visible_or_404``:
   an object outside the user's organisations gets 404, the same as a
   missing one.
4. A service calls ``require_<role>``: the write is refused with
   ``PermissionDenied`` even when no view stands in front of it (the API,
   a management command, a test).

Templates ask the same questions through ``may.<check>`` (the ``access``
context processor), so a link is shown exactly to the users its page
admits. Every check is a named predicate in ``CHECKS``; add one there and
the decorator, the template flag and the tests see it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Organisation, Role
from accounts.scope import Scope

M = TypeVar("M", bound=Model)

# Who may acknowledge a notice of their own organisation, by its kind.
ACK_ROLES: dict[str, frozenset[str]] = {
    Organisation.Kind.SURVIVOR_SERVICE: frozenset({Role.SURVIVOR_WORKER, Role.PROGRAMME_MANAGER, Role.ORG_ADMIN}),
    Organisation.Kind.POLICE_UNIT: frozenset({Role.POLICE_OFFICER, Role.ORG_ADMIN}),
    Organisation.Kind.PROGRAMME_PROVIDER: frozenset(
        {Role.PROGRAMME_MANAGER, Role.PSYCHOLOGIST, Role.SOCIAL_WORKER, Role.ORG_ADMIN}
    ),
    # A referring body hears of its referrals' course (dropout, completion, ...).
    Organisation.Kind.COURT: frozenset({Role.JUDGE, Role.COURT_CLERK, Role.ORG_ADMIN}),
    Organisation.Kind.CHILD_PROTECTION: frozenset({Role.CHILD_PROTECTION_SPECIALIST, Role.ORG_ADMIN}),
    Organisation.Kind.LOCAL_GOVERNMENT: frozenset({Role.SOCIAL_OFFICER, Role.ORG_ADMIN}),
    Organisation.Kind.MINISTRY_DEPARTMENT: frozenset({Role.MINISTRY_OFFICER, Role.ORG_ADMIN}),
}

# A provider's eligibility criteria are edited by its managers and administrators.
CRITERIA_EDITOR_ROLES = frozenset({Role.PROGRAMME_MANAGER, Role.ORG_ADMIN})

# A provider's records of its facilitators' trainings, supervision and
# qualifications are kept by its managers and administrators.
STAFF_RECORD_ROLES = frozenset({Role.PROGRAMME_MANAGER, Role.ORG_ADMIN})

# Alert reach (who in the organisation is told) is for its managers and administrators.
REACH_VIEWER_ROLES = frozenset({Role.PROGRAMME_MANAGER, Role.ORG_ADMIN})


K = Organisation.Kind

# Who may enter a referral and follow its own referrals, by the kind of the
# referring organisation. A survivor service here is a women's resource
# centre: its survivor workers refer the people their clients name.
REFERRER_ROLES: dict[str, frozenset[str]] = {
    K.POLICE_UNIT: frozenset({Role.POLICE_OFFICER}),
    K.COURT: frozenset({Role.JUDGE, Role.COURT_CLERK}),
    K.CHILD_PROTECTION: frozenset({Role.CHILD_PROTECTION_SPECIALIST}),
    K.LOCAL_GOVERNMENT: frozenset({Role.SOCIAL_OFFICER}),
    K.MINISTRY_DEPARTMENT: frozenset({Role.MINISTRY_OFFICER}),
    K.SURVIVOR_SERVICE: frozenset({Role.SURVIVOR_WORKER}),
}

# Who may be the body that monitors a person after the programme (seed 001:
# the state social-development department; the hukumat's women's and family
# department; the district police). The role only makes someone eligible:
# which people they follow is decided by the selector, from the monitoring
# bodies the enrolment's programme names, so a police unit that is not named
# sees an empty list, never another body's schedule. None of them sees
# clinical notes or survivor data.
POST_MONITOR_ROLES: dict[str, frozenset[str]] = {
    K.SOCIAL_DEVELOPMENT: frozenset({Role.MONITORING_OFFICER}),
    K.LOCAL_GOVERNMENT: frozenset({Role.SOCIAL_OFFICER}),
    K.POLICE_UNIT: frozenset({Role.POLICE_OFFICER}),
}


# Who records what followed a dropout, expulsion or non-compliance notice
# (a warning, a fine, community service, ...): the police officers of the
# referring police unit, a court's judges and clerks. Which notices: those
# of their own organisation (``notifications.sanctions``).
SANCTION_ROLES: dict[str, frozenset[str]] = {
    K.POLICE_UNIT: frozenset({Role.POLICE_OFFICER}),
    K.COURT: frozenset({Role.JUDGE, Role.COURT_CLERK}),
}


def _union(*tables: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    merged: dict[str, frozenset[str]] = {}
    for table in tables:
        for kind, roles in table.items():
            merged[kind] = merged.get(kind, frozenset()) | roles
    return merged


# Who may hold an API token: the roles with a use for the API. Referring
# bodies (their referrals: create, read their own); monitoring bodies and the
# state social-development department (statistics, read-only); a provider's
# staff (its programmes, enrolments and attendance).
API_ROLES: dict[str, frozenset[str]] = _union(
    REFERRER_ROLES,
    {
        K.MONITORING_BODY: frozenset({Role.MONITORING_VIEWER}),
        K.SOCIAL_DEVELOPMENT: frozenset({Role.MONITORING_OFFICER}),
        K.PROGRAMME_PROVIDER: frozenset({Role.PROGRAMME_MANAGER, Role.PSYCHOLOGIST, Role.SOCIAL_WORKER}),
    },
)


def may_hold_api_token(scope: Scope) -> bool:
    return scope.in_roles(API_ROLES)


def may_manage_webhooks(scope: Scope) -> bool:
    """The administrator of a referring organisation (a kind in
    ``REFERRER_ROLES``) keeps its webhooks: its systems are told of its own
    referrals' status changes."""
    return scope.is_org_admin and (scope.kind or "") in REFERRER_ROLES


def may_acknowledge_notices(scope: Scope) -> bool:
    return scope.organisation is not None and scope.role in ACK_ROLES.get(scope.kind or "", frozenset())


def can_edit_criteria(scope: Scope) -> bool:
    return scope.is_provider and scope.role in CRITERIA_EDITOR_ROLES


def may_keep_staff_records(scope: Scope) -> bool:
    return scope.is_provider and scope.role in STAFF_RECORD_ROLES


def may_see_reach(scope: Scope) -> bool:
    return scope.organisation is not None and scope.role in REACH_VIEWER_ROLES


# Every role check, by name. The same names are the view decorators'
# (``requires("clinical")``) and the templates' (``{% if may.clinical %}``).
CHECKS: dict[str, Callable[[Scope], bool]] = {
    "member": lambda s: s.organisation is not None,
    "police": lambda s: s.is_police,
    "provider_staff": lambda s: s.is_provider_staff,
    "clinical": lambda s: s.is_clinical,
    "manager": lambda s: s.is_provider_staff and s.role == Role.PROGRAMME_MANAGER,
    "survivor_worker": lambda s: s.is_survivor_worker,
    "monitoring_body": lambda s: s.is_monitoring,
    "monitor": lambda s: s.can_monitor,
    "case_reader": lambda s: s.is_provider_staff or s.is_survivor_worker,
    "party": lambda s: s.is_clinical or s.is_survivor_worker,
    "reporter": lambda s: s.is_clinical or s.is_survivor_worker or s.is_police,
    "acknowledger": may_acknowledge_notices,
    "criteria_editor": can_edit_criteria,
    "reach_viewer": may_see_reach,
    "staff_records": may_keep_staff_records,
    "org_admin": lambda s: s.is_org_admin,
    # The agencies of the pathway (seed 001). None of them passes a check
    # that opens survivor data or clinical notes.
    "referrer": lambda s: s.is_referrer,
    "court": lambda s: s.is_court,
    "probation": lambda s: s.is_probation,
    "facility": lambda s: s.is_facility,
    "post_monitor": lambda s: s.in_roles(POST_MONITOR_ROLES),
    # Extends (a court: also varies) the protection order of its own referrals.
    "order_extender": lambda s: s.is_police or s.is_court,
    "api_user": may_hold_api_token,
    "webhook_admin": may_manage_webhooks,
    "sanction_recorder": lambda s: s.in_roles(SANCTION_ROLES),
}


def check(name: str, scope: Scope) -> bool:
    """``CHECKS[name]`` for this scope; an unknown name is an error, not a "no"."""
    return CHECKS[name](scope)


# --- Views: a wrong role gets 403 ---------------------------------------------


def requires(name: str):
    """Require a signed-in user who passes ``CHECKS[name]``, e.g.
    ``@requires("clinical")``; anyone else gets 403."""
    predicate = CHECKS[name]

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not predicate(request.scope):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


member_required = requires("member")
police_required = requires("police")
referrer_required = requires("referrer")
order_extender_required = requires("order_extender")
provider_staff_required = requires("provider_staff")
clinical_required = requires("clinical")
manager_required = requires("manager")
survivor_worker_required = requires("survivor_worker")
monitoring_required = requires("monitor")
case_reader_required = requires("case_reader")
party_required = requires("party")
reporter_required = requires("reporter")
acknowledger_required = requires("acknowledger")
criteria_editor_required = requires("criteria_editor")
reach_viewer_required = requires("reach_viewer")
staff_records_required = requires("staff_records")


# --- Templates: the same checks as ``may.<name>`` -----------------------------


class May:
    """``may.clinical`` in a template is ``check("clinical", scope)``,
    computed when first asked and then kept for the request."""

    def __init__(self, scope: Scope):
        self._scope = scope
        self._seen: dict[str, bool] = {}

    def __getitem__(self, name: str) -> bool:
        if name not in self._seen:
            self._seen[name] = CHECKS[name](self._scope)
        return self._seen[name]

    def __contains__(self, name: str) -> bool:
        return name in CHECKS


# --- Services: the write is refused whoever calls it --------------------------


def require_staff(provider_id: int, by) -> Scope:
    """Programme staff (any role) of this provider."""
    scope = Scope.for_user(by)
    if not (scope.is_provider_staff and scope.organisation_id == provider_id):
        raise PermissionDenied(_("Only the provider's staff do this."))
    return scope


def require_clinical(provider_id: int, by) -> Scope:
    """A psychologist or social worker of this provider."""
    scope = Scope.for_user(by)
    if not (scope.is_clinical and scope.organisation_id == provider_id):
        raise PermissionDenied(_("Only the provider's psychologists and social workers do this."))
    return scope


def require_survivor_worker(case, by) -> Scope:
    """A worker of a survivor service that this case was referred to."""
    scope = Scope.for_user(by)
    if not (scope.is_survivor_worker and case.survivor_services.filter(organisation=scope.organisation).exists()):
        raise PermissionDenied(_("Only a survivor service on this case does this."))
    return scope


def require_criteria_editor(provider_id: int, by) -> Scope:
    """A programme manager or administrator of this provider."""
    scope = Scope.for_user(by)
    if not (can_edit_criteria(scope) and scope.organisation_id == provider_id):
        raise PermissionDenied(_("Only the provider's programme managers and administrators edit its criteria."))
    return scope


def require_staff_records(provider_id: int, by) -> Scope:
    """A programme manager or administrator of this provider."""
    scope = Scope.for_user(by)
    if not (may_keep_staff_records(scope) and scope.organisation_id == provider_id):
        raise PermissionDenied(_("Only the provider's programme managers and administrators keep its staff records."))
    return scope


def require_manager(organisation_id: int | None, by) -> Scope:
    """A programme manager of this provider."""
    scope = Scope.for_user(by)
    if not (CHECKS["manager"](scope) and organisation_id is not None and scope.organisation_id == organisation_id):
        raise PermissionDenied(_("Only the provider's programme managers do this."))
    return scope


def require_post_monitor(organisation_id: int | None, by) -> Scope:
    """A member of this monitoring body in a role that monitors after the
    programme (``POST_MONITOR_ROLES``)."""
    scope = Scope.for_user(by)
    if not (
        scope.in_roles(POST_MONITOR_ROLES) and organisation_id is not None and scope.organisation_id == organisation_id
    ):
        raise PermissionDenied(_("Only the body that monitors this person after the programme does this."))
    return scope


def require_org_admin(organisation_id: int | None, by) -> Scope:
    """An administrator of this organisation."""
    scope = Scope.for_user(by)
    if not (scope.is_org_admin and organisation_id is not None and scope.organisation_id == organisation_id):
        raise PermissionDenied(_("Only the organisation's administrator does this."))
    return scope


def require_webhook_admin(by) -> Scope:
    """The administrator of a referring organisation (its own webhooks)."""
    scope = Scope.for_user(by)
    if not may_manage_webhooks(scope):
        raise PermissionDenied(_("Only the administrator of a referring organisation keeps its webhooks."))
    return scope


# --- Selectors: outside the user's organisations is the same as missing -------


def get_visible_or_404(queryset: QuerySet[M], **lookup) -> M:
    """The one object of ``queryset`` (already narrowed to what the user may
    see) matching ``lookup``; 404 when there is none, and for a malformed key,
    so "not yours" and "does not exist" look the same."""
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404(f"No such {queryset.model._meta.verbose_name}.") from None
