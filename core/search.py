"""Search terms kept out of URLs.

A search box that used GET would put names into the address bar, browser
history and every access log. Instead the box POSTs; the term is kept in the
session under the list's URL name and the browser is redirected to the plain
list URL (pagination links carry only ``?page=N``).

The session row is a signed but readable JSON document in the database (and
in its backups), so the term is stored encrypted with the field encryption
keys (``core.crypto``); a term that no longer decrypts (an old key removed)
is simply forgotten.

A term with a control character (``core.validators``; a search box is one
line, so tab and line breaks count too, and a NUL cannot reach PostgreSQL)
or longer than ``MAX_TERM`` is refused with a message and never stored; the previous
search stays. A term stored before these checks that fails them is forgotten.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _

from core import crypto
from core.validators import first_control_character

MAX_TERM = 100


def _refusal(term: str) -> str | None:
    """Why ``term`` cannot be searched for, or None."""
    if first_control_character(term, allowed=frozenset()) is not None:
        return _("A search cannot contain control characters. Type the search again.")
    if len(term) > MAX_TERM:
        return _("A search can be at most %(max)d characters; shorten it.") % {"max": MAX_TERM}
    return None


def _key(list_name: str) -> str:
    return f"search:{list_name}"


def handle_search_post(request, list_name: str) -> HttpResponseRedirect | None:
    """On POST, store (or clear) the term and return the redirect to send."""
    if request.method != "POST":
        return None
    if "clear" in request.POST:
        request.session.pop(_key(list_name), None)
    else:
        term = (request.POST.get("q") or "").strip()
        if refusal := _refusal(term):
            messages.error(request, refusal)
        elif term:
            request.session[_key(list_name)] = crypto.encrypt(term)
        else:
            request.session.pop(_key(list_name), None)
    return HttpResponseRedirect(request.path)


def current_search(request, list_name: str) -> str:
    stored = request.session.get(_key(list_name), "")
    if not stored:
        return ""
    try:
        term = crypto.decrypt(stored)
    except crypto.DecryptionError:
        term = None
    if term is None or _refusal(term):
        request.session.pop(_key(list_name), None)
        return ""
    return term
