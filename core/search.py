"""Search terms kept out of URLs.

A search box that used GET would put names into the address bar, browser
history and every access log. Instead the box POSTs; the term is kept in the
session under the list's URL name and the browser is redirected to the plain
list URL (pagination links carry only ``?page=N``).

The session row is a signed but readable JSON document in the database (and
in its backups), so the term is stored encrypted with the field encryption
keys (``core.crypto``); a term that no longer decrypts (an old key removed)
is simply forgotten.
"""

from __future__ import annotations

from django.http import HttpResponseRedirect

from core import crypto

MAX_TERM = 100


def _key(list_name: str) -> str:
    return f"search:{list_name}"


def handle_search_post(request, list_name: str) -> HttpResponseRedirect | None:
    """On POST, store (or clear) the term and return the redirect to send."""
    if request.method != "POST":
        return None
    if "clear" in request.POST:
        request.session.pop(_key(list_name), None)
    else:
        term = (request.POST.get("q") or "").strip()[:MAX_TERM]
        if term:
            request.session[_key(list_name)] = crypto.encrypt(term)
        else:
            request.session.pop(_key(list_name), None)
    return HttpResponseRedirect(request.path)


def current_search(request, list_name: str) -> str:
    stored = request.session.get(_key(list_name), "")
    if not stored:
        return ""
    try:
        return crypto.decrypt(stored)
    except crypto.DecryptionError:
        request.session.pop(_key(list_name), None)
        return ""
