from __future__ import annotations

import socket
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.models import Role
from accounts.permissions import monitoring_required
from core.forms import PeriodForm
from core.selectors import HIDDEN, SMALL, referral_overview


@login_required
def home(request):
    """Send each role to the page where its work starts."""
    role = request.scope.role
    if role == Role.POLICE_OFFICER:
        return redirect("referrals:police_list")
    if role in {Role.PSYCHOLOGIST, Role.SOCIAL_WORKER, Role.PROGRAMME_MANAGER} and request.scope.is_provider:
        return redirect("referrals:incoming")
    if role in {Role.SURVIVOR_WORKER, Role.PROGRAMME_MANAGER} and request.scope.is_survivor_service:
        return redirect("casework:survivor_cases")
    if role == Role.MONITORING_VIEWER:
        return redirect("core:overview")
    return render(request, "core/home.html")


@monitoring_required
def overview(request):
    """Aggregate referral figures for monitoring: counts only, small cells
    suppressed. A monitoring body sees its country, a programme manager
    their own provider."""
    form = PeriodForm(request.GET or None)
    tables = None
    if not form.is_bound:
        tables = referral_overview(request.scope)
    elif form.is_valid():
        tables = referral_overview(
            request.scope, date_from=form.cleaned_data["date_from"], date_to=form.cleaned_data["date_to"]
        )
    return render(
        request,
        "core/overview.html",
        {"form": form, "tables": tables, "small": SMALL, "hidden": HIDDEN},
    )


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
    """Send PING to Redis over a raw socket with a short timeout: a health
    check must answer even when the broker hangs."""
    url = urlparse(settings.REDIS_URL)
    try:
        with socket.create_connection((url.hostname or "127.0.0.1", url.port or 6379), timeout=1) as sock:
            sock.settimeout(1)
            if url.password:
                sock.sendall(f"AUTH {url.password}\r\n".encode())
                sock.recv(64)
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


@require_GET
@never_cache
def healthz(request):
    database = _check_database()
    broker = _check_broker()
    ok = database and broker
    return JsonResponse(
        {
            "status": "ok" if ok else "degraded",
            "database": "ok" if database else "down",
            "broker": "ok" if broker else "down",
        },
        status=200 if ok else 503,
    )


def placeholder(request, *args, **kwargs):
    """Temporary target for URL names whose pages are being built."""
    from django.http import HttpResponse

    return HttpResponse("Not built yet", status=501)
