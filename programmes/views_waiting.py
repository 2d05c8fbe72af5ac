"""The provider's waiting list: accepted referrals waiting for a programme.

Provider staff only (403 for everyone else); the selector keeps the list to
the user's own provider. The search box POSTs (``core.search``), so a name
typed into it never reaches a URL; sorting and the page number are GET
parameters that carry no personal data.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.permissions import provider_staff_required
from core.search import current_search, handle_search_post
from programmes.selectors import SORT_WAIT, SORT_WINDOW, SORTS, waiting_referrals, waiting_rows

PAGE_SIZE = 25


@provider_staff_required
def waiting_list(request):
    list_name = "programmes:waiting_list"
    if response := handle_search_post(request, list_name):
        return response
    term = current_search(request, list_name)
    sort = request.GET.get("sort", SORT_WAIT)
    if sort not in SORTS:
        sort = SORT_WAIT
    page = Paginator(waiting_referrals(request.scope, term=term, sort=sort), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = waiting_rows(request.scope, list(page.object_list))
    return render(
        request,
        "programmes/waiting_list.html",
        {
            "page": page,
            "sort": sort,
            "sorts": [(SORT_WAIT, _("Longest wait first")), (SORT_WINDOW, _("Order window ending first"))],
            "filter_query": urlencode({"sort": sort}) + "&" if sort != SORT_WAIT else "",
            "search_term": term,
            "search_placeholder": _("Name, order number or R-00012"),
        },
    )
