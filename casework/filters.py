"""The filters of the case lists (django-filter).

The risk level comes from the query string. The search term does not: it
may be a person's name, and names never go in a URL, so the view takes it
from the session (``core.search``) and hands it to the filter set.
"""

from __future__ import annotations

import re

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from casework.models import Case, RiskLevel

_CASE_NUMBER = re.compile(r"(?:[KkКк]-?)?0*(\d{1,9})")


def search_cases(qs: QuerySet[Case], term: str, *, names: bool) -> QuerySet[Case]:
    """Case number ("K-0007", "7") or, with ``names``, the person's names
    (every word must match one of them)."""
    condition = Q(pk__in=[])
    number = _CASE_NUMBER.fullmatch(term.strip())
    if number:
        condition |= Q(pk=int(number.group(1)))
    if names:
        words = Q()
        for word in term.split():
            words &= (
                Q(referral__person__family_name__icontains=word)
                | Q(referral__person__given_name__icontains=word)
                | Q(referral__person__patronymic__icontains=word)
            )
        condition |= words
    return qs.filter(condition)


class CaseFilter(django_filters.FilterSet):
    """Risk level from the query string; the search term from the view.

    A value the form refuses (an unknown risk level) filters nothing, and
    its message is on ``form.errors`` for the page to show."""

    risk = django_filters.ChoiceFilter(
        label=_("Risk level"),
        field_name="current_risk_level",
        choices=RiskLevel.choices,
        empty_label=_("Any risk level"),
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, search: str = "", search_names: bool = False, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.search = search
        self.search_names = search_names

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.search:
            queryset = search_cases(queryset, self.search, names=self.search_names)
        return queryset

    @property
    def is_filtered(self) -> bool:
        return bool(self.search or (self.form.is_valid() and self.form.cleaned_data.get("risk")))
