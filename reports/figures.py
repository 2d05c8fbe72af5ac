"""The monitoring report: every figure the dashboard, the CSV and XLSX
exports and the JSON API show, already suppressed.

The page, the exports and the API all render one ``Report``, so they can
never disagree. A report is a list of sections, each a list of tables;
every table has columns (counts, percentages, means) and rows (one per man
/ woman, provider, region, programme..., and a last row for everyone).

Definitions (also on the page and in the README):

- Referrals: received in the period; their status today.
- Acceptance rate: referrals accepted (including those since enrolled,
  completed or dropped out) / referrals decided (accepted or declined).
- Enrolment rate: referrals enrolled (or since completed or dropped out) /
  referrals accepted.
- Completion and dropout rates: enrolments that ended in the period
  (completed, dropped out, expelled, de-selected; transfers to another
  provider are not endings) — completed / ended, dropped out / ended.
- Waiting list: referrals accepted and not yet enrolled today (the period
  and the programme filter do not apply), and the median of the days each
  has waited since it was accepted (unmet demand).
- Still attending by session: enrolments that started in the period
  (transfers left out); the share whose last attended session (present or
  late) was their n-th session or later, of all of them. A person's
  sessions are the logged sessions (held, or not held because nobody
  came) they have a mark for, individual and group together, in date order.
- What followed non-compliance: dropout, expulsion and non-compliance
  notices that reached a police unit or a court, for events in the period,
  by what they recorded (the current outcome, after any correction) or
  "awaiting" (nothing recorded yet); counted per notice.
- CTS-2 change and follow-up completion: enrolments that ended in the
  period (``outcomes.selectors`` computes them).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scope import Scope
from notifications.models import Sanction
from outcomes import selectors as outcome_selectors
from referrals.models import Sex, Source
from reports import selectors
from reports.selectors import Filters
from reports.suppression import (
    PRIMARY,
    SECONDARY,
    SMALL_CELL,
    Line,
    display,
    suppress_cells,
    suppress_steps,
)

COUNT = "count"
PERCENT = "percent"
MEAN = "mean"
CHANGE = "change"

ONE_DECIMAL = Decimal("0.1")
ALL = "all"


@dataclass(frozen=True)
class Cell:
    """One figure. ``value`` is None when suppressed (``suppressed`` says
    why: ``PRIMARY`` fewer than 5 people, ``SECONDARY`` could be worked
    out) or when there is nothing to show."""

    value: int | float | None
    kind: str = COUNT
    suppressed: str = ""

    @property
    def shown(self) -> bool:
        return not self.suppressed and self.value is not None

    @property
    def display(self) -> str:
        if self.suppressed:
            return display(0, self.suppressed)
        if self.value is None:
            return ""
        if self.kind == PERCENT:
            return f"{self.value:.1f}%"
        if self.kind == MEAN:
            return f"{self.value:.1f}"
        if self.kind == CHANGE:
            return f"{self.value:+.1f}"
        return str(self.value)

    def __str__(self) -> str:
        return self.display


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = COUNT


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    cells: dict[str, Cell]
    is_total: bool = False

    def cells_in(self, columns: Iterable[Column]) -> list[Cell]:
        return [self.cells[c.key] for c in columns]


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    definition: str
    columns: list[Column]
    rows: list[Row]
    # How the page draws it: "bars" (a bar per row for each of
    # ``chart_columns``), "steps" (a survival curve), "pairs" (before/after).
    chart: str = ""
    chart_columns: tuple[str, ...] = ()

    @property
    def total(self) -> Row | None:
        return next((row for row in self.rows if row.is_total), None)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    @property
    def wide(self) -> bool:
        """Too many columns to stand beside its chart: the page puts the chart above."""
        return len(self.columns) > 4

    @property
    def body(self) -> list[tuple[Row, list[Cell]]]:
        """The rows but the total, each with its cells in column order."""
        return [(row, row.cells_in(self.columns)) for row in self.rows if not row.is_total]

    @property
    def total_cells(self) -> list[Cell]:
        total = self.total
        return total.cells_in(self.columns) if total else []


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    intro: str
    tables: list[Table]


@dataclass(frozen=True)
class KeyFigure:
    label: str
    cell: Cell
    detail: str = ""


@dataclass(frozen=True)
class Report:
    filters: Filters
    scope_label: str
    template_label: str
    sections: list[Section]
    key_figures: list[KeyFigure] = field(default_factory=list)

    @property
    def tables(self) -> list[Table]:
        return [table for section in self.sections for table in section.tables]

    @property
    def sex_label(self) -> str:
        return str(SEX_LABELS[self.filters.sex]) if self.filters.sex else ""

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


# --- Helpers ---------------------------------------------------------------------


def percent(numerator: int, denominator: int) -> float:
    return float((Decimal(100 * numerator) / Decimal(denominator)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP))


def _rate_cell(num: Cell, den: Cell) -> Cell:
    """A percentage, shown only when its count and its denominator are."""
    if num.shown and den.shown and den.value:
        return Cell(percent(num.value, den.value), PERCENT)
    worst = PRIMARY if PRIMARY in (num.suppressed, den.suppressed) else SECONDARY
    return Cell(None, PERCENT, worst)


def _mean_cell(value, n: int, kind: str = MEAN) -> Cell:
    if n < SMALL_CELL:
        return Cell(None, kind, PRIMARY)
    if value is None:
        return Cell(None, kind)
    return Cell(float(Decimal(str(value)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)), kind)


@dataclass
class _Breakdown:
    key: str
    rows: list[tuple[str, str, dict[str, int]]]  # (row key, label, counts)


class _Family:
    """Tables that share one population (e.g. referrals received in the
    period broken down by sex, provider and region): suppressed together,
    so that no table gives away what another hides."""

    def __init__(self, overall: dict[str, int], row_lines: list[tuple[str, tuple[str, ...]]]):
        self.columns = list(overall)
        self.values: dict[Hashable, int] = {(ALL, c): v for c, v in overall.items()}
        self.lines: list[Line] = []
        self.row_lines = row_lines
        self._add_row_lines((ALL,))
        self.breakdowns: dict[str, _Breakdown] = {}

    def _add_row_lines(self, prefix: tuple) -> None:
        for total, parts in self.row_lines:
            self.lines.append(Line((*prefix, total), tuple((*prefix, p) for p in parts)))

    def add(self, breakdown: _Breakdown) -> None:
        self.breakdowns[breakdown.key] = breakdown
        for row_key, _label, counts in breakdown.rows:
            for c in self.columns:
                self.values[(breakdown.key, row_key, c)] = counts.get(c, 0)
            self._add_row_lines((breakdown.key, row_key))
        for c in self.columns:
            self.lines.append(Line((ALL, c), tuple((breakdown.key, r, c) for r, _l, _c in breakdown.rows)))

    def nest(self, child: str, parent: str, parent_of: dict[str, str]) -> None:
        """Rows of ``child`` add up to rows of ``parent`` (providers to regions)."""
        members: dict[str, list[str]] = defaultdict(list)
        for row_key, parent_key in parent_of.items():
            members[parent_key].append(row_key)
        for parent_key, rows in members.items():
            for c in self.columns:
                self.lines.append(Line((parent, parent_key, c), tuple((child, r, c) for r in rows)))

    def line(self, total: Hashable, parts: tuple[Hashable, ...], values: dict[Hashable, int]) -> None:
        self.values.update(values)
        self.lines.append(Line(total, parts))

    def suppress(self, derived: Iterable[Hashable] = ()) -> None:
        self.status = suppress_cells(self.values, self.lines, derived=derived)

    def cell(self, key: Hashable) -> Cell:
        status = self.status[key]
        return Cell(None if status else self.values[key], COUNT, status)

    def row(self, prefix: tuple, row_key: str, label: str, rates: dict[str, tuple[str, str]], is_total=False) -> Row:
        cells = {c: self.cell((*prefix, c)) for c in self.columns}
        for rate, (num, den) in rates.items():
            cells[rate] = _rate_cell(cells[num], cells[den])
        return Row(row_key, label, cells, is_total)

    def table(self, breakdown_key: str, *, key, title, definition, columns, rates, chart_columns) -> Table:
        breakdown = self.breakdowns[breakdown_key]
        rows = [self.row((breakdown.key, r), r, label, rates) for r, label, _c in breakdown.rows]
        rows.append(self.row((ALL,), ALL, str(_("All")), rates, is_total=True))
        return Table(key, title, definition, columns, rows, "bars", chart_columns)


SEX_LABELS = {Sex.MALE: _("Men"), Sex.FEMALE: _("Women")}


def _sex_rows(rows: list[dict], columns: Iterable[str]) -> list[tuple[str, str, dict]]:
    by_sex = {row["sex"]: row for row in rows}
    empty = dict.fromkeys(columns, 0)
    return [(sex, str(label), by_sex.get(sex, empty)) for sex, label in SEX_LABELS.items()]


def _sum_by(rows: list[dict], keys: tuple[str, ...], columns: Iterable[str]) -> list[dict]:
    """Add up aggregate rows (a few hundred at most, never people) by ``keys``."""
    totals: dict[tuple, dict] = {}
    for row in rows:
        group = tuple(row[k] for k in keys)
        if group not in totals:
            totals[group] = {**dict(zip(keys, group, strict=True)), **dict.fromkeys(columns, 0)}
        for c in columns:
            totals[group][c] += row[c]
    return list(totals.values())


# The providers' names in the reader's language, for the report being built
# (``build_report`` sets it): {organisation id: name}, only those that have one.
_PROVIDER_NAMES: ContextVar[Mapping[int, str]] = ContextVar("provider_names", default=MappingProxyType({}))


def _provider_rows(rows: list[dict]) -> list[tuple[str, str, dict]]:
    names = _PROVIDER_NAMES.get()
    named = [(names.get(r["key"], r["name"]), r) for r in rows]
    ordered = sorted(named, key=lambda pair: (pair[0].casefold(), pair[1]["key"]))
    return [(str(r["key"]), name, r) for name, r in ordered]


def _region_rows(rows: list[dict], columns: Iterable[str]) -> list[tuple[str, str, dict]]:
    """Regions from the providers' rows (summing a few aggregate rows)."""
    totals: dict[str, dict[str, int]] = {}
    for row in rows:
        region = totals.setdefault(row["region"], dict.fromkeys(columns, 0))
        for c in columns:
            region[c] += row[c]
    return [(region, region, counts) for region, counts in sorted(totals.items(), key=lambda i: i[0].casefold())]


