"""Template helpers of the session pages: the programme part of the case
page (progress for provider staff, the status alone for survivor workers)
and widths of progress bars as CSS classes (no inline styles under CSP)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from programmes.models import Enrolment
from programmes.selectors import enrolment_for_case, progress

register = template.Library()


@register.simple_tag(takes_context=True)
def case_programme(context, case) -> dict | None:
    """The case's enrolment for the case page: for provider staff with its
    progress, for survivor workers the status only; None for anyone else
    or when the person was never enrolled."""
    request = context.get("request")
    scope = getattr(request, "scope", None)
    if scope is None or not (scope.is_provider_staff or scope.is_survivor_worker):
        return None
    enrolment = enrolment_for_case(scope, case)
    if enrolment is None:
        return None
    if not scope.is_provider_staff:
        return {"enrolment": enrolment, "status_only": True}
    own = enrolment.provider_id == scope.organisation_id
    return {
        "enrolment": enrolment,
        "status_only": False,
        "progress": progress(enrolment),
        "can_discharge": scope.is_clinical and own and enrolment.status == Enrolment.Status.ACTIVE,
        "has_certificate": enrolment.status == Enrolment.Status.COMPLETED,
    }


@register.filter
def bar_step(done, total) -> int:
    """``done`` of ``total`` as a percentage rounded to a step of 5 (0–100),
    for the class ``ps-bar-<step>``."""
    try:
        done, total = Decimal(str(done)), Decimal(str(total))
    except (ArithmeticError, ValueError, TypeError):
        return 0
    if total <= 0:
        return 100 if done > 0 else 0
    share = max(Decimal(0), min(Decimal(1), done / total))
    return int((share * 20).to_integral_value()) * 5
