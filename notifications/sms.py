"""A small SMS gateway interface.

``settings.SMS_BACKEND`` names the backend class:
- ``notifications.sms.ConsoleBackend`` (development): prints the message;
- ``notifications.sms.FileBackend``: appends one JSON line per message to
  ``settings.SMS_FILE_PATH`` (development, and the fault-injection suite,
  which counts deliveries by their idempotency key);
- ``notifications.sms.HTTPBackend``: POSTs ``{"to", "text",
  "idempotency_key"}`` as JSON to ``settings.SMS_HTTP_URL`` with a bearer
  token and a timeout.

Every message carries the delivery id as its idempotency key: a gateway
that receives the same key twice (a resend after a worker died between
sending and recording) delivers it once.

Errors are raised as ``SMSError`` with a short reason (a status code, "timeout")
that never contains the number or the text.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SMSError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason[:80]


class BaseBackend:
    def send(self, *, to: str, text: str, idempotency_key: str) -> None:
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stdout

    def send(self, *, to: str, text: str, idempotency_key: str) -> None:
        self.stream.write(f"SMS [{idempotency_key}] to {to}: {text}\n")
        self.stream.flush()


# Per file: how far this process has read it, and the keys seen so far.
_SEEN: dict[str, tuple[int, set[str]]] = {}


def append_once(path: Path, key: str, record: dict) -> bool:
    """Append ``record`` as one JSON line to ``path`` unless a line with
    this idempotency ``key`` is there already (then note the repeat in
    ``<path>.repeats`` and return False). Safe across processes: the file
    is locked while it is checked and written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"at": timezone.now().isoformat(), "idempotency_key": key, **record}, ensure_ascii=False)
    with open(path, "a+", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            offset, seen = _SEEN.get(str(path), (0, set()))
            fh.seek(0, 2)
            if fh.tell() < offset:  # the file was replaced
                offset, seen = 0, set()
            fh.seek(offset)
            for existing in fh.read().splitlines():
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    seen.add(json.loads(existing)["idempotency_key"])
            if key in seen:
                with open(f"{path}.repeats", "a", encoding="utf-8") as repeats:
                    repeats.write(line + "\n")
                _SEEN[str(path)] = (fh.tell(), seen)
                return False
            fh.write(line + "\n")
            fh.flush()
            seen.add(key)
            _SEEN[str(path)] = (fh.tell(), seen)
            return True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class FileBackend(BaseBackend):
    """One JSON line per message, appended under an exclusive lock so that
    several worker processes can share the file. Like a real gateway it
    honours the idempotency key: a message sent again with the same key is
    not written again (it is noted in ``<file>.repeats``)."""

    def __init__(self, path: str | None = None) -> None:
        self.path = Path(path or settings.SMS_FILE_PATH)

    def send(self, *, to: str, text: str, idempotency_key: str) -> None:
        append_once(self.path, idempotency_key, {"to": to, "text": text})


class HTTPBackend(BaseBackend):
    """A JSON-over-HTTPS gateway. 2xx is success; 409 means the gateway has
    this idempotency key already (sent before): also success."""

    def __init__(self, url: str | None = None, token: str | None = None, timeout: float | None = None) -> None:
        self.url = url or settings.SMS_HTTP_URL
        self.token = token if token is not None else settings.SMS_HTTP_TOKEN
        self.timeout = timeout or settings.SMS_HTTP_TIMEOUT
        if not self.url:
            raise SMSError("SMS_HTTP_URL is not set")
        if not self.url.lower().startswith(("https://", "http://")):
            raise SMSError("SMS_HTTP_URL must be an http(s) URL")

    def send(self, *, to: str, text: str, idempotency_key: str) -> None:
        body = json.dumps({"to": to, "text": text, "idempotency_key": idempotency_key}).encode("utf-8")
        headers = {"Content-Type": "application/json", "Idempotency-Key": idempotency_key}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")  # noqa: S310 - configured URL
        try:
            # The scheme is checked to be http(s) in __init__.
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 # nosec B310
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
            with contextlib.suppress(Exception):
                exc.close()
        except TimeoutError as exc:
            raise SMSError("timeout") from exc
        except urllib.error.URLError as exc:
            reason = "timeout" if isinstance(exc.reason, TimeoutError) else "unreachable"
            raise SMSError(reason) from exc
        except OSError as exc:
            raise SMSError(type(exc).__name__) from exc
        if not (200 <= status < 300 or status == 409):
            raise SMSError(f"HTTP {status}")


def get_backend() -> BaseBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(*, to: str, text: str, idempotency_key: str) -> None:
    get_backend().send(to=to, text=text, idempotency_key=idempotency_key)