# --- Referrals ---------------------------------------------------------------------

FUNNEL_LINES = [
    ("referrals", ("screening", "decided")),
    ("decided", ("declined", "accepted")),
    ("accepted", ("waiting", "enrolled")),
]
FUNNEL_RATES = {"acceptance_rate": ("accepted", "decided"), "enrolment_rate": ("enrolled", "accepted")}
FUNNEL_COUNTS = ["referrals", "screening", "decided", "declined", "accepted", "waiting", "enrolled"]
FUNNEL_RAW = ["referrals", "screening", "declined", "waiting", "enrolled"]


def _funnel_columns() -> list[Column]:
    return [
        Column("referrals", str(_("Referrals"))),
        Column("screening", str(_("Not yet decided"))),
        Column("decided", str(_("Decided"))),
        Column("declined", str(_("Declined"))),
        Column("accepted", str(_("Accepted"))),
        Column("acceptance_rate", str(_("Acceptance rate")), PERCENT),
        Column("waiting", str(_("Accepted, not enrolled"))),
        Column("enrolled", str(_("Enrolled"))),
        Column("enrolment_rate", str(_("Enrolment rate")), PERCENT),
    ]


def _funnel(row: dict) -> dict[str, int]:
    declined, waiting, enrolled = row["declined"], row["waiting"], row["enrolled"]
    return {
        "referrals": row["referrals"],
        "screening": row["screening"],
        "decided": declined + waiting + enrolled,
        "declined": declined,
        "accepted": waiting + enrolled,
        "waiting": waiting,
        "enrolled": enrolled,
    }


