"""Fault injection against a real Celery worker, its own Redis and a
dedicated database (``make faults``; not part of ``make test``).

1. A burst of 200 dropout events while Redis is killed and restarted.
2. The worker killed with SIGKILL in the middle of a batch.
3. The worker's database connection dropped while a slow SMS gateway sends.

Each scenario runs FAULTS_RUNS times (default 5), each time once as it is
and once under CPU load (two busy processes beside the worker, as on a
loaded 2-core machine). Each run prints one line (events, deliveries
expected, delivered, lost, duplicated, worst delay, and for the Redis
scenario the worst delay counted from Redis's return) and fails unless
nothing is lost, nothing is duplicated and, after Redis returns, every
delivery arrives within 30 s and the consumer consumes again (the "beat"
heartbeat, a task sent by beat through Redis, is written again).

Counting is by delivery id in the JSON-lines sinks the worker's email and
SMS backends write (``harness.CHANNELS``). A message the relay had to send
again (a worker died between sending and recording) counts as duplicated
for email (SMTP would deliver it twice); for SMS it carries the same
idempotency key, which the gateway must honour, and is shown as "absorbed".

The worker is the production one: Celery tasks (beat every 2 s here, a
nudge per event) plus the relay loop in its main process
(notifications/worker.py).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time

import pytest

from tests.faults.conftest import RESULTS
from tests.faults.harness import (
    PER_EVENT,
    CpuLoad,
    Outcome,
    Worker,
    child_env,
    delivered_count,
    driver,
    heartbeat_at,
    measure,
    read_lines,
    wait_for,
)

pytestmark = pytest.mark.faults

RUNS = int(os.environ.get("FAULTS_RUNS", "5"))
SETTLE = int(os.environ.get("FAULTS_SETTLE", "40"))  # seconds for the last deliveries after the last fault
AFTER_REDIS_LIMIT = 30.0  # seconds: every delivery within this after Redis returns
CONSUMER_LIMIT = 45.0  # seconds: the consumer consumes again (Celery's reconnect backs off 2, 4, 6 ... s)
RUN_PARAMS = [
    pytest.param((run, load), id=f"run{run}-load-{'on' if load else 'off'}")
    for run in range(1, RUNS + 1)
    for load in (False, True)
]


@pytest.fixture(params=RUN_PARAMS)
def run(request):
    number, load = request.param
    if load:
        with CpuLoad(processes=2, seconds=SETTLE + 120):
            yield number, True
    else:
        yield number, False


def _scenario_dir(stack, name: str, run) -> tuple:
    number, load = run
    path = stack["workdir"] / f"{name}-{number}-{'load' if load else 'idle'}"
    path.mkdir()
    return path, f"{name}{number}{'L' if load else ''}"


def _finish(stack, faults_dir, prefix, events, name, slowest, run, *, since=None) -> Outcome:
    expected = events * PER_EVENT
    try:
        wait_for(lambda: delivered_count(stack["db"], faults_dir, prefix) >= expected, SETTLE, 0.5, "deliveries")
    except TimeoutError:
        pass  # counted as lost below
    time.sleep(1)  # anything still in flight would show as a duplicate
    outcome = measure(stack["db"], faults_dir, prefix, events, name, since=since)
    outcome.slowest_write = slowest
    outcome.run, outcome.load = run
    RESULTS.append(outcome)
    print(outcome.line())
    return outcome


def _burst_result(proc) -> float:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])["slowest_write"]


def test_a_burst_while_redis_is_killed_and_restarted(stack, run):
    faults_dir, prefix = _scenario_dir(stack, "redis", run)
    env = child_env(stack["db"], stack["redis"], faults_dir)
    worker = Worker(env, faults_dir, prefix)
    worker.start()
    try:
        burst = driver(env, "burst", prefix, "200", "15")
        for _ in range(50):
            assert burst.stdout.readline().strip() == "."
        stack["redis"].kill()  # Redis dies in the middle of the burst
        time.sleep(3)
        stack["redis"].start()
        back = dt.datetime.now(dt.UTC)
        slowest = _burst_result(burst)
        outcome = _finish(
            stack, faults_dir, prefix, 200, "burst of 200, Redis killed/restarted", slowest, run, since=back
        )
        # The consumer consumes again: a heartbeat task sent by beat through
        # the restarted Redis was run by this worker.
        try:
            consumer_back = wait_for(
                lambda: (at := heartbeat_at(stack["db"], "beat")) and at > back and at,
                max(CONSUMER_LIMIT - (dt.datetime.now(dt.UTC) - back).total_seconds(), 1),
                0.5,
                "the beat heartbeat",
            )
            consumer_delay = (consumer_back - back).total_seconds()
        except TimeoutError:
            consumer_delay = None
        outcome.notes = f"consumer back after {consumer_delay:.1f}s" if consumer_delay is not None else "CONSUMER DEAF"
        print(outcome.line())
    finally:
        worker.stop()
    assert (outcome.lost, outcome.duplicated) == (0, 0), outcome.line()
    assert outcome.worst_after_redis < AFTER_REDIS_LIMIT, outcome.line()
    assert consumer_delay is not None, f"no task consumed within {CONSUMER_LIMIT}s of Redis's return"
    # Writing an event never waited for the missing Redis.
    assert slowest < 2.0, outcome.line()


def test_the_worker_killed_mid_batch(stack, run):
    faults_dir, prefix = _scenario_dir(stack, "sigkill", run)
    env = child_env(stack["db"], stack["redis"], faults_dir, FAULTS_SMS_DELAY_MS="120")
    worker = Worker(env, faults_dir, f"{prefix}-1")
    worker.start()
    burst = driver(env, "burst", prefix, "40", "0")
    slowest = _burst_result(burst)
    sms = faults_dir / "sms.jsonl"
    try:
        seen = wait_for(lambda: len(read_lines(sms)) >= 20 and len(read_lines(sms)), 60, 0.02, "the first SMS")
        # On a machine loaded beyond the two busy processes the worker may
        # stall for seconds between two sends: wait for it, this is only
        # the moment of the kill, not a delivery deadline.
        wait_for(lambda: len(read_lines(sms)) > seen, 30, 0.005, "the next SMS")
        time.sleep(0.06)  # in the middle of the next (slow) send
        worker.kill()
        in_flight = stack["db"].rows("SELECT count(*) FROM notifications_delivery WHERE status = 'sending'")[0][0]
    finally:
        worker.kill()
    assert in_flight > 0, "the worker was not killed in the middle of a batch"
    time.sleep(1)
    replacement = Worker(env, faults_dir, f"{prefix}-2")
    replacement.start()
    try:
        outcome = _finish(stack, faults_dir, prefix, 40, f"worker SIGKILLed, {in_flight} rows in flight", slowest, run)
    finally:
        replacement.stop()
    assert (outcome.lost, outcome.duplicated) == (0, 0), outcome.line()


def test_the_database_connection_dropped_during_a_send(stack, run):
    faults_dir, prefix = _scenario_dir(stack, "dbdrop", run)
    env = child_env(stack["db"], stack["redis"], faults_dir, FAULTS_SMS_DELAY_MS="300")
    slowest = _burst_result(driver(env, "burst", prefix, "20", "0"))
    worker = Worker(env, faults_dir, prefix)
    worker.start()
    sms = faults_dir / "sms.jsonl"
    dropped = 0
    try:
        wait_for(lambda: read_lines(sms), 30, 0.02, "the first SMS")
        for _ in range(8):
            time.sleep(0.45)  # lands inside a 300 ms send most of the time
            dropped += stack["db"].terminate_backends()
        outcome = _finish(stack, faults_dir, prefix, 20, "DB connection dropped during sends", slowest, run)
        log = worker.log_text()
    finally:
        worker.stop()
    assert dropped > 0
    assert "Database connection lost while recording a delivery; reconnecting." in log
    outcome.scenario = f"DB dropped x{dropped} during sends"
    assert (outcome.lost, outcome.duplicated) == (0, 0), outcome.line()
