"""Reads of referrals, always starting from the user's scope.

An object outside the scope is a 404, the same as one that does not exist.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db.models import Case, Q, QuerySet, Value, When
from django.http import Http404

from accounts.models import Organisation
from accounts.permissions import get_visible_or_404
from accounts.scope import Scope
from core.audit import log_reads
from core.models import SensitiveRead, TimelineEntry
from core.timeline import referrer_kinds
from referrals.models import EligibilityCriterion, Referral, Survivor


def referrals_visible_to(scope: Scope) -> QuerySet[Referral]:
    qs = Referral.objects.select_related("person", "provider", "referring_body", "created_by")
    if scope.organisation is None:
        return qs.none()
    if scope.is_provider_staff:
        return qs.filter(provider=scope.organisation)
    if scope.is_survivor_worker:
        # The cases her service was brought into; and, for a women's resource
        # centre's workers, the referrals it made itself.
        mine = Q(case__survivor_services__organisation=scope.organisation)
        if scope.is_referrer:
            mine |= Q(referring_body=scope.organisation)
        return qs.filter(mine).distinct()
    if scope.is_referrer:
        return qs.filter(referring_body=scope.organisation)
    return qs.none()


def get_referral_for_user(scope: Scope, pk: int) -> Referral:
    return get_visible_or_404(referrals_visible_to(scope), pk=pk)


def referrals_made_by(scope: Scope) -> QuerySet[Referral]:
    """The referrals the user's referring body entered (any of its officers,
    on the web or through the API); nothing for anyone who does not refer."""
    if not scope.is_referrer:
        return Referral.objects.none()
    return referrals_visible_to(scope).filter(referring_body=scope.organisation)


def get_own_referral_for_user(scope: Scope, pk: int) -> Referral:
    """One of the referring body's own referrals; 404 for any other."""
    return get_visible_or_404(referrals_made_by(scope), pk=pk)


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


# --- Pages for police and providers (lists, duplicates, criteria) ---------

REFERENCE_RE = re.compile(r"^\s*R-?0*(\d{1,12})\s*$", re.IGNORECASE)


def search_referrals(qs: QuerySet[Referral], term: str) -> QuerySet[Referral]:
    """Narrow ``qs`` by a search term: a reference ("R-00012"), a protection
    order number, or the referred person's names (every word must match)."""
    term = (term or "").strip()
    if not term:
        return qs
    match = REFERENCE_RE.match(term)
    if match:
        return qs.filter(Q(pk=int(match.group(1))) | Q(order_number__iexact=term))
    words = Q()
    for word in term.split()[:5]:
        words &= (
            Q(person__family_name__icontains=word)
            | Q(person__given_name__icontains=word)
            | Q(person__patronymic__icontains=word)
            | Q(order_number__icontains=word)
        )
    return qs.filter(words)


def referral_list_for(
    scope: Scope, *, status: str = "", term: str = "", open_only: bool = False, own: bool = False
) -> QuerySet[Referral]:
    """A list page's rows: newest first, with everything a row shows loaded
    in a fixed number of queries. ``own``: the referring body's own referrals."""
    if own:
        qs = referrals_made_by(scope)
    else:
        qs = incoming_referrals(scope) if open_only else referrals_visible_to(scope)
    if status in Referral.Status.values:
        qs = qs.filter(status=status)
    return search_referrals(qs, term).prefetch_related("order_extensions").order_by("-created_at", "-id")


def duplicate_referral_ids(referrals: Iterable[Referral]) -> set[int]:
    """Which of ``referrals`` have a possible duplicate (see
    ``possible_duplicates``), answered for the whole page in one query."""
    rows = list(referrals)
    keys = {r.person.match_key for r in rows if r.person.match_key}
    phones = {str(r.person.phone) for r in rows if r.person.phone}
    if not rows or not (keys or phones):
        return set()
    match = Q(person__match_key__in=keys)
    if phones:
        match |= Q(person__phone__in=phones)
    seen_keys: dict[str, set[int]] = {}
    seen_phones: dict[str, set[int]] = {}
    for pk, key, phone in Referral.objects.filter(match).values_list("pk", "person__match_key", "person__phone"):
        seen_keys.setdefault(key, set()).add(pk)
        if phone:
            seen_phones.setdefault(str(phone), set()).add(pk)
    flagged = set()
    for r in rows:
        others = seen_keys.get(r.person.match_key, set()) | (
            seen_phones.get(str(r.person.phone), set()) if r.person.phone else set()
        )
        if others - {r.pk}:
            flagged.add(r.pk)
    return flagged


def police_status_history(scope: Scope, referral: Referral) -> QuerySet[TimelineEntry]:
    """The timeline as the referring body sees it: status changes only."""
    return timeline_for(scope, referral).filter(kind__in=referrer_kinds())


def survivor_summaries(referral: Referral) -> QuerySet[Survivor]:
    """Survivors as perpetrator-facing staff see them: relationship and
    children only. Names and contacts are not even loaded (or decrypted)."""
    return referral.survivors.only("id", "referral_id", "relationship", "children_in_household")


def programme_providers(scope: Scope) -> QuerySet[Organisation]:
    """Active programme providers a referral can go to; the user's own
    country first."""
    country = scope.organisation.country if scope.organisation else ""
    return (
        Organisation.objects.filter(kind=Organisation.Kind.PROGRAMME_PROVIDER, is_active=True)
        .annotate(other_country=Case(When(country=country, then=Value(0)), default=Value(1)))
        .order_by("other_country", "country", "region", "name")
    )


def own_criteria(provider: Organisation) -> QuerySet[EligibilityCriterion]:
    """Every criterion the provider wrote or adapted, active or not."""
    return EligibilityCriterion.objects.filter(organisation=provider).order_by("position", "id")


def default_criteria(country: str) -> QuerySet[EligibilityCriterion]:
    return EligibilityCriterion.objects.filter(organisation__isnull=True, country=country, is_active=True)


def get_own_criterion(scope: Scope, pk: int) -> EligibilityCriterion:
    """One of the user's organisation's own criteria; 404 for the shipped
    defaults and for other organisations' rows."""
    if scope.organisation is None:
        raise Http404("No such criterion.")
    return get_visible_or_404(own_criteria(scope.organisation), pk=pk)


def survivors_entered_by_me(scope: Scope, referral: Referral, *, via: str) -> list[Survivor]:
    """The survivors of a referral, for the referring officer who entered them
    (nobody else: an empty list); each one shown is a logged read of her
    record."""
    if not (
        scope.is_referrer
        and referral.created_by_id == scope.user_id
        and referral.referring_body_id == scope.organisation_id
    ):
        return []
    survivors = list(referral.survivors.all())
    log_reads(
        user_id=scope.user_id,
        record_type=SensitiveRead.RecordType.SURVIVOR,
        record_ids=[s.pk for s in survivors],
        via=via,
    )
    return survivors