def _referral_section(scope: Scope, filters: Filters) -> tuple[Section, _Family]:
    rows = selectors.referral_counts(selectors.referrals_received(scope, filters))
    by_sex = _sum_by(rows, ("sex",), FUNNEL_RAW)
    by_provider = _sum_by(rows, ("key", "name", "region"), FUNNEL_RAW)
    sources = {r["source"]: r["referrals"] for r in _sum_by(rows, ("source",), ("referrals",))}

    providers = _provider_rows(by_provider)
    provider_rows = [(k, name, _funnel(r)) for k, name, r in providers]
    overall = dict.fromkeys(FUNNEL_COUNTS, 0)
    for _k, _name, counts in provider_rows:
        for c in FUNNEL_COUNTS:
            overall[c] += counts[c]
    family = _Family(overall, FUNNEL_LINES)
    sex_rows = [(k, label, _funnel(r)) for k, label, r in _sex_rows(by_sex, FUNNEL_RAW)]
    family.add(_Breakdown("sex", sex_rows))
    family.add(_Breakdown("provider", provider_rows))
    regions = _region_rows([{**_funnel(r), "region": r["region"]} for _k, _n, r in providers], FUNNEL_COUNTS)
    family.add(_Breakdown("region", regions))
    family.nest("provider", "region", {k: r["region"] for k, _n, r in providers})
    source_keys = tuple(("source", s, "count") for s in Source.values)
    family.line((ALL, "referrals"), source_keys, {("source", s, "count"): sources.get(s, 0) for s in Source.values})
    family.suppress()

    columns_out = _funnel_columns()
    chart = ("acceptance_rate", "enrolment_rate")
    definition = str(
        _(
            "Referrals received in the period, by their status today. Acceptance rate: referrals accepted "
            "(including those since enrolled, completed or dropped out) out of those decided (accepted or "
            "declined). Enrolment rate: referrals enrolled (or since completed or dropped out) out of those "
            "accepted."
        )
    )
    common = {"definition": definition, "columns": columns_out, "rates": FUNNEL_RATES, "chart_columns": chart}
    titles = {
        "sex": _("Referrals of men and women"),
        "provider": _("Referrals by provider"),
        "region": _("Referrals by region"),
    }
    tables = [_source_table(family)] + [
        family.table(breakdown, key=f"referrals_by_{breakdown}", title=str(title), **common)
        for breakdown, title in titles.items()
    ]
    intro = str(
        _(
            "Referrals received in the period (by the date they were received). The programme filter does not "
            "apply here: a referral has no programme until the person is enrolled."
        )
    )
    return Section("referrals", str(_("Referrals, acceptance and enrolment")), intro, tables), family


def _source_table(family: _Family) -> Table:
    rows = []
    total = family.cell((ALL, "referrals"))
    for value, label in Source.choices:
        count = family.cell(("source", value, "count"))
        rows.append(Row(value, str(label), {"count": count, "share": _rate_cell(count, total)}))
    rows.append(Row(ALL, str(_("All")), {"count": total, "share": _rate_cell(total, total)}, is_total=True))
    return Table(
        "referrals_by_source",
        str(_("Referrals by source")),
        str(_("Referrals received in the period by who referred the person; share of all referrals.")),
        [Column("count", str(_("Referrals"))), Column("share", str(_("Share")), PERCENT)],
        rows,
        "bars",
        ("share",),
    )


# --- Waiting list ----------------------------------------------------------------

WAITING_COUNTS = ["waiting"]


