"""The start page: each role lands where its work starts.

It sits at the top of the dependency picture (ARCHITECTURE.md) because it
reads from several apps at once: the sessions of today (programmes), the
referrals waiting (referrals) and the organisation's alert reach
(notifications)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from accounts.models import Role
from accounts.permissions import check
from notifications.alerts import organisation_reach
from programmes.models import Session
from programmes.selectors import sessions_today, unlogged_past_sessions
from referrals.selectors import incoming_referrals


@login_required
def home(request):
    """Send each role to the page where its work starts. Psychologists and
    social workers start here: their sessions today first, then the
    referrals waiting for a decision."""
    scope = request.scope
    role = scope.role
    if scope.is_referrer and not scope.is_survivor_service:
        return redirect("referrals:police_list")
    if scope.is_clinical:
        return render(request, "frontdoor/home.html", _clinical_start(scope, request.user))
    if role == Role.PROGRAMME_MANAGER and scope.is_provider:
        return redirect("referrals:incoming")
    if role in {Role.SURVIVOR_WORKER, Role.PROGRAMME_MANAGER} and request.scope.is_survivor_service:
        return redirect("casework:survivor_cases")
    if scope.is_monitoring:
        return redirect("reports:dashboard")
    if check("facility", scope):
        return redirect("programmes:facility_groups")
    return render(request, "frontdoor/home.html", _admin_start(scope))


def _admin_start(scope) -> dict:
    """An administrator sees whether her organisation has urgencies for
    which nobody can be alerted away from the screen."""
    if not scope.is_org_admin or scope.organisation is None:
        return {}
    report = organisation_reach(scope.organisation)
    return {"reach_gaps": [row.label for row in report.urgencies if row.gap] if report else []}


def _clinical_start(scope, user) -> dict:
    """Counts for the clinical start page: a few COUNT queries, no names."""
    today = sessions_today(scope, user)
    return {
        "clinical": True,
        "sessions_today": sum(1 for session in today if session.status != Session.Status.CANCELLED),
        "unlogged": unlogged_past_sessions(scope, user).count(),
        "incoming": incoming_referrals(scope).count(),
    }
