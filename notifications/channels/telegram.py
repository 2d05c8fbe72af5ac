"""Telegram through the project's bot (Bot API ``sendMessage``).

``settings.TELEGRAM_BACKEND`` names the backend class:
- ``notifications.channels.telegram.ConsoleBackend`` (development): prints;
- ``notifications.channels.telegram.FileBackend``: one JSON line per
  message in ``settings.TELEGRAM_FILE_PATH`` (development, fault tests),
  written once per idempotency key;
- ``notifications.channels.telegram.HTTPBackend``: POSTs
  ``{"chat_id", "text"}`` as JSON to
  ``{TELEGRAM_API_URL}/bot{TELEGRAM_BOT_TOKEN}/sendMessage`` with a timeout.

Idempotency: the Bot API has no idempotency key. The HTTP backend sends the
delivery id as an ``Idempotency-Key`` header (Telegram ignores it; a relaying
proxy may honour it) and the relay's claim and lease make a second send
happen only if a worker dies between Telegram's answer and recording it.
That window cannot be closed against Telegram itself: a duplicate is then
possible (at least once, never zero times, for a safety notice).

Errors: 2xx with ``"ok": true`` is success; 429 (flood control), 5xx,
timeouts and unreachable servers are retried by the relay; any other 4xx
(chat not found, bot blocked) is permanent. The token never appears in a
reason or a log line.
"""

from __future__ import annotations

import contextlib
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

from notifications.channels import BaseBackend, ChannelError
from notifications.sms import append_once


class ConsoleBackend(BaseBackend):
    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stdout

    def send(self, *, to: str, text: str, idempotency_key: str) -> None:
        self.stream.write(f"Telegram [{idempotency_key}] to chat {to}: {text}\n")
        self.stream.flush()


class FileBackend(BaseBackend):
    def __init__(self, path: str | None = None) -> None:
        self.path = Path(path or settings.TELEGRAM_FILE_PATH)

    def send(self, *, to: str, text: str, idempotency_key: str) -> None:
        append_once(self.path, idempotency_key, {"chat_id": to, "text": text})


def api_call(method: str, payload: dict, *, timeout: float | None = None, headers: dict | None = None) -> dict:
    """POST ``payload`` to the Bot API method; the decoded answer, or
    ``ChannelError``."""
    base = settings.TELEGRAM_API_URL.rstrip("/")
    token = settings.TELEGRAM_BOT_TOKEN
    if not token:
        raise ChannelError("TELEGRAM_BOT_TOKEN is not set", permanent=True)
    if not base.lower().startswith(("https://", "http://")):
        raise ChannelError("TELEGRAM_API_URL must be an http(s) URL", permanent=True)
    body = json.dumps(payload).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 - configured URL
        f"{base}/bot{token}/{method}",
        data=body,
        headers={"Content-Type": "application/json", **(headers or {})},
        method="POST",
    )
    try:
        # The scheme is checked to be http(s) above.
        with urllib.request.urlopen(request, timeout=timeout or settings.TELEGRAM_HTTP_TIMEOUT) as response:  # noqa: S310 # nosec B310
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, b""
        with contextlib.suppress(Exception):
            exc.close()
    except TimeoutError as exc:
        raise ChannelError("timeout") from exc
    except urllib.error.URLError as exc:
        raise ChannelError("timeout" if isinstance(exc.reason, TimeoutError) else "unreachable") from exc
    except OSError as exc:
        raise ChannelError(type(exc).__name__) from exc
    if status == 429 or status >= 500:
        raise ChannelError(f"HTTP {status}")
    if not 200 <= status < 300:
        raise ChannelError(f"HTTP {status}", permanent=True)
    try:
        answer = json.loads(raw or b"{}")
    except ValueError as exc:
        raise ChannelError("bad answer") from exc
    if not answer.get("ok", False):
        raise ChannelError("not ok")
    return answer


class HTTPBackend(BaseBackend):
    def send(self, *, to: str, text: str, idempotency_key: str) -> None:
        api_call(
            "sendMessage",
            {"chat_id": to, "text": text, "disable_web_page_preview": True},
            headers={"Idempotency-Key": idempotency_key},
        )


def get_backend() -> BaseBackend:
    return import_string(settings.TELEGRAM_BACKEND)()


def send_telegram(*, to: str, text: str, idempotency_key: str) -> None:
    get_backend().send(to=to, text=text, idempotency_key=idempotency_key)
