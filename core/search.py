"""Search terms kept out of URLs.

A search box that used GET would put names into the address bar, browser
history and every access log. Instead the box POSTs; the term is kept in the
session under the list's URL name and the browser is redirected to the plain
list URL (pagination links carry only ``?page=N``).
"""

from __future__ import annotations

from django.http import HttpResponseRedirect

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
            request.session[_key(list_name)] = term
        else:
            request.session.pop(_key(list_name), None)
    return HttpResponseRedirect(request.path)


def current_search(request, list_name: str) -> str:
    return request.session.get(_key(list_name), "")
