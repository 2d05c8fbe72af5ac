"""A relay loop inside the Celery worker that does not depend on the broker.

The relay also runs as Celery tasks (beat every few seconds, a nudge after
each event), but those need Redis and a consumer that is consuming. Progress
after a broker outage must not depend on either: when the worker is ready, a
daemon thread in its main process claims and sends due deliveries, and
escalates overdue notices, straight from the database every
NOTIFY_RELAY_EVERY_SECONDS. The claim (SKIP LOCKED, then a lease renewed
before each send) keeps it from ever sending what a task is sending.

The loop must outlive anything a round can raise: a failed round is logged,
its database connection thrown away (the next round connects afresh), and
the next round comes after a short pause. A round that stopped on its time
budget with more due is followed at once. Each good round writes the
"worker" heartbeat (``core.heartbeat``), so ``/healthz`` shows a dead loop.

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
BATCH = 50
_stop = threading.Event()
_thread: threading.Thread | None = None
_lock = threading.Lock()


def relay_once(*, escalate: bool):
    """One round: send what is due, escalate if it is time, and write the
    worker heartbeat. Returns the relay's result."""
    from core.heartbeat import WORKER, heartbeat_record
    from notifications import relay, services

    close_old_connections()
    try:
        result = relay.relay_deliveries(batch=BATCH, time_budget=max(settings.NOTIFY_RELAY_EVERY_SECONDS * 6, 30))
        if escalate:
            services.escalate_overdue()
        heartbeat_record(name=WORKER)
        return result
    finally:
        close_old_connections()


def _reset_connection() -> None:
    """Throw the thread's database connection away after a failed round,
    whatever state it is in, so the next round starts with a new one."""
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - a broken connection may fail to close
        connection.connection = None


def _loop(stop: threading.Event) -> None:
    interval = settings.NOTIFY_RELAY_EVERY_SECONDS
    last_escalation = 0.0
    wait = 0.0  # the first round at once: deliveries may have waited for this worker
    while not stop.wait(wait):
        escalate = time.monotonic() - last_escalation >= ESCALATE_EVERY_SECONDS
        try:
            result = relay_once(escalate=escalate)
        except Exception as exc:  # noqa: BLE001 - the loop must outlive a bad round
            logger.warning("Relay round failed (%s); trying again.", type(exc).__name__)
            _reset_connection()
            wait = min(interval, 1.0)
            continue
        if escalate:
            last_escalation = time.monotonic()
        if result.sent or result.retrying or result.failed:
            logger.info("Relay loop: %d sent, %d to retry, %d failed.", result.sent, result.retrying, result.failed)
        # Stopped on its time budget with a full last batch: more is due.
        wait = 0.0 if result.claimed and result.claimed % BATCH == 0 else interval
    _reset_connection()


def _run(stop: threading.Event) -> None:
    try:
        _loop(stop)
    except BaseException:
        logger.exception("Notification relay loop ended unexpectedly.")
        raise


def start() -> threading.Thread | None:
    global _thread
    with _lock:
        if not settings.NOTIFY_RELAY_IN_WORKER or (_thread is not None and _thread.is_alive()):
            return None
        _stop.clear()
        _thread = threading.Thread(target=_run, args=(_stop,), name="notifications-relay", daemon=True)
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
