"""Reads of referrals, always starting from the user's scope.

An object outside the scope is a 404, the same as one that does not exist.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.scope import Scope
from referrals.models import EligibilityCriterion, Referral, TimelineEntry


def referrals_visible_to(scope: Scope) -> QuerySet[Referral]:
    qs = Referral.objects.select_related("person", "provider", "police_unit", "created_by")
    if scope.organisation is None:
        return qs.none()
    if scope.is_police:
        return qs.filter(police_unit=scope.organisation)
    if scope.is_provider_staff:
        return qs.filter(provider=scope.organisation)
    if scope.is_survivor_worker:
        return qs.filter(case__survivor_services__organisation=scope.organisation).distinct()
    return qs.none()


def get_referral_for_user(scope: Scope, pk: int) -> Referral:
    try:
        return referrals_visible_to(scope).get(pk=pk)
    except (Referral.DoesNotExist, ValueError, TypeError):
        raise Http404("No such referral.") from None


def incoming_referrals(scope: Scope) -> QuerySet[Referral]:
    """Referrals a provider still has to decide on."""
    if not scope.is_provider_staff:
        return Referral.objects.none()
    return referrals_visible_to(scope).filter(status__in=[Referral.Status.RECEIVED, Referral.Status.SCREENING])


def possible_duplicates(referral: Referral) -> QuerySet[Referral]:
    """Earlier or parallel referrals of what looks like the same person:
    same family name, given name and date of birth, or the same phone."""
    person = referral.person
    match = Q(person__match_key=person.match_key)
    if person.phone:
        match |= Q(person__phone=person.phone)
    return (
        Referral.objects.filter(match)
        .exclude(pk=referral.pk)
        .select_related("provider", "person")
        .order_by("-created_at")
    )


def criteria_for_provider(provider) -> list[EligibilityCriterion]:
    """The provider's own active criteria, or its country's shipped defaults."""
    own = list(EligibilityCriterion.objects.filter(organisation=provider, is_active=True))
    if own:
        return own
    return list(
        EligibilityCriterion.objects.filter(organisation__isnull=True, country=provider.country, is_active=True)
    )


def timeline_for(scope: Scope, referral: Referral) -> QuerySet[TimelineEntry]:
    qs = referral.timeline.select_related("actor", "actor_organisation")
    if not scope.is_survivor_worker:
        qs = qs.filter(survivor_side=False)
    return qs
