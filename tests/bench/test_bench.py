"""make bench's pieces at a tiny scale, so that the tool cannot rot between
the runs made by hand: the register is built, a signed-in page is measured
through a real HTTP server with its SQL counted, and the table judges it."""

from __future__ import annotations

import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections

from reports import bench_data
from tests.conftest import ensure_shipped_data
from tools.bench import pages
from tools.bench.measure import Row, judge, measure, table

pytestmark = pytest.mark.django_db(transaction=True)


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def bench_server(settings):
    """The app with the benchmark's URLconf and query-counting middleware, on a port of its own."""
    settings.ROOT_URLCONF = "tools.bench.urls"
    settings.MIDDLEWARE = ["tools.bench.middleware.QueryCountMiddleware", *settings.MIDDLEWARE]
    handler = WSGIHandler()

    def app(environ, start_response):
        # The server's thread lets go of its connection after each request:
        # the test database is flushed and dropped afterwards.
        try:
            return list(handler(environ, start_response))
        finally:
            connections.close_all()

    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def test_a_tiny_register_is_served_measured_and_judged(bench_server):
    """GIVEN a register of 80 referrals
    WHEN the psychologist's Today page and the signed-in bare view are measured
    THEN every part of the register is there, the page answers with its
    queries counted, and the table shows both rows with a verdict."""
    ensure_shipped_data()
    built = bench_data.build(80, say=lambda line: None)
    assert built.counts["referrals"] == 80
    for part in ("cases", "enrolments", "groups", "sessions", "attendance", "notices", "deliveries"):
        assert built.counts[part] > 0, part
    assert built.counts["attendance"] > 10 * built.counts["enrolments"]
    assert pages.Plan.make().session

    client = pages.signed_in(bench_server, "bench.psychologist", say=print)
    hello = measure(
        Row(pages.HELLO_SIGNED_IN, client, "GET", "/bench/hello/signed-in/", kind="reference"),
        seconds=0.2,
        most=5,
        clients=2,
    )
    today = measure(Row("Today (psychologist)", client, "GET", "/programmes/today/"), seconds=0.2, most=5, clients=2)

    assert not hello.errors and not today.errors
    assert hello.query_count >= 1 and today.query_count > hello.query_count
    assert today.rps1 > 0 and today.rps8 > 0 and len(today.ms) >= 5
    judge([hello, today], hello_signed_in=pages.HELLO_SIGNED_IN, admin=pages.ADMIN)
    assert hello.verdict == "reference"
    assert today.verdict == "ok" or today.verdict.startswith("MISS")
    text = table([hello, today], hello_signed_in=pages.HELLO_SIGNED_IN, admin=pages.ADMIN)
    assert "Today (psychologist)" in text and "srv p95" in text


def test_the_background_table_times_every_sweep_and_the_relay_and_leaves_the_register_as_it_was():
    """GIVEN a register of 80 referrals
    WHEN the background table runs
    THEN every sweep and the relay has a row with a verdict and no error,
    and nothing it recorded is left behind (one transaction, rolled back)."""
    from notifications.models import Delivery, Reminder, SafetyEvent
    from tools.bench import background

    ensure_shipped_data()
    bench_data.build(80, say=lambda line: None)
    before = (SafetyEvent.objects.count(), Reminder.objects.count(), Delivery.objects.count())
    results, _ok = background.run(relay_seconds=0.2, say=lambda line: None)

    assert [r.label for r in results][:3] == ["dropout sweep", "order-expiry sweep", "escalation sweep"]
    assert len(results) == len(background.sweeps()) + 1
    assert all(r.verdict and not r.error for r in results), [(r.label, r.error) for r in results]
    assert (SafetyEvent.objects.count(), Reminder.objects.count(), Delivery.objects.count()) == before
    text = background.table(results, active_enrolments=background.active_enrolments())
    assert "relay" in text and "steady s" in text
