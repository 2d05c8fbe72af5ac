"""Posting a signed body to a partner's address, and which addresses may be
posted to.

- ``url_problem(url)``: why an address may not be a webhook (the form's field
  error), or ``None``. Only https, unless ``WEBHOOK_ALLOW_HTTP``; no user or
  password in it; and, unless ``WEBHOOK_ALLOW_PRIVATE_ADDRESSES``, no name or
  number that is (or resolves to) a private, loopback, link-local or other
  non-public address: the server must not be made to call into its own
  networks (SSRF).
- ``sign(secret, body)``: the ``X-Casework-Signature`` value,
  ``sha256=<hex HMAC-SHA256 of the body with the secret>``.
- ``post(url, body, headers)``: one POST with short timeouts. The name is
  resolved and checked again at sending time, and the connection goes to the
  address that was checked (a name that resolves to a public address when
  the webhook is saved and to a private one later is refused then). Redirects
  are not followed. A 2xx answer is success; anything else raises
  ``WebhookError`` with a short reason (``HTTP 503``, ``timeout``, ...), never
  the address or the body. A refused address is a permanent error: retrying
  cannot help.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from notifications.channels import ChannelError

USER_AGENT = "casework-webhooks/1"
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa")


class WebhookError(ChannelError):
    pass


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to (``socket.gaierror`` if none)."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in found]


def _port(parts) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)


def url_problem(url: str) -> str | None:
    """Why ``url`` may not be a webhook address, as a sentence; ``None`` if it may."""
    try:
        parts = urlsplit(url)
        port = _port(parts)
    except ValueError:
        return _("Enter a valid URL.")
    allowed = ("https", "http") if settings.WEBHOOK_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed:
        return _("The address must start with https://.")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        return _("Enter a valid URL.")
    if parts.username or parts.password:
        return _("The address must not contain a user name or password: the signature proves who sends.")
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return None
    if host == "localhost" or host.endswith(LOCAL_SUFFIXES):
        return _("The address must be on the internet, not in a private or local network.")
    try:
        addresses = [host] if _is_ip(host) else _resolve(host, port)
    except (OSError, UnicodeError):
        return _("This address cannot be found. Check the name.")
    if not addresses or not all(_is_public(a) for a in addresses):
        return _("The address must be on the internet, not in a private or local network.")
    return None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _checked_address(host: str, port: int) -> str:
    """The address to connect to: resolved now, and public unless allowed."""
    try:
        addresses = [host.strip("[]")] if _is_ip(host) else _resolve(host, port)
    except (OSError, UnicodeError) as exc:
        raise WebhookError("address not found") from exc
    if not addresses:
        raise WebhookError("address not found")
    if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES and not all(_is_public(a) for a in addresses):
        raise WebhookError("address refused", permanent=True)
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address; the Host header keeps the name."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to the checked address; TLS checks the certificate for the name."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(url: str, *, body: bytes, headers: dict[str, str]) -> int:
    """POST ``body`` to ``url``; the answer's status (2xx), or ``WebhookError``."""
    try:
        parts = urlsplit(url)
        port = _port(parts)
    except ValueError as exc:
        raise WebhookError("bad address", permanent=True) from exc
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise WebhookError("bad address", permanent=True)
    if parts.scheme == "http" and not settings.WEBHOOK_ALLOW_HTTP:
        raise WebhookError("address refused", permanent=True)
    host = parts.hostname
    address = _checked_address(host, port)
    timeout = float(settings.WEBHOOK_TIMEOUT_SECONDS)
    kind = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    conn = kind(host, port, address=address, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        conn.request(
            "POST",
            path,
            body=body,
            headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers},
        )
        response = conn.getresponse()
        response.read(1024)
        status = response.status
    except TimeoutError as exc:
        raise WebhookError("timeout") from exc
    except ssl.SSLError as exc:
        raise WebhookError("TLS error") from exc
    except ConnectionRefusedError as exc:
        raise WebhookError("connection refused") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise WebhookError(type(exc).__name__) from exc
    finally:
        conn.close()
    if not 200 <= status < 300:
        raise WebhookError(f"HTTP {status}")
    return status
