"""Reads for programme templates: what a user may browse, use and edit."""

from __future__ import annotations

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.http import Http404

from accounts.models import Organisation
from accounts.permissions import get_visible_or_404
from accounts.scope import Scope
from programmes.models import Enrolment, ProgrammeTemplate

# --- Templates -----------------------------------------------------------------


def _newer_version_exists() -> Exists:
    return Exists(ProgrammeTemplate.objects.filter(code=OuterRef("code"), version__gt=OuterRef("version")))


def templates_for(scope: Scope, *, current_only: bool = True) -> QuerySet[ProgrammeTemplate]:
    """Templates the user may look at.

    A provider's staff: the shipped templates of the provider's country and
    the provider's own copies (own first). Any other organisation: every
    shipped template. No organisation: nothing. ``current_only`` leaves out
    versions that a newer version of the same code replaced; with it off,
    the newest version of each code comes first.
    """
    if scope.organisation is None:
        return ProgrammeTemplate.objects.none()
    qs = ProgrammeTemplate.objects.select_related("provider", "parent")
    if scope.is_provider:
        qs = qs.filter(Q(provider__isnull=True, country=scope.organisation.country) | Q(provider=scope.organisation))
    else:
        qs = qs.filter(provider__isnull=True)
    shipped = ExpressionWrapper(Q(provider__isnull=True), output_field=BooleanField())
    qs = qs.annotate(shipped=shipped)
    if current_only:
        return qs.exclude(_newer_version_exists()).order_by("shipped", "country", "name", "code")
    return qs.order_by("shipped", "country", "code", "-version")


def get_template_for_user(scope: Scope, pk: int) -> ProgrammeTemplate:
    """One template of ``templates_for`` (any version); 404 otherwise."""
    return get_visible_or_404(templates_for(scope, current_only=False), pk=pk)


def usable_templates(provider: Organisation) -> QuerySet[ProgrammeTemplate]:
    """Active templates ``provider`` may run (open groups in, enrol people
    in): its country's shipped templates and its own copies."""
    return ProgrammeTemplate.objects.filter(
        Q(provider__isnull=True, country=provider.country) | Q(provider=provider),
        status=ProgrammeTemplate.Status.ACTIVE,
    ).order_by("name", "-version")


def template_usable_by(template: ProgrammeTemplate, provider: Organisation) -> bool:
    own_or_shipped = template.provider_id == provider.pk or (
        template.provider_id is None and template.country == provider.country
    )
    return own_or_shipped and template.status == ProgrammeTemplate.Status.ACTIVE


def templates_browsable(
    scope: Scope, *, country: str = "", term: str = "", current_only: bool = True
) -> QuerySet[ProgrammeTemplate]:
    """The templates page and the templates API: for a provider's staff,
    the provider's own templates and the shipped templates of every country
    (reference data to read and copy; ``usable_templates`` decides what a
    provider can run); for anyone else ``templates_for``. ``country``
    narrows the shipped templates to one country (own ones stay); ``term``
    matches name or code. Own templates first."""
    if scope.is_provider_staff:
        qs = ProgrammeTemplate.objects.select_related("provider", "parent").filter(
            Q(provider__isnull=True) | Q(provider=scope.organisation)
        )
        qs = qs.annotate(shipped=ExpressionWrapper(Q(provider__isnull=True), output_field=BooleanField()))
    else:
        qs = templates_for(scope, current_only=False)
    if country:
        qs = qs.filter(Q(provider__isnull=False) | Q(country=country))
    if term:
        qs = qs.filter(Q(name__icontains=term) | Q(code__icontains=term))
    if current_only:
        return qs.exclude(_newer_version_exists()).order_by(_shipped().asc(), "country", "name", "code")
    return qs.order_by(_shipped().asc(), "country", "code", "-version")


def _shipped() -> ExpressionWrapper:
    """True for a shipped template (own ones sort first), as an expression:
    the two querysets above do not share one annotation's type."""
    return ExpressionWrapper(Q(provider__isnull=True), output_field=BooleanField())


def get_browsable_template_for_user(scope: Scope, pk: int) -> ProgrammeTemplate:
    """One template of ``templates_browsable`` (any version); 404 otherwise."""
    return get_visible_or_404(templates_browsable(scope, current_only=False), pk=pk)


def get_own_template_for_user(scope: Scope, pk: int) -> ProgrammeTemplate:
    """One of the user's provider's own templates (any version), for the
    edit page; 404 for shipped templates and other providers' copies."""
    if not scope.is_provider_staff:
        raise Http404("No such programme template.")
    return get_visible_or_404(
        ProgrammeTemplate.objects.select_related("provider", "parent"), pk=pk, provider=scope.organisation
    )


def template_versions(template: ProgrammeTemplate) -> list[ProgrammeTemplate]:
    """Every version of ``template``'s code (same owner), newest first, with
    ``enrolment_count`` (active enrolments) and ``group_count`` (running groups)."""
    return list(
        ProgrammeTemplate.objects.filter(code=template.code, provider_id=template.provider_id)
        .annotate(
            enrolment_count=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ACTIVE), distinct=True),
            group_count=Count("groups", filter=Q(groups__is_active=True), distinct=True),
        )
        .order_by("-version")
    )


def template_in_use(template: ProgrammeTemplate) -> bool:
    """True when ``template_update`` would make a new version rather than
    change this one (any enrolment or group, running or not)."""
    return template.enrolments.exists() or template.groups.exists()
