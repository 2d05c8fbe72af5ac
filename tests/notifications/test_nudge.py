"""The nudge after an event never blocks or fails the request: Redis down
or hanging costs delay (the beat relay picks the rows up), never an alert."""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
import uuid

import pytest
import redis
from celery import current_app
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from notifications.services import nudge_relay
from tests.notices import case_deliveries, case_events


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


@pytest.fixture
def broker_down(monkeypatch):
    monkeypatch.setitem(current_app.conf, "broker_write_url", f"redis://127.0.0.1:{_closed_port()}/0")


@pytest.fixture
def broker_hanging(monkeypatch):
    """A server that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    monkeypatch.setitem(current_app.conf, "broker_write_url", f"redis://127.0.0.1:{server.getsockname()[1]}/0")
    yield
    stop.set()
    thread.join(2)
    for conn in accepted:
        conn.close()
    server.close()


def _timed(fn) -> float:
    started = time.monotonic()
    fn()
    return time.monotonic() - started


@pytest.mark.usefixtures("broker_down")
def test_the_nudge_returns_at_once_when_redis_refuses_connections(caplog):
    assert _timed(nudge_relay) < 1.0
    assert "Relay nudge not sent (OperationalError)" in caplog.text


@pytest.mark.usefixtures("broker_hanging")
def test_the_nudge_gives_up_quickly_when_redis_hangs(caplog):
    assert _timed(nudge_relay) < 1.5
    assert "Relay nudge not sent" in caplog.text


@pytest.mark.usefixtures("broker_down")
def test_a_web_request_that_records_an_event_succeeds_without_redis(
    client, login, users, case_with_service, django_capture_on_commit_callbacks
):
    login(users["police"])
    url = reverse("notifications:report_violence", args=[case_with_service.pk])
    data = {
        "reported_on": timezone.localdate().isoformat(),
        "summary": "He broke in.",
        "submission_key": str(uuid.uuid4()),
    }
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url, data)
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    # One nudge for the transaction: the test's own still holds the one of
    # the referral's acceptance.
    pending = [entry[1] for entry in connection.run_on_commit] + list(callbacks)
    assert pending.count(nudge_relay) == 1
    assert elapsed < 2.0
    event = case_events().get(kind="new_violence")
    assert case_deliveries().filter(event=event).exists()  # waiting for the beat relay


def test_the_nudge_carries_no_data_when_redis_is_up():
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    task_id = nudge_relay()
    assert task_id
    messages = [json.loads(raw) for raw in client.lrange("celery", 0, 50)]
    (message,) = [m for m in messages if m["headers"]["id"] == task_id]
    args, kwargs, _embed = json.loads(base64.b64decode(message["body"]))
    assert (message["headers"]["task"], args, kwargs) == ("notifications.relay_deliveries", [], {})
    assert message["headers"]["expires"]
