"""Heartbeats of the background processes, read by ``/healthz``."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from core.models import Heartbeat

WORKER = "worker"
BEAT = "beat"
NAMES = (WORKER, BEAT)


def heartbeat_record(*, name: str, now: dt.datetime | None = None) -> None:
    """One UPSERT; no transaction of its own is needed."""
    Heartbeat.objects.update_or_create(name=name, defaults={"at": now or timezone.now()})


def heartbeat_status(*, now: dt.datetime | None = None) -> dict[str, str]:
    """{"worker": "ok"|"down", "beat": "ok"|"down"}: down when never seen or
    older than HEARTBEAT_STALE_SECONDS."""
    now = now or timezone.now()
    limit = now - dt.timedelta(seconds=settings.HEARTBEAT_STALE_SECONDS)
    seen = dict(Heartbeat.objects.filter(name__in=NAMES).values_list("name", "at"))
    return {name: "ok" if seen.get(name) and seen[name] >= limit else "down" for name in NAMES}
