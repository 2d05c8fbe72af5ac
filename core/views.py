from __future__ import annotations

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from redis.backoff import NoBackoff
from redis.retry import Retry

from accounts.models import Role
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
    if role == Role.POLICE_OFFICER:
        return redirect("referrals:police_list")
    if scope.is_clinical:
        return render(request, "core/home.html", _clinical_start(scope, request.user))
    if role == Role.PROGRAMME_MANAGER and scope.is_provider:
        return redirect("referrals:incoming")
    if role in {Role.SURVIVOR_WORKER, Role.PROGRAMME_MANAGER} and request.scope.is_survivor_service:
        return redirect("casework:survivor_cases")
    if role == Role.MONITORING_VIEWER:
        return redirect("reports:dashboard")
    return render(request, "core/home.html", _admin_start(scope))


def _admin_start(scope) -> dict:
    """An administrator sees whether her organisation has urgencies for
    which nobody can be alerted away from the screen."""
    if not scope.is_org_admin or scope.organisation is None:
        return {}
    from notifications.alerts import organisation_reach

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


def csrf_failure(request, reason=""):
    """A form was sent with an old or missing security token (for example
    from a tab left open across a sign-in). Our page, under our CSP."""
    return render(request, "core/csrf_failure.html", status=403)


def _check_database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "not ok"
        return False


def _check_broker() -> bool:
    """PING Redis through redis-py, with a one-second timeout and no retry: a
    health check must answer even when the broker hangs."""
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1, retry=Retry(NoBackoff(), retries=0)
    )
    try:
        return client.ping() is True
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()


def _check_heartbeats() -> dict[str, str]:
    from core.heartbeat import heartbeat_status

    try:
        return heartbeat_status()
    except Exception:  # noqa: BLE001 - no database, no heartbeats
        return {"worker": "down", "beat": "down"}


@require_GET
@never_cache
def healthz(request):
    """The whole system: the database, the broker, and the heartbeats of the
    worker (its relay loop) and beat (a task beat sends and a worker runs).
    503 when any is down. For monitoring; web's own liveness is /livez."""
    checks = {
        "database": "ok" if _check_database() else "down",
        "broker": "ok" if _check_broker() else "down",
        **_check_heartbeats(),
    }
    ok = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if ok else "degraded", **checks}, status=200 if ok else 503)


@require_GET
@never_cache
def livez(request):
    """The web process serves requests: always 200, nothing checked, so that
    a dead worker or database never gets the web container restarted."""
    return JsonResponse({"status": "ok"})


def placeholder(request, *args, **kwargs):
    """Temporary target for URL names whose pages are being built."""
    from django.http import HttpResponse

    return HttpResponse("Not built yet", status=501)
