"""The relay loop in the worker: it outlives failed rounds, starts each
round with a usable database connection, and follows a full round at once."""

from __future__ import annotations

import threading
import time

from django.db import OperationalError

from notifications import worker
from notifications.relay import RelayResult


def _run_loop(monkeypatch, settings, outcomes, *, rounds):
    settings.NOTIFY_RELAY_EVERY_SECONDS = 1
    calls, resets = [], []
    done = threading.Event()

    def fake_round(*, escalate):
        calls.append(time.monotonic())
        outcome = outcomes[min(len(calls) - 1, len(outcomes) - 1)]
        if len(calls) >= rounds:
            done.set()
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    monkeypatch.setattr(worker, "relay_once", fake_round)
    monkeypatch.setattr(worker, "_reset_connection", lambda: resets.append(1))
    stop = threading.Event()
    thread = threading.Thread(target=worker._loop, args=(stop,), daemon=True)
    started = time.monotonic()
    thread.start()
    assert done.wait(10), f"only {len(calls)} rounds"
    stop.set()
    thread.join(5)
    assert not thread.is_alive()
    return [at - started for at in calls], resets


def test_the_loop_outlives_failed_rounds_and_resets_the_connection(monkeypatch, settings):
    error = OperationalError("the connection is closed")
    calls, resets = _run_loop(monkeypatch, settings, [error, RuntimeError("boom"), RelayResult()], rounds=3)
    assert len(calls) >= 3
    assert calls[0] < 0.5  # the first round at once
    assert calls[1] - calls[0] < 1.5 and calls[2] - calls[1] < 1.5  # a failed round is retried soon
    assert len(resets) >= 2  # a fresh connection after each failure (and one at the end)


def test_a_round_that_filled_its_batches_is_followed_at_once(monkeypatch, settings):
    full = RelayResult(claimed=worker.BATCH * 2, sent=worker.BATCH * 2)
    calls, _ = _run_loop(monkeypatch, settings, [full, full, RelayResult()], rounds=3)
    assert calls[2] < 0.5  # no pause while more is due
