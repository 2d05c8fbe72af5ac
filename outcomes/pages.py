"""What the follow-up pages and the monitoring pages do alike: a list of
meetings due, a page at a time, and a meeting recorded from a form through
a service. Not a view itself, and no access decision: the views keep their
decorators and selectors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpRequest

from core.errors import add_service_errors

PAGE_SIZE = 25


def view_name(request) -> str:
    """The page's URL name, recorded with a read of a therapy record."""
    return request.resolver_match.view_name


def page_of(request: HttpRequest, queryset: QuerySet) -> Page:
    """The ``?page=`` page of a list (the last one when the number is out of range)."""
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def meeting_recorded(
    request: HttpRequest, form: Form, record: Callable[[Mapping[str, Any]], object], *, done: str
) -> bool:
    """On a POST of a valid form, hand its cleaned data to ``record`` (a
    service call) and say ``done``. A service's refusal goes onto the form,
    field by field, and the form keeps what was typed. True only when the
    meeting was recorded: the view then redirects."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        record(form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    messages.success(request, done)
    return True
