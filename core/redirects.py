"""Where a ``next`` parameter may send the browser: a page of this site.

Only a path of this site that resolves to one of its views is followed; an
address of another site, a scheme (``javascript:``), a protocol-relative
``//host`` or a relative word (``next=Programme``, which led to a 404) is
ignored and the caller's default is used instead. Every view that reads
``next`` goes through ``safe_next``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, url: str | None) -> str | None:
    """``url`` if it is a path of this site that a view answers, else None."""
    if not url or not url.startswith("/") or url.startswith("//"):
        return None
    if not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return None
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None
    try:
        resolve(parts.path)
    except Resolver404:
        return None
    return url
