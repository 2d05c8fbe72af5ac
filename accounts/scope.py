"""Who the user is in the system: organisation, its kind, and role.

Every selector starts from a ``Scope``. A user with no membership (or an
inactive organisation) has an empty scope and sees nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist

from accounts.models import Membership, Organisation, Role, User

PROVIDER_STAFF = frozenset({Role.PSYCHOLOGIST, Role.SOCIAL_WORKER, Role.PROGRAMME_MANAGER})
CLINICAL_STAFF = frozenset({Role.PSYCHOLOGIST, Role.SOCIAL_WORKER})


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    organisation: Organisation | None
    role: str | None

    @classmethod
    def for_user(cls, user) -> Scope:
        if not getattr(user, "is_authenticated", False):
            return cls(None, None, None)
        membership = _membership_of(user)
        if membership is None or not membership.organisation.is_active:
            return cls(user.pk, None, None)
        return cls(user.pk, membership.organisation, membership.role)

    @property
    def organisation_id(self) -> int | None:
        return self.organisation.pk if self.organisation else None

    @property
    def kind(self) -> str | None:
        return self.organisation.kind if self.organisation else None

    @property
    def is_police(self) -> bool:
        return self.kind == Organisation.Kind.POLICE_UNIT and self.role == Role.POLICE_OFFICER

    @property
    def is_provider(self) -> bool:
        return self.kind == Organisation.Kind.PROGRAMME_PROVIDER

    @property
    def is_provider_staff(self) -> bool:
        return self.is_provider and self.role in PROVIDER_STAFF

    @property
    def is_clinical(self) -> bool:
        """Psychologists and social workers of a provider: intake, risk, notes."""
        return self.is_provider and self.role in CLINICAL_STAFF

    @property
    def is_survivor_service(self) -> bool:
        return self.kind == Organisation.Kind.SURVIVOR_SERVICE

    @property
    def is_survivor_worker(self) -> bool:
        return self.is_survivor_service and self.role in {Role.SURVIVOR_WORKER, Role.PROGRAMME_MANAGER}

    @property
    def is_monitoring(self) -> bool:
        """Aggregate figures of every provider in the organisation's country:
        a monitoring body's viewers and the state social-development
        department's monitoring officers (never names)."""
        return (
            self.kind == Organisation.Kind.MONITORING_BODY and self.role == Role.MONITORING_VIEWER
        ) or self.is_social_development

    @property
    def is_court(self) -> bool:
        """A judge or a court clerk."""
        return self.kind == Organisation.Kind.COURT and self.role in {Role.JUDGE, Role.COURT_CLERK}

    @property
    def is_probation(self) -> bool:
        return self.kind == Organisation.Kind.PROBATION_SERVICE and self.role == Role.PROBATION_OFFICER

    @property
    def is_child_protection(self) -> bool:
        """A specialist of the commission on children's rights."""
        return self.kind == Organisation.Kind.CHILD_PROTECTION and self.role == Role.CHILD_PROTECTION_SPECIALIST

    @property
    def is_local_government(self) -> bool:
        """A social officer of a hukumat, aiyl okmotu or mahalla committee."""
        return self.kind == Organisation.Kind.LOCAL_GOVERNMENT and self.role == Role.SOCIAL_OFFICER

    @property
    def is_social_development(self) -> bool:
        """A monitoring officer of the state social-development department."""
        return self.kind == Organisation.Kind.SOCIAL_DEVELOPMENT and self.role == Role.MONITORING_OFFICER

    @property
    def is_facility(self) -> bool:
        """An officer of a prison or correctional facility."""
        return self.kind == Organisation.Kind.PRISON and self.role == Role.FACILITY_OFFICER

    @property
    def is_ministry(self) -> bool:
        return self.kind == Organisation.Kind.MINISTRY_DEPARTMENT and self.role == Role.MINISTRY_OFFICER

    @property
    def is_referrer(self) -> bool:
        """May enter referrals and follow its own: the roles of
        ``accounts.permissions.REFERRER_ROLES`` (the one table of them)."""
        from accounts.permissions import REFERRER_ROLES

        return self.in_roles(REFERRER_ROLES)

    def in_roles(self, table: Mapping[str, frozenset[str]]) -> bool:
        """Whether the role is among ``table[kind]`` (a table of roles by
        organisation kind, kept in ``accounts.permissions``)."""
        return self.organisation is not None and self.role in table.get(self.kind or "", frozenset())

    @property
    def can_monitor(self) -> bool:
        """Aggregate figures: monitoring viewers (their country) and a
        provider's programme manager (their own provider)."""
        return self.is_monitoring or (self.is_provider and self.role == Role.PROGRAMME_MANAGER)

    @property
    def is_org_admin(self) -> bool:
        return self.role == Role.ORG_ADMIN


def _membership_of(user) -> Membership | None:
    """The user's membership with its organisation: one query on every
    signed-in request (not one for each), kept on the user as
    ``user.membership`` would keep it. A membership already there is used."""
    cache = User.membership.related
    if cache.is_cached(user):
        try:
            return user.membership
        except ObjectDoesNotExist:
            return None
    membership = Membership.objects.select_related("organisation").filter(user_id=user.pk).first()
    cache.set_cached_value(user, membership)
    return membership
