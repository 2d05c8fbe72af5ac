"""GET /healthz: database and broker status for load balancers and docker."""

from __future__ import annotations

import socket
import time

import pytest

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_it_reports_database_and_broker_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_it_answers_503_when_the_broker_is_down(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started < 2
    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "database": "ok", "broker": "down"}


def test_it_answers_within_the_socket_timeout_when_the_broker_hangs(client, settings):
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


def test_it_needs_no_login_and_shows_nothing_else(client):
    response = client.get("/healthz")
    assert set(response.json()) == {"status", "database", "broker"}


def test_it_rejects_post(client):
    assert client.post("/healthz").status_code == 405
