"""Who hears of what, computed from the case.

- dropout → the survivor service(s) on the case, the referring body (a
  police unit when the referral was mandatory; a court, a commission, local
  government, a ministry department or a women's resource centre always:
  it referred the person to the programme and nobody else tells it), the
  provider's programme managers;
- expulsion, new violence, risk level raised, completion → the survivor
  service(s) and the referring body;
- non-compliance inside the order's window → the referring body;
- protection order about to expire → the referring body and the provider;
- the provider accepted or declined a referral → the referring body.

A self-referral has no referring body apart from the provider: the provider
hears of it as the provider, or not at all.

A case without a survivor service still produces the survivor-side notice:
it goes to the provider, flagged ``no_survivor_service``. A notice is never
dropped for lack of a recipient.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.models import Membership, Organisation, Role
from accounts.permissions import REFERRER_ROLES, may_acknowledge_notices
from casework.models import Case
from notifications.models import Notice, SafetyEvent

E = SafetyEvent.Kind
R = Notice.Recipient

SURVIVOR_SIDE = frozenset({E.DROPOUT, E.EXPULSION, E.NEW_VIOLENCE, E.RISK_RAISED, E.COMPLETION})
POLICE_ALWAYS = frozenset(
    {E.EXPULSION, E.NEW_VIOLENCE, E.RISK_RAISED, E.COMPLETION, E.NON_COMPLIANCE, E.ORDER_EXPIRING}
)
POLICE_IF_MANDATORY = frozenset({E.DROPOUT})
# New violence also reaches the programme staff: it calls for a risk
# reassessment and may end the programme (expulsion).
PROVIDER_ALWAYS = frozenset({E.DROPOUT, E.ORDER_EXPIRING, E.NEW_VIOLENCE})

# A referral's status after the provider's decision → the event it is.
DECISION_EVENTS = {"accepted": E.REFERRAL_ACCEPTED, "declined": E.REFERRAL_DECLINED}

# An enrolment's ending → the event it is (a transfer is none).
ENDING_EVENTS = {
    "dropped_out": E.DROPOUT,
    "deselected": E.DROPOUT,
    "expelled": E.EXPULSION,
    "completed": E.COMPLETION,
}


def ending_key(kind: str, enrolment_id: int) -> str:
    """The dedupe key of an enrolment's ending event. A dropout has one key
    whether the dropout rule or the discharge recorded it: told once."""
    return f"{kind}:enrolment:{enrolment_id}"


# Who in a recipient organisation is told by email and SMS.
HANDLING_ROLES: dict[str, frozenset[str]] = {
    R.SURVIVOR_SERVICE: frozenset({Role.SURVIVOR_WORKER, Role.PROGRAMME_MANAGER}),
    # The referring body, whatever its kind: its officers who refer (police
    # officers, judges and court clerks, child-protection specialists, ...).
    R.POLICE: frozenset().union(*REFERRER_ROLES.values()),
    R.PROVIDER: frozenset({Role.PROGRAMME_MANAGER}),
}

# Level 1: the recipient organisation's own managers; level 2: the case
# provider's programme managers.
LEVEL_1_ROLES = frozenset({Role.PROGRAMME_MANAGER, Role.ORG_ADMIN})
LEVEL_2_ROLES = frozenset({Role.PROGRAMME_MANAGER})


@dataclass(frozen=True)
class Recipient:
    organisation: Organisation
    role_hint: str
    no_survivor_service: bool = False


def referral_is_mandatory(referral) -> bool:
    """The order (or one of its extensions) obliges the person to attend."""
    if referral.order_obliges_programme:
        return True
    return any(ext.obliges_programme for ext in referral.order_extensions.all())


def is_self_referral(referral) -> bool:
    """The provider entered the referral itself: it is its own referring body."""
    return referral.referring_body_id == referral.provider_id


def decision_recipients(referral) -> list[Recipient]:
    """Who hears of the provider's decision on a referral: its referring
    body (nobody for a self-referral)."""
    if is_self_referral(referral):
        return []
    return [Recipient(referral.referring_body, R.POLICE)]


def recipients_for(kind: str, case: Case) -> list[Recipient]:
    referral = case.referral
    chosen: dict[int, Recipient] = {}
    no_service = False
    if kind in SURVIVOR_SIDE:
        services = [
            link.organisation
            for link in case.survivor_services.select_related("organisation").order_by("id")
            if link.organisation.is_active
        ]
        for organisation in services:
            chosen.setdefault(organisation.pk, Recipient(organisation, R.SURVIVOR_SERVICE))
        no_service = not services
    referrer_told = kind in POLICE_ALWAYS or (
        kind in POLICE_IF_MANDATORY
        and (referral_is_mandatory(referral) or referral.referring_body.kind != Organisation.Kind.POLICE_UNIT)
    )
    # A self-referral's referring body is the provider itself: it hears as the provider.
    if referrer_told and not is_self_referral(referral):
        chosen.setdefault(referral.referring_body_id, Recipient(referral.referring_body, R.POLICE))
    if kind in PROVIDER_ALWAYS or no_service:
        chosen[case.provider_id] = Recipient(case.provider, R.PROVIDER, no_survivor_service=no_service)
    return list(chosen.values())


def _members(organisation_ids, roles) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(
            organisation_id__in=list(organisation_ids),
            organisation__is_active=True,
            role__in=list(roles),
            user__is_active=True,
        )
        .select_related("user")
        .prefetch_related("user__alert_channels")
        .order_by("organisation_id", "user_id")
    )


def handling_members(recipient_org_roles: dict[int, str]) -> dict[int, list[Membership]]:
    """Staff who are told by email/SMS, per organisation id, given each
    organisation's ``role_hint``."""
    roles = (
        set().union(*(HANDLING_ROLES[hint] for hint in recipient_org_roles.values())) if recipient_org_roles else set()
    )
    found: dict[int, list[Membership]] = {org_id: [] for org_id in recipient_org_roles}
    for membership in _members(recipient_org_roles.keys(), roles):
        if membership.role in HANDLING_ROLES[recipient_org_roles[membership.organisation_id]]:
            found[membership.organisation_id].append(membership)
    return found


def escalation_members(notice: Notice, level: int) -> list[Membership]:
    """Level 1: the notice organisation's programme managers and
    administrators (the provider's managers if it has none); level 2 and
    beyond: the case provider's programme managers (its administrators if
    it has none)."""
    provider_id = notice.event.on_referral.provider_id if notice.event.case is None else notice.event.case.provider_id
    if level <= 1:
        found = list(_members([notice.organisation_id], LEVEL_1_ROLES))
        if found:
            return found
    found = list(_members([provider_id], LEVEL_2_ROLES))
    return found or list(_members([provider_id], {Role.ORG_ADMIN}))


def may_acknowledge(scope, notice: Notice) -> bool:
    return may_acknowledge_notices(scope) and scope.organisation_id == notice.organisation_id
