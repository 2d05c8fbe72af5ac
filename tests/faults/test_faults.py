"""Fault injection against a real Celery worker, its own Redis and a
dedicated database (``make faults``; not part of ``make test``).

1. A burst of 200 dropout events while Redis is killed and restarted.
2. The worker killed with SIGKILL in the middle of a batch.
3. The worker's database connection dropped while a slow SMS gateway sends.

Each scenario prints one line (events, deliveries expected, delivered, lost,
duplicated, worst delay) and fails unless nothing is lost and nothing is
duplicated. Counting is by delivery id in the JSON-lines sinks the worker's
email and SMS backends write. A message the relay had to send again (a
worker died between sending and recording) counts as duplicated for email
(SMTP would deliver it twice); for SMS it carries the same idempotency key,
which the gateway must honour, and is shown as "absorbed".

The worker is the production one: Celery tasks (beat every 2 s here, a
nudge per event) plus the relay loop in its main process
(notifications/worker.py).
"""

from __future__ import annotations

import json
import time

import pytest

from tests.faults.conftest import RESULTS
from tests.faults.harness import Outcome, Worker, child_env, delivered_count, driver, measure, read_lines, wait_for

pytestmark = pytest.mark.faults

SETTLE = 60  # seconds to wait for the last deliveries after the last fault


def _scenario_dir(stack, name: str):
    path = stack["workdir"] / name
    path.mkdir()
    return path


def _finish(stack, faults_dir, prefix: str, events: int, name: str, slowest: float | None) -> Outcome:
    expected = events * 6
    try:
        wait_for(lambda: delivered_count(stack["db"], faults_dir, prefix) >= expected, SETTLE, 0.5, "deliveries")
    except TimeoutError:
        pass  # counted as lost below
    time.sleep(1)  # anything still in flight would show as a duplicate
    outcome = measure(stack["db"], faults_dir, prefix, events, name)
    outcome.slowest_write = slowest
    RESULTS.append(outcome)
    print(outcome.line())
    return outcome


def _burst_result(proc) -> float:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])["slowest_write"]


def test_a_burst_while_redis_is_killed_and_restarted(stack):
    faults_dir = _scenario_dir(stack, "redis")
    env = child_env(stack["db"], stack["redis"], faults_dir)
    worker = Worker(env, faults_dir, "redis")
    worker.start()
    try:
        burst = driver(env, "burst", "redis", "200", "15")
        for _ in range(50):
            assert burst.stdout.readline().strip() == "."
        stack["redis"].kill()  # Redis dies in the middle of the burst
        time.sleep(3)
        stack["redis"].start()
        slowest = _burst_result(burst)
        outcome = _finish(stack, faults_dir, "redis", 200, "burst of 200, Redis killed/restarted", slowest)
    finally:
        worker.stop()
    assert (outcome.lost, outcome.duplicated) == (0, 0), outcome.line()
    # Writing an event never waited for the missing Redis.
    assert slowest < 2.0, outcome.line()


def test_the_worker_killed_mid_batch(stack):
    faults_dir = _scenario_dir(stack, "sigkill")
    env = child_env(stack["db"], stack["redis"], faults_dir, FAULTS_SMS_DELAY_MS="120")
    worker = Worker(env, faults_dir, "sigkill-1")
    worker.start()
    burst = driver(env, "burst", "sigkill", "40", "0")
    slowest = _burst_result(burst)
    sms = faults_dir / "sms.jsonl"
    try:
        seen = wait_for(lambda: len(read_lines(sms)) >= 20 and len(read_lines(sms)), 60, 0.02, "the first SMS")
        wait_for(lambda: len(read_lines(sms)) > seen, 10, 0.005, "the next SMS")
        time.sleep(0.06)  # in the middle of the next (slow) send
        worker.kill()
        in_flight = stack["db"].rows("SELECT count(*) FROM notifications_delivery WHERE status = 'sending'")[0][0]
    finally:
        worker.kill()
    assert in_flight > 0, "the worker was not killed in the middle of a batch"
    time.sleep(1)
    replacement = Worker(env, faults_dir, "sigkill-2")
    replacement.start()
    try:
        outcome = _finish(stack, faults_dir, "sigkill", 40, f"worker SIGKILLed, {in_flight} rows in flight", slowest)
    finally:
        replacement.stop()
    assert (outcome.lost, outcome.duplicated) == (0, 0), outcome.line()


def test_the_database_connection_dropped_during_a_send(stack):
    faults_dir = _scenario_dir(stack, "dbdrop")
    env = child_env(stack["db"], stack["redis"], faults_dir, FAULTS_SMS_DELAY_MS="300")
    slowest = _burst_result(driver(env, "burst", "dbdrop", "20", "0"))
    worker = Worker(env, faults_dir, "dbdrop")
    worker.start()
    sms = faults_dir / "sms.jsonl"
    dropped = 0
    try:
        wait_for(lambda: read_lines(sms), 30, 0.02, "the first SMS")
        for _ in range(8):
            time.sleep(0.45)  # lands inside a 300 ms send most of the time
            dropped += stack["db"].terminate_backends()
        outcome = _finish(stack, faults_dir, "dbdrop", 20, "DB connection dropped during sends", slowest)
        log = worker.log_text()
    finally:
        worker.stop()
    assert dropped > 0
    assert "Database connection lost while recording a delivery; reconnecting." in log
    outcome.scenario = f"DB dropped x{dropped} during sends"
    RESULTS[-1] = outcome
    assert (outcome.lost, outcome.duplicated) == (0, 0), outcome.line()
