from __future__ import annotations

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from redis.backoff import NoBackoff
from redis.retry import Retry


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
