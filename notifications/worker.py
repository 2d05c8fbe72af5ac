"""A relay loop inside the Celery worker that does not depend on the broker.

The relay normally runs as Celery tasks (beat every few seconds, a nudge
after each event). Those need Redis, and a worker that lost Redis has been
seen to stay deaf for a long time after Redis came back (the fault suite
caught it once under load; the same symptom is reported upstream for the
Redis transport, e.g. celery/celery#8082, #9054 and, still on 5.5, #10205).
Deliveries must not wait for that: when the worker is ready, a daemon thread
in its main process claims and sends due deliveries, and escalates overdue
notices, straight from the database every NOTIFY_RELAY_EVERY_SECONDS. The claim (SKIP LOCKED, then a lease renewed
before each send) keeps it from ever sending what a task is sending.

Off with NOTIFY_RELAY_IN_WORKER=false.
"""

from __future__ import annotations

import logging
import threading
import time

from celery import signals
from django.conf import settings
from django.db import close_old_connections, connection

logger = logging.getLogger(__name__)

ESCALATE_EVERY_SECONDS = 60
_stop = threading.Event()
_thread: threading.Thread | None = None


def relay_once(*, escalate: bool) -> None:
    """One round: send what is due, and escalate if it is time."""
    from notifications import relay, services

    close_old_connections()
    try:
        relay.relay_deliveries(time_budget=max(settings.NOTIFY_RELAY_EVERY_SECONDS * 6, 30))
        if escalate:
            services.escalate_overdue()
    finally:
        close_old_connections()


def _loop(stop: threading.Event) -> None:
    last_escalation = 0.0
    while not stop.wait(settings.NOTIFY_RELAY_EVERY_SECONDS):
        escalate = time.monotonic() - last_escalation >= ESCALATE_EVERY_SECONDS
        try:
            relay_once(escalate=escalate)
            if escalate:
                last_escalation = time.monotonic()
        except Exception as exc:  # noqa: BLE001 - the loop must outlive a bad round
            logger.warning("Relay round failed (%s); trying again.", type(exc).__name__)
            connection.close()
    connection.close()


def start() -> threading.Thread | None:
    global _thread
    if not settings.NOTIFY_RELAY_IN_WORKER or (_thread is not None and _thread.is_alive()):
        return None
    _stop.clear()
    _thread = threading.Thread(target=_loop, args=(_stop,), name="notifications-relay", daemon=True)
    _thread.start()
    logger.info("Notification relay loop started (every %ss).", settings.NOTIFY_RELAY_EVERY_SECONDS)
    return _thread


def stop(timeout: float = 5) -> None:
    _stop.set()
    if _thread is not None:
        _thread.join(timeout)


@signals.worker_ready.connect
def _on_worker_ready(**kwargs) -> None:
    start()


@signals.worker_shutdown.connect
def _on_worker_shutdown(**kwargs) -> None:
    stop()
