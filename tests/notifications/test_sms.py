"""The SMS gateway backends: the file sink and the HTTP backend, each with
the delivery id as idempotency key; errors never carry the number or text."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from notifications.sms import ConsoleBackend, FileBackend, HTTPBackend, SMSError


@pytest.fixture
def gateway():
    """A local HTTP gateway: records requests, answers with ``status``."""
    state = {"status": 200, "delay": 0.0, "requests": []}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state["requests"].append({"headers": dict(self.headers), "body": json.loads(body)})
            time.sleep(state["delay"])
            self.send_response(state["status"])
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state["url"] = f"http://127.0.0.1:{server.server_address[1]}/sms"
    yield state
    server.shutdown()
    server.server_close()


def test_the_http_backend_posts_json_with_the_idempotency_key(gateway):
    HTTPBackend(url=gateway["url"], token="s3cret", timeout=2).send(
        to="+996555000001", text="Hello", idempotency_key="42"
    )
    (request,) = gateway["requests"]
    assert request["body"] == {"to": "+996555000001", "text": "Hello", "idempotency_key": "42"}
    assert request["headers"]["Idempotency-Key"] == "42"
    assert request["headers"]["Authorization"] == "Bearer s3cret"
    assert request["headers"]["Content-Type"] == "application/json"


def test_a_repeated_key_answered_409_counts_as_sent(gateway):
    gateway["status"] = 409
    HTTPBackend(url=gateway["url"], token="", timeout=2).send(to="+996555000001", text="x", idempotency_key="42")


@pytest.mark.parametrize(("status", "reason"), [(500, "HTTP 500"), (401, "HTTP 401"), (429, "HTTP 429")])
def test_a_gateway_error_is_an_sms_error_with_the_status_only(gateway, status, reason):
    gateway["status"] = status
    with pytest.raises(SMSError) as exc:
        HTTPBackend(url=gateway["url"], token="", timeout=2).send(
            to="+996555000001", text="secret text", idempotency_key="1"
        )
    assert exc.value.reason == reason
    assert "+996555000001" not in str(exc.value) and "secret" not in str(exc.value)


def test_a_slow_gateway_times_out(gateway):
    gateway["delay"] = 1.5
    started = time.monotonic()
    with pytest.raises(SMSError) as exc:
        HTTPBackend(url=gateway["url"], token="", timeout=0.3).send(to="+1", text="x", idempotency_key="1")
    assert exc.value.reason == "timeout"
    assert time.monotonic() - started < 1.4


def test_an_unreachable_gateway_is_an_sms_error():
    with pytest.raises(SMSError) as exc:
        HTTPBackend(url="http://127.0.0.1:9/sms", token="", timeout=1).send(to="+1", text="x", idempotency_key="1")
    assert exc.value.reason == "unreachable"


def test_the_file_backend_writes_one_json_line_per_message(tmp_path):
    path = tmp_path / "out" / "sms.jsonl"
    backend = FileBackend(path=str(path))
    backend.send(to="+996555000001", text="Первое", idempotency_key="7")
    backend.send(to="+996555000002", text="Second", idempotency_key="8")
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(x["idempotency_key"], x["to"], x["text"]) for x in lines] == [
        ("7", "+996555000001", "Первое"),
        ("8", "+996555000002", "Second"),
    ]
    assert all(x["at"] for x in lines)


def test_the_file_backend_honours_the_idempotency_key(tmp_path):
    """A resend with the same key (a worker died between sending and
    recording) reaches the recipient once; the repeat is noted aside."""
    path = tmp_path / "sms.jsonl"
    FileBackend(path=str(path)).send(to="+996555000001", text="One", idempotency_key="7")
    FileBackend(path=str(path)).send(to="+996555000001", text="One", idempotency_key="7")
    (path.parent / "other.jsonl").write_text("")  # another file keeps its own keys
    FileBackend(path=str(path.parent / "other.jsonl")).send(to="+1", text="x", idempotency_key="7")
    assert [json.loads(x)["idempotency_key"] for x in path.read_text().splitlines()] == ["7"]
    assert [json.loads(x)["idempotency_key"] for x in (tmp_path / "sms.jsonl.repeats").read_text().splitlines()] == [
        "7"
    ]
    # Lines written by another process are seen too.
    with open(path, "a") as fh:
        fh.write(json.dumps({"at": "x", "idempotency_key": "9", "to": "+1", "text": "x"}) + "\n")
    FileBackend(path=str(path)).send(to="+1", text="x", idempotency_key="9")
    assert len(path.read_text().splitlines()) == 2


def test_the_console_backend_prints_the_message():
    import io

    stream = io.StringIO()
    ConsoleBackend(stream=stream).send(to="+1", text="Hi", idempotency_key="3")
    assert stream.getvalue() == "SMS [3] to +1: Hi\n"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://gateway.example/sms", "gateway.example/sms"])
def test_a_gateway_url_must_be_http_or_https(url):
    with pytest.raises(SMSError, match="SMS_HTTP_URL must be an http"):
        HTTPBackend(url=url, token="", timeout=1)
