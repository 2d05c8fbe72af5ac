"""Aggregate figures for monitoring: counts only, never a person.

Small cells are suppressed: a count below ``SMALL_CELL`` is shown as "<5",
and where the hidden counts of a table could be worked out from its total,
one more cell is hidden (secondary suppression).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from accounts.scope import Scope
from referrals.models import Referral, Source

SMALL_CELL = 5
SMALL = "<5"
HIDDEN = "—"


@dataclass(frozen=True)
class Row:
    label: str
    shown: str  # what the page may display; the exact count stays here


@dataclass(frozen=True)
class Table:
    title: str
    rows: list[Row]
    total: str


def _pinned(hidden_values: list[int]) -> bool:
    """Whether a hidden count can be worked out from the total and the
    visible cells: true when only one cell is hidden and it is not zero, or
    when every hidden cell must be exactly SMALL_CELL - 1."""
    remainder = sum(hidden_values)
    if remainder == 0 or max(hidden_values) >= SMALL_CELL:
        # All zeros reveal nobody; a hidden cell of 5 or more has no upper bound.
        return False
    return len(hidden_values) == 1 or remainder == (SMALL_CELL - 1) * len(hidden_values)


def suppress(counts: dict[str, int]) -> tuple[dict[str, str], str]:
    """Display strings for ``counts`` and for their total."""
    total = sum(counts.values())
    if total < SMALL_CELL:
        return {key: SMALL for key in counts}, SMALL
    shown = {key: (SMALL if value < SMALL_CELL else str(value)) for key, value in counts.items()}
    hidden = [key for key, value in counts.items() if value < SMALL_CELL]
    visible = sorted((key for key in counts if key not in hidden), key=lambda k: counts[k])
    while hidden and visible and _pinned([counts[key] for key in hidden]):
        key = visible.pop(0)
        hidden.append(key)
        shown[key] = HIDDEN
    return shown, str(total)


def scoped_referrals(scope: Scope):
    """The referrals a monitoring user may count: a monitoring body's whole
    country, a programme manager's own provider, nothing for anyone else."""
    if scope.organisation is None or not scope.can_monitor:
        return Referral.objects.none()
    if scope.is_monitoring:
        return Referral.objects.filter(provider__country=scope.organisation.country)
    return Referral.objects.filter(provider=scope.organisation)


def referral_counts(scope: Scope, *, date_from: dt.date | None = None, date_to: dt.date | None = None) -> list[dict]:
    """One aggregate query: the number of referrals per (status, source),
    received in the period (dates in the site's time zone, inclusive)."""
    qs = scoped_referrals(scope)
    if date_from:
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(created_at__date__lte=date_to)
    return list(qs.order_by().values("status", "source").annotate(n=Count("id")))


def referral_overview(scope: Scope, *, date_from: dt.date | None = None, date_to: dt.date | None = None) -> list[Table]:
    rows = referral_counts(scope, date_from=date_from, date_to=date_to)
    by_status: Counter[str] = Counter()
    by_source: Counter[str] = Counter()
    for row in rows:
        by_status[row["status"]] += row["n"]
        by_source[row["source"]] += row["n"]
    tables = []
    for title, choices, counter in (
        (_("Referrals by status"), Referral.Status.choices, by_status),
        (_("Referrals by source"), Source.choices, by_source),
    ):
        shown, total = suppress({value: counter.get(value, 0) for value, _label in choices})
        tables.append(Table(title=title, rows=[Row(label, shown[value]) for value, label in choices], total=total))
    return tables