def median_of(histogram: dict[int, int]) -> float | None:
    """The median of values given as {value: how many}, or None when empty."""
    n = sum(histogram.values())
    if not n:
        return None

    def at(index: int) -> int:
        seen = 0
        for value in sorted(histogram):
            seen += histogram[value]
            if index < seen:
                return value
        raise IndexError(index)

    if n % 2:
        return float(at(n // 2))
    return (at(n // 2 - 1) + at(n // 2)) / 2


def _waiting_row(family: _Family, prefix: tuple, row_key: str, label: str, days: Counter, is_total=False) -> Row:
    count = family.cell((*prefix, "waiting"))
    if count.shown:
        median = _mean_cell(median_of(days), int(count.value or 0))
    else:
        # No median where the number behind it is hidden.
        median = Cell(None, MEAN, count.suppressed or PRIMARY)
    return Row(row_key, label, {"waiting": count, "median_days": median}, is_total)


def _waiting_section(scope: Scope, filters: Filters, today: dt.date) -> Section:
    rows = selectors.waiting_counts(selectors.referrals_waiting(scope, filters))
    histograms: dict[tuple, Counter] = defaultdict(Counter)
    for row in rows:
        waited = max(0, (today - row["accepted_on"]).days)
        for key in ((ALL,), ("sex", row["sex"]), ("provider", str(row["key"])), ("region", row["region"])):
            histograms[key][waited] += row["waiting"]
    by_sex = _sum_by(rows, ("sex",), WAITING_COUNTS)
    by_provider = _sum_by(rows, ("key", "name", "region"), WAITING_COUNTS)
    family = _Family({"waiting": sum(r["waiting"] for r in rows)}, [])
    family.add(_Breakdown("sex", _sex_rows(by_sex, WAITING_COUNTS)))
    providers = _provider_rows(by_provider)
    family.add(_Breakdown("provider", providers))
    family.add(_Breakdown("region", _region_rows(by_provider, WAITING_COUNTS)))
    family.nest("provider", "region", {k: r["region"] for k, _l, r in providers})
    family.suppress()

    columns = [
        Column("waiting", str(_("Waiting"))),
        Column("median_days", str(_("Median wait (days)")), MEAN),
    ]
    definition = str(
        _(
            "Referrals accepted and not yet enrolled today, and the median number of days they have waited since "
            "they were accepted. The median is shown only where at least 5 people wait and their number is shown."
        )
    )
    titles = {
        "sex": _("Waiting: men and women"),
        "provider": _("Waiting by provider"),
        "region": _("Waiting by region"),
    }
    tables = []
    for breakdown, title in titles.items():
        table_rows = [
            _waiting_row(family, (breakdown, r), r, label, histograms[(breakdown, r)])
            for r, label, _c in family.breakdowns[breakdown].rows
        ]
        table_rows.append(_waiting_row(family, (ALL,), ALL, str(_("All")), histograms[(ALL,)], is_total=True))
        tables.append(
            Table(f"waiting_by_{breakdown}", str(title), definition, columns, table_rows, "pairs", ("median_days",))
        )
    intro = str(
        _(
            "Unmet demand: people accepted onto a programme who are still waiting to start it, as of today. The "
            "period and the programme filter do not apply here."
        )
    )
    return Section("waiting", str(_("Waiting list")), intro, tables)


# --- Endings -----------------------------------------------------------------------

ENDING_LINES = [("ended", ("completed", "dropped_out", "expelled", "deselected"))]
ENDING_RATES = {"completion_rate": ("completed", "ended"), "dropout_rate": ("dropped_out", "ended")}


def _ending_columns() -> list[Column]:
    return [
        Column("ended", str(_("Ended"))),
        Column("completed", str(_("Completed"))),
        Column("completion_rate", str(_("Completion rate")), PERCENT),
        Column("dropped_out", str(_("Dropped out"))),
        Column("dropout_rate", str(_("Dropout rate")), PERCENT),
        Column("expelled", str(_("Expelled"))),
        Column("deselected", str(_("De-selected"))),
    ]


ENDING_COUNTS = ["ended", "completed", "dropped_out", "expelled", "deselected"]


def _endings_section(scope: Scope, filters: Filters, template_names: dict[str, str]) -> Section:
    rows = selectors.ending_counts(selectors.enrolments_ended(scope, filters))
    by_sex = _sum_by(rows, ("sex",), ENDING_COUNTS)
    by_provider = _sum_by(rows, ("key", "name", "region"), ENDING_COUNTS)
    by_template = _sum_by(rows, ("template_code",), ENDING_COUNTS)

    overall = dict.fromkeys(ENDING_COUNTS, 0)
    for row in by_provider:
        for c in ENDING_COUNTS:
            overall[c] += row[c]
    family = _Family(overall, ENDING_LINES)
    family.add(_Breakdown("sex", _sex_rows(by_sex, ENDING_COUNTS)))
    providers = _provider_rows(by_provider)
    family.add(_Breakdown("provider", providers))
    family.add(_Breakdown("region", _region_rows(by_provider, ENDING_COUNTS)))
    family.nest("provider", "region", {k: r["region"] for k, _l, r in providers})
    templates = sorted(
        ((r["template_code"], template_names.get(r["template_code"], r["template_code"]), r) for r in by_template),
        key=lambda t: (t[1].casefold(), t[0]),
    )
    family.add(_Breakdown("template", templates))
    family.suppress()

    definition = str(
        _(
            "Enrolments that ended in the period: completed, dropped out, expelled or de-selected (a transfer to "
            "another provider is not an ending). Completion rate: completed out of ended; dropout rate: dropped "
            "out out of ended."
        )
    )
    chart = ("completion_rate", "dropout_rate")
    common = {"definition": definition, "columns": _ending_columns(), "rates": ENDING_RATES, "chart_columns": chart}
    tables = [
        family.table("sex", key="endings_by_sex", title=str(_("Completion and dropout: men and women")), **common),
        family.table(
            "provider", key="endings_by_provider", title=str(_("Completion and dropout by provider")), **common
        ),
        family.table("region", key="endings_by_region", title=str(_("Completion and dropout by region")), **common),
        family.table(
            "template", key="endings_by_template", title=str(_("Completion and dropout by programme")), **common
        ),
    ]
    intro = str(_("Enrolments that ended in the period (by the date they ended)."))
    return Section("endings", str(_("Completion and dropout")), intro, tables)


# --- Attendance --------------------------------------------------------------------


def _survival_table(scope: Scope, filters: Filters) -> Table:
    total, at_least = selectors.sessions_reached(selectors.enrolments_started(scope, filters))
    statuses = suppress_steps(total, at_least)
    shown_until = max((i + 1 for i, s in enumerate(statuses) if not s), default=0)
    # One row past the last step shown (it says "<5"); never the exact end of the tail.
    last = min(len(at_least), shown_until + 1)
    total_cell = Cell(total, COUNT) if total >= SMALL_CELL else Cell(None, COUNT, PRIMARY)
    rows = []
    for i in range(last):
        status = statuses[i]
        count = Cell(None if status else at_least[i], COUNT, status)
        rows.append(
            Row(
                str(i + 1),
                str(_("Session %(n)d") % {"n": i + 1}),
                {"count": count, "share": _rate_cell(count, total_cell)},
            )
        )
    rows.append(
        Row(ALL, str(_("Started")), {"count": total_cell, "share": _rate_cell(total_cell, total_cell)}, is_total=True)
    )
    definition = str(
        _(
            "Enrolments that started in the period (transfers to another provider left out). For each session "
            "number n: how many were still attending, that is whose last attended session (present or late) was "
            "their n-th or later, and their share of all who started. A person's sessions are the logged sessions "
            "(held, or not held because nobody came) they were marked for, individual and group together, in date "
            "order. People still in the programme "
            "count only up to the sessions held so far, so a recent period looks lower; choose a programme to "
            "see one programme's curve. Where fewer than 5 people stopped between two sessions, the later one is "
            "hidden."
        )
    )
    return Table(
        "still_attending",
        str(_("Still attending, by session")),
        definition,
        [Column("count", str(_("Still attending"))), Column("share", str(_("Share")), PERCENT)],
        rows,
        "steps",
        ("share",),
    )


# --- Outcomes ----------------------------------------------------------------------


def _prorated_cell(prorated: int, n: int) -> Cell:
    """People whose score was prorated: a part of n, hidden with n and when
    it is a small count (it is never derived from the other cells)."""
    if n < SMALL_CELL or 0 < prorated < SMALL_CELL:
        return Cell(None, COUNT, PRIMARY)
    return Cell(prorated, COUNT)


def _cts_table(enrolments) -> Table:
    columns = [
        Column("n", str(_("People (n)"))),
        Column("before", str(_("Before (mean)")), MEAN),
        Column("after", str(_("After (mean)")), MEAN),
        Column("change", str(_("Change")), CHANGE),
        Column("prorated", str(_("Of whom prorated (n)"))),
    ]
    title = str(_("CTS-2: change by scale"))
    definition = str(
        _(
            "Enrolments that ended in the period with a CTS-2 (full form) of the person's own before and after: "
            "mean annual frequency of the person's own acts per scale at intake and at the latest later "
            "questionnaire, and the change (after minus before). Negotiation counts non-violent ways of handling "
            "a conflict, so there a rise is the intended change; on the other scales a fall is. Shown only where "
            "at least 5 people answered both. A provider may score a scale with one unanswered item by the "
            "prorating rule of the CTS literature (the item counted as the mean of the others): "
            "the last column counts the people with such a score before or after."
        )
    )
    rows = []
    for scale in outcome_selectors.cts_change_by_scale(enrolments):
        n = scale["n"]
        before, after = scale["before"], scale["after"]
        change = after - before if before is not None and after is not None else None
        rows.append(
            Row(
                scale["scale"],
                str(scale["label"]),
                {
                    "n": Cell(n, COUNT) if n >= SMALL_CELL else Cell(None, COUNT, PRIMARY),
                    "before": _mean_cell(before, n),
                    "after": _mean_cell(after, n),
                    "change": _mean_cell(change, n, CHANGE),
                    "prorated": _prorated_cell(scale.get("prorated", 0), n),
                },
            )
        )
    return Table("cts_change", title, definition, columns, rows, "pairs", ("before", "after"))


def _prevalence_cells(prefix: str, summary: dict) -> dict[str, Cell]:
    """People counted, how many had an act in the past year, their share and
    the chronicity (mean frequency among them), suppressed: the people with
    no act (never shown) must not be worked out either."""
    n, prevalent = summary["n"], summary["prevalent"]
    values = {"n": n, "prevalent": prevalent, "rest": n - prevalent}
    status = suppress_cells(values, [Line("n", ("prevalent", "rest"))], derived=["rest"])
    n_cell = Cell(None if status["n"] else n, COUNT, status["n"])
    prevalent_cell = Cell(None if status["prevalent"] else prevalent, COUNT, status["prevalent"])
    return {
        f"{prefix}_n": n_cell,
        f"{prefix}_prevalent": prevalent_cell,
        f"{prefix}_share": _rate_cell(prevalent_cell, n_cell),
        f"{prefix}_chronicity": _mean_cell(summary["chronicity"], prevalent),
    }


def _prevalence_table(enrolments) -> Table:
    columns = []
    for prefix, when in (("before", _("at intake")), ("after", _("after"))):
        columns += [
            Column(f"{prefix}_n", str(_("People, %(when)s") % {"when": when})),
            Column(f"{prefix}_prevalent", str(_("With an act, %(when)s") % {"when": when})),
            Column(f"{prefix}_share", str(_("Share, %(when)s") % {"when": when}), PERCENT),
            Column(f"{prefix}_chronicity", str(_("Chronicity, %(when)s") % {"when": when}), MEAN),
        ]
    definition = str(
        _(
            "Enrolments that ended in the period, each person once, with a CTS-2 (full form) of their own: at "
            "intake (their first) and after (their latest end-of-programme or follow-up questionnaire). People: "
            "those whose prevalence is known. With an act: those who reported at least one act of the scale in "
            "the past year (prevalence), and their share. Chronicity: the mean annual frequency among those with "
            "an act, shown only from 5 of them. The two columns are not always the same people: someone with "
            "only an intake questionnaire counts at intake only."
        )
    )
    before = outcome_selectors.cts_scale_summary(enrolments)
    after = {row["scale"]: row for row in outcome_selectors.cts_scale_summary(enrolments, later=True)}
    rows = [
        Row(
            scale["scale"],
            str(scale["label"]),
            {**_prevalence_cells("before", scale), **_prevalence_cells("after", after[scale["scale"]])},
        )
        for scale in before
    ]
    return Table(
        "cts_prevalence",
        str(_("CTS-2: prevalence and chronicity")),
        definition,
        columns,
        rows,
        "bars",
        ("before_share", "after_share"),
    )


def _follow_up_table(enrolments, today: dt.date) -> Table:
    columns = [
        Column("people", str(_("People"))),
        Column("due", str(_("Due"))),
        Column("done", str(_("Done"))),
        Column("done_rate", str(_("Done (share of due)")), PERCENT),
        Column("overdue", str(_("Overdue"))),
    ]
    title = str(_("Follow-up completion"))
    definition = str(
        _(
            "Follow-up points (the intake and end-of-programme questionnaires, the follow-ups after the end and "
            "the monitoring meetings) of enrolments that ended in the period: how many people they belong to, "
            "and the points due by today, done, and overdue. A count of points is hidden when fewer than 5 "
            "people stand behind it, whatever the number of points."
        )
    )
    counts = outcome_selectors.follow_up_completion(enrolments, today=today)
    due, done, overdue = counts["due"], counts["done"], counts["overdue"]
    values = {"people": counts["people_due"], "due": due, "done": done, "overdue": overdue}
    people_behind = {"due": "people_due", "done": "people_done", "overdue": "people_overdue"}
    few = [key for key, people in people_behind.items() if values[key] and counts[people] < SMALL_CELL]
    lines = []
    derived = []
    rest = due - done - overdue
    if rest == 0:
        lines.append(Line("due", ("done", "overdue")))
    elif rest > 0:
        # Neither done nor overdue: not shown, but it follows from the rest.
        values["rest"] = rest
        derived.append("rest")
        lines.append(Line("due", ("done", "overdue", "rest")))
    status = suppress_cells(values, lines, derived=derived, small=few)
    cells = {k: Cell(None if status[k] else values[k], COUNT, status[k]) for k in ("people", "due", "done", "overdue")}
    cells["done_rate"] = _rate_cell(cells["done"], cells["due"])
    # One row (not a total: there is nothing it totals); none when nothing was due.
    rows = [Row(ALL, str(_("Follow-up points")), cells)] if due else []
    return Table("follow_up", title, definition, columns, rows, "bars", ("done_rate",))


def _outcomes_section(scope: Scope, filters: Filters, today: dt.date) -> Section:
    enrolments = selectors.enrolments_ended(scope, filters)
    tables = [_cts_table(enrolments), _prevalence_table(enrolments), _follow_up_table(enrolments, today)]
    intro = str(_("Outcomes of enrolments that ended in the period."))
    return Section("outcomes", str(_("Outcomes")), intro, tables)


# --- What followed non-compliance --------------------------------------------------

SANCTION_KINDS = list(Sanction.Kind.values)
SANCTION_COUNTS = ["notices", selectors.AWAITING, "recorded", *SANCTION_KINDS]
SANCTION_LINES = [("notices", (selectors.AWAITING, "recorded")), ("recorded", tuple(SANCTION_KINDS))]
SANCTION_RATES = {"recorded_rate": ("recorded", "notices")}


def _sanction_row(counts: dict[str, int]) -> dict[str, int]:
    recorded = sum(counts.get(kind, 0) for kind in SANCTION_KINDS)
    awaiting = counts.get(selectors.AWAITING, 0)
    return {
        "notices": recorded + awaiting,
        selectors.AWAITING: awaiting,
        "recorded": recorded,
        **{kind: counts.get(kind, 0) for kind in SANCTION_KINDS},
    }


def _pivot(rows: list[dict], keys: tuple[str, ...]) -> list[dict]:
    """Outcome rows (one per outcome) turned into one row per ``keys`` with
    a count per outcome."""
    out: dict[tuple, dict] = {}
    for row in rows:
        group = tuple(row[k] for k in keys)
        target = out.setdefault(group, dict(zip(keys, group, strict=True)))
        target[row["outcome"]] = target.get(row["outcome"], 0) + row["n"]
    return [{**{k: v for k, v in row.items() if k in keys}, **_sanction_row(row)} for row in out.values()]


def _sanction_columns() -> list[Column]:
    return [
        Column("notices", str(_("Notices"))),
        Column(selectors.AWAITING, str(_("Nothing recorded yet"))),
        Column("recorded", str(_("Outcome recorded"))),
        Column("recorded_rate", str(_("Share recorded")), PERCENT),
        *(Column(value, str(label)) for value, label in Sanction.Kind.choices),
    ]


def _sanctions_section(scope: Scope, filters: Filters) -> Section:
    rows = selectors.sanction_counts(selectors.sanction_notices(scope, filters))
    by_sex = _pivot(rows, ("sex",))
    by_provider = _pivot(rows, ("key", "name", "region"))
    overall = dict.fromkeys(SANCTION_COUNTS, 0)
    for row in by_provider:
        for c in SANCTION_COUNTS:
            overall[c] += row[c]
    family = _Family(overall, SANCTION_LINES)
    family.add(_Breakdown("sex", _sex_rows(by_sex, SANCTION_COUNTS)))
    providers = _provider_rows(by_provider)
    family.add(_Breakdown("provider", providers))
    family.add(_Breakdown("region", _region_rows(by_provider, SANCTION_COUNTS)))
    family.nest("provider", "region", {k: r["region"] for k, _l, r in providers})
    family.suppress()

    definition = str(
        _(
            "Notices of a dropout, an expulsion or non-compliance that reached a police unit or a court, for "
            "events in the period, by what they recorded followed (after any correction), counted per notice. "
            "Recorded: notices with an outcome out of all."
        )
    )
    common = {
        "definition": definition,
        "columns": _sanction_columns(),
        "rates": SANCTION_RATES,
        "chart_columns": ("recorded_rate",),
    }
    titles = {
        "sex": _("What followed non-compliance: men and women"),
        "provider": _("What followed non-compliance by provider"),
        "region": _("What followed non-compliance by region"),
    }
    tables = [
        family.table(breakdown, key=f"sanctions_by_{breakdown}", title=str(title), **common)
        for breakdown, title in titles.items()
    ]
    intro = str(
        _(
            "What the police and the courts recorded after a dropout, an expulsion or non-compliance: a warning, "
            "a fine, community service, an order extension, a court hearing or no action. The programme filter "
            "does not apply here."
        )
    )
    return Section("sanctions", str(_("Non-compliance and what followed")), intro, tables)


# --- Trained facilitators -----------------------------------------------------------

FACILITATOR_COUNTS = ["facilitators", "trained", "sessions", "qualified"]
FACILITATOR_RATES = {"trained_rate": ("trained", "facilitators"), "qualified_rate": ("qualified", "sessions")}


def _facilitator_columns() -> list[Column]:
    return [
        Column("facilitators", str(_("Psychologists and social workers"))),
        Column("trained", str(_("Qualified to facilitate"))),
        Column("trained_rate", str(_("Share qualified")), PERCENT),
        Column("sessions", str(_("Group sessions held"))),
        Column("qualified", str(_("Led by a qualified pair"))),
        Column("qualified_rate", str(_("Share led by a qualified pair")), PERCENT),
    ]


def _facilitator_rows(scope: Scope, filters: Filters, on: dt.date) -> list[dict]:
    """Per provider: its staff counts and its session counts, together."""
    rows: dict[int, dict] = {}
    for row in [*selectors.facilitator_counts(scope, filters, on), *selectors.qualified_session_counts(scope, filters)]:
        merged = rows.setdefault(
            row["key"],
            {"key": row["key"], "name": row["name"], "region": row["region"], **dict.fromkeys(FACILITATOR_COUNTS, 0)},
        )
        for c in FACILITATOR_COUNTS:
            merged[c] += row.get(c, 0)
    return list(rows.values())


def _facilitators_section(scope: Scope, filters: Filters, today: dt.date) -> Section:
    on = min(filters.date_to or today, today)
    by_provider = _facilitator_rows(scope, filters, on)
    overall = {c: sum(row[c] for row in by_provider) for c in FACILITATOR_COUNTS}
    family = _Family(overall, [])
    family.add(_Breakdown("region", _region_rows(by_provider, FACILITATOR_COUNTS)))
    family.suppress()
    definition = str(
        _(
            "Psychologists and social workers of the providers today, and those of them qualified to facilitate "
            "a programme on the last day of the period (or today). Group sessions held in the period, and those "
            "whose facilitator and co-facilitator both held, on the day, the qualification the programme asks "
            "for (any qualification when it asks for none); the facilitator alone when one facilitator leads "
            "the programme's groups."
        )
    )
    table = family.table(
        "region",
        key="facilitators_by_region",
        title=str(_("Trained facilitators by region")),
        definition=definition,
        columns=_facilitator_columns(),
        rates=FACILITATOR_RATES,
        chart_columns=("trained_rate", "qualified_rate"),
    )
    intro = str(
        _(
            "Who is qualified to facilitate, and how many group sessions a qualified pair led. The programme and "
            "sex filters apply to the sessions only (the sex of the group)."
        )
    )
    return Section("facilitators", str(_("Trained facilitators")), intro, [table])


# --- Programmes and the standard -----------------------------------------------------

STANDARD_LINES: list[tuple[str, tuple[str, ...]]] = [("participants", ("meets", "short_course", "below"))]
STANDARD_RATES = {"meets_rate": ("meets", "participants")}


def _standard_columns() -> list[Column]:
    return [
        Column("participants", str(_("Participants"))),
        Column("meets", str(_("In a programme that meets the standard"))),
        Column("meets_rate", str(_("Share in a programme that meets the standard")), PERCENT),
        Column("short_course", str(_("In a short course"))),
        Column("below", str(_("In a longer programme below the standard"))),
    ]


def _standard_section(scope: Scope, filters: Filters) -> Section:
    by_provider = selectors.standard_counts(selectors.enrolments_started(scope, filters))
    overall = {c: sum(row[c] for row in by_provider) for c in selectors.STANDARD_COUNTS}
    family = _Family(overall, STANDARD_LINES)
    providers = _provider_rows(by_provider)
    family.add(_Breakdown("provider", providers))
    family.add(_Breakdown("region", _region_rows(by_provider, selectors.STANDARD_COUNTS)))
    family.nest("provider", "region", {k: r["region"] for k, _l, r in providers})
    family.suppress()
    definition = str(
        _(
            "Enrolments that started in the period (transfers left out), by how their programme compares with "
            "the WWP EN standard: at least six months and about 30 sessions (26 or more) or 75 hours. A short "
            "course lasts under three months."
        )
    )
    common = {
        "definition": definition,
        "columns": _standard_columns(),
        "rates": STANDARD_RATES,
        "chart_columns": ("meets_rate",),
    }
    tables = [
        family.table(
            "region", key="standard_by_region", title=str(_("Programmes and the standard by region")), **common
        ),
        family.table(
            "provider", key="standard_by_provider", title=str(_("Programmes and the standard by provider")), **common
        ),
    ]
    intro = str(_("How many participants are in programmes that meet the European standard for behaviour change."))
    return Section("standard", str(_("Programmes and the standard")), intro, tables)


# --- The report ------------------------------------------------------------------


def scope_label(scope: Scope) -> str:
    if scope.is_monitoring:
        return str(_("Programme providers in %(country)s") % {"country": scope.organisation.get_country_display()})
    return str(scope.organisation) if scope.organisation else ""


def _total_row(table: Table) -> Row:
    """The "All" row of a table the key figures are read from (each has one)."""
    total = table.total
    if total is None:
        raise ValueError(f"Table {table.key} has no total row.")
    return total


def build_report(
    scope: Scope, filters: Filters, *, template_names: dict[str, str] | None = None, today: dt.date | None = None
) -> Report:
    """Every figure for ``scope`` under ``filters``, suppressed. A fixed
    number of queries, whatever the number of records."""
    token = _PROVIDER_NAMES.set(selectors.provider_names_shown())
    try:
        return _build_report(scope, filters, template_names=template_names, today=today)
    finally:
        _PROVIDER_NAMES.reset(token)


def _build_report(
    scope: Scope, filters: Filters, *, template_names: dict[str, str] | None, today: dt.date | None
) -> Report:
    today = today or timezone.localdate()
    if template_names is None:
        template_names = dict(selectors.monitored_templates(scope))
    referrals, funnel = _referral_section(scope, filters)
    waiting = _waiting_section(scope, filters, today)
    endings = _endings_section(scope, filters, template_names)
    attendance = Section(
        "attendance",
        str(_("When people drop out")),
        str(_("Enrolments that started in the period (by their start date).")),
        [_survival_table(scope, filters)],
    )
    outcomes = _outcomes_section(scope, filters, today)
    sanctions = _sanctions_section(scope, filters)
    facilitators = _facilitators_section(scope, filters, today)
    standard = _standard_section(scope, filters)
    sections = [referrals, waiting, endings, attendance, outcomes, sanctions, facilitators, standard]

    funnel_all = _total_row(referrals.tables[1])
    endings_all = _total_row(endings.tables[0])
    key_figures = [
        KeyFigure(str(_("Referrals received")), funnel_all.cells["referrals"]),
        KeyFigure(str(_("Acceptance rate")), funnel_all.cells["acceptance_rate"], str(_("of referrals decided"))),
        KeyFigure(str(_("Enrolment rate")), funnel_all.cells["enrolment_rate"], str(_("of referrals accepted"))),
        KeyFigure(str(_("Completion rate")), endings_all.cells["completion_rate"], str(_("of enrolments ended"))),
        KeyFigure(str(_("Dropout rate")), endings_all.cells["dropout_rate"], str(_("of enrolments ended"))),
        KeyFigure(
            str(_("In a programme that meets the standard")),
            _total_row(standard.tables[0]).cells["meets_rate"],
            str(_("of participants who started")),
        ),
    ]
    return Report(
        filters=filters,
        scope_label=scope_label(scope),
        template_label=template_names.get(filters.template, filters.template),
        sections=sections,
        key_figures=key_figures,
    )
