"""Reads of cases, starting from the user's scope (404 outside it)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from accounts.permissions import get_visible_or_404
from accounts.scope import Scope
from casework.models import (
    Case,
    Consent,
    IntakeInterview,
    RiskAssessment,
    RiskInstrument,
    SafetyPlan,
    SafetyPlanVersion,
    SurvivorContact,
)
from core.audit import log_reads, record_read
from core.models import SensitiveRead
from referrals.models import Survivor


def cases_visible_to(scope: Scope) -> QuerySet[Case]:
    qs = Case.objects.select_related("referral", "referral__person", "provider", "referral__referring_body")
    if scope.organisation is None:
        return qs.none()
    if scope.is_provider_staff:
        return qs.filter(provider=scope.organisation)
    if scope.is_survivor_worker:
        return qs.filter(survivor_services__organisation=scope.organisation).distinct()
    return qs.none()


def get_case_for_user(scope: Scope, pk: int) -> Case:
    return get_visible_or_404(cases_visible_to(scope), pk=pk)


def get_survivor_for_user(scope: Scope, case: Case, pk: int) -> Survivor:
    """A survivor of a case the user may see (the case comes from
    ``get_case_for_user``). Contact details are for survivor workers only;
    the view decides what it shows."""
    return get_visible_or_404(case.referral.survivors.all(), pk=pk)


def latest_consent(case: Case, kind: str, survivor: Survivor | None = None) -> str | None:
    qs = case.consents.filter(kind=kind)
    if survivor is not None:
        qs = qs.filter(survivor=survivor)
    consent = qs.order_by("-recorded_at", "-id").first()
    return consent.decision if consent else None


def survivor_consents(case: Case, survivor: Survivor) -> dict[str, str]:
    """The latest decision per consent kind for one survivor."""
    decisions: dict[str, str] = {}
    for consent in case.consents.filter(survivor=survivor).order_by("recorded_at", "id"):
        decisions[consent.kind] = consent.decision
    return decisions


def has_consent(case: Case, survivor: Survivor, kind: str) -> bool:
    return latest_consent(case, kind, survivor) == Consent.Decision.GIVEN


def instruments_for(scope: Scope) -> QuerySet[RiskInstrument]:
    """Shipped instruments and those the user's organisation loaded."""
    from django.db.models import Q

    return (
        RiskInstrument.objects.filter(is_active=True)
        .filter(Q(organisation__isnull=True) | Q(organisation=scope.organisation))
        .prefetch_related("items", "thresholds")
    )


# --- Reads for the case pages (casework UI) -------------------------------


def survivor_service_cases(scope: Scope) -> QuerySet[Case]:
    """Cases referred to the user's survivor service, with what the list
    shows: the survivors' relationships and the safety-plan review dates.
    Encrypted columns are deferred, so no name is even decrypted."""
    from django.db.models import Prefetch

    from casework.models import SafetyPlan

    if not scope.is_survivor_worker:
        return Case.objects.none()
    return cases_visible_to(scope).prefetch_related(
        Prefetch("referral__survivors", queryset=Survivor.objects.only("id", "referral_id", "relationship")),
        Prefetch("safety_plans", queryset=SafetyPlan.objects.only("id", "case_id", "survivor_id", "next_review_on")),
    )


def survivor_services_choosable(case: Case) -> QuerySet:
    """Active survivor services, those of the provider's country first."""
    from django.db.models import Case as CaseExpr
    from django.db.models import IntegerField, Value, When

    from accounts.models import Organisation

    return (
        Organisation.objects.filter(kind=Organisation.Kind.SURVIVOR_SERVICE, is_active=True)
        .annotate(
            elsewhere=CaseExpr(
                When(country=case.provider.country, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("elsewhere", "name")
    )


# --- The safety plan's saved versions ----------------------------------------

# The plan's text: encrypted, and read only on a version's own page.
SAFETY_PLAN_TEXT_FIELDS = ("risks", "safe_contacts", "safe_places", "code_word", "children_safety")


def safety_plan_versions(survivor: Survivor) -> QuerySet[Any]:
    """Every saved version of the survivor's safety plan, newest first, with
    who saved it, when and for which service (the survivor comes from
    ``get_survivor_for_user``). The text stays deferred and undecrypted: the
    list is no read of the plan."""
    return (
        SafetyPlanVersion.objects.filter(survivor_id=survivor.pk)
        .defer(*SAFETY_PLAN_TEXT_FIELDS)
        .select_related("updated_by", "organisation")
        .order_by("-pgh_id")
    )


def get_safety_plan_version_for_user(*, user, survivor: Survivor, pk: int, view: str) -> Any:
    """One saved version with its text. Reading it is a read of the survivor's
    safety plan, recorded in the read log as the current plan's page is (same
    record, the view names the version page). 404 for a version of another
    survivor's plan."""
    version = get_visible_or_404(
        SafetyPlanVersion.objects.select_related("updated_by", "organisation").filter(survivor_id=survivor.pk), pk=pk
    )
    record_read(user=user, record_type=SensitiveRead.RecordType.SAFETY_PLAN, record_id=version.pgh_obj_id, view=view)
    return version


# --- Reads of survivor data and therapy records: each one is logged ---------
# These are the only way to these records; the read-log row is written here,
# so a page that shows them cannot forget it. ``via`` names the page (its URL
# name). A user who may not read the record gets 404 and no row.


def case_therapy_records(
    scope: Scope, case: Case, *, via: str
) -> tuple[IntakeInterview | None, QuerySet[RiskAssessment]]:
    """The intake interview and the risk assessments of a case (therapy
    records), for the provider's psychologists and social workers."""
    if not (scope.is_clinical and case.provider_id == scope.organisation_id):
        raise Http404("No such case.")
    log_reads(user_id=scope.user_id, record_type=SensitiveRead.RecordType.THERAPY_NOTES, record_ids=[case.pk], via=via)
    intake = IntakeInterview.objects.filter(case=case).select_related("interviewer").first()
    return intake, case.risk_assessments.select_related("instrument", "assessed_by")


def _require_survivor_service_on(scope: Scope, case: Case) -> None:
    if not (scope.is_survivor_worker and case.survivor_services.filter(organisation=scope.organisation).exists()):
        raise Http404("No such survivor.")


def survivor_record(scope: Scope, case: Case, survivor: Survivor, *, via: str) -> list[SurvivorContact]:
    """Her record as a survivor service reads it: the read is logged once,
    and her contact log on this case is returned. Only while her latest
    decision on sharing is "given" (the caller checks, and shows nothing of
    her otherwise)."""
    _require_survivor_service_on(scope, case)
    log_reads(user_id=scope.user_id, record_type=SensitiveRead.RecordType.SURVIVOR, record_ids=[survivor.pk], via=via)
    return list(survivor.contacts.filter(case=case).select_related("recorded_by__membership__organisation"))


def safety_plan_for(scope: Scope, case: Case, survivor: Survivor, *, via: str) -> SafetyPlan | None:
    """Her safety plan, for a survivor service on the case; the read is
    logged when there is a plan."""
    _require_survivor_service_on(scope, case)
    plan = SafetyPlan.objects.filter(survivor=survivor).select_related("updated_by", "organisation").first()
    if plan is not None:
        log_reads(
            user_id=scope.user_id, record_type=SensitiveRead.RecordType.SAFETY_PLAN, record_ids=[plan.pk], via=via
        )
    return plan
