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
