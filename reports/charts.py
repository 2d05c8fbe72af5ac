"""Geometry of the dashboard's charts, drawn as server-side SVG.

No inline style and no script (the CSP forbids both): the templates put
these numbers into SVG attributes, colours come from classes in
``static/css/app.css``. Every bar carries its value as text next to it,
and each chart has its table beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reports.figures import Cell, Table

WIDTH = 320
LABEL_HEIGHT = 16
BAR_HEIGHT = 12
BAR_GAP = 3
GROUP_GAP = 10
BAR_MAX = 230  # the longest bar; the rest of the width is for its value
LEGEND_HEIGHT = 20


@dataclass
class Bar:
    y: float
    width: float
    text: str
    text_x: float
    series: int  # 0, 1: which colour
    suppressed: bool
    title: str

    @property
    def text_y(self) -> float:
        return round(self.y + BAR_HEIGHT - 2, 1)


@dataclass
class BarGroup:
    label: str
    label_y: float
    bars: list[Bar]
    is_total: bool


@dataclass
class LegendItem:
    label: str
    x: float
    series: int
    y: float = 3
    text_y: float = 12

    @property
    def text_x(self) -> float:
        return self.x + 14


@dataclass
class BarChart:
    kind: str
    height: float
    groups: list[BarGroup]
    legend: list[LegendItem] = field(default_factory=list)
    width: int = WIDTH
    description: str = ""


def _bar(cell: Cell, y: float, scale_max: float, series: int, column_label: str, row_label: str) -> Bar:
    if cell.shown:
        width = max(1.0, BAR_MAX * float(cell.value) / scale_max) if scale_max else 1.0
        return Bar(
            y,
            round(width, 1),
            cell.display,
            round(width + 4, 1),
            series,
            False,
            f"{row_label}, {column_label}: {cell.display}",
        )
    return Bar(y, 0, cell.display, 2, series, True, f"{row_label}, {column_label}: {cell.display}")


def bar_chart(table: Table) -> BarChart | None:
    """Horizontal bars: per row, one bar for each of the table's chart
    columns (percentages on a 0–100 scale; means on the largest shown)."""
    if not table.rows or not table.chart_columns:
        return None
    columns = [table.column(key) for key in table.chart_columns]
    if table.chart == "pairs":
        shown = [float(row.cells[c.key].value) for row in table.rows for c in columns if row.cells[c.key].shown]
        scale_max = max(shown, default=0.0)
    else:
        scale_max = 100.0
    legend = []
    y = 0.0
    if len(columns) > 1:
        x = 0.0
        for series, column in enumerate(columns):
            legend.append(LegendItem(column.label, x, series))
            x += 16 + 7 * len(column.label)
        y = LEGEND_HEIGHT
    groups = []
    for row in table.rows:
        label_y = y + 12
        y += LABEL_HEIGHT
        bars = []
        for series, column in enumerate(columns):
            bars.append(_bar(row.cells[column.key], y, scale_max, series, column.label, row.label))
            y += BAR_HEIGHT + BAR_GAP
        groups.append(BarGroup(row.label, label_y, bars, row.is_total))
        y += GROUP_GAP
    if not any(not bar.suppressed for group in groups for bar in group.bars):
        return None  # every figure hidden: the table says so, a chart of "<5"s would not
    return BarChart(table.chart, round(y, 1), groups, legend, description=table.title)


# --- Survival curve -----------------------------------------------------------------

PLOT_LEFT = 40
PLOT_RIGHT = 310
PLOT_TOP = 10
PLOT_BOTTOM = 170
STEPS_HEIGHT = 200


@dataclass
class Point:
    x: float
    y: float
    title: str


@dataclass
class Tick:
    pos: float
    text: str


@dataclass
class StepChart:
    solid: str  # SVG path data of the known steps
    dashed: list[str]  # across hidden sessions: known only at both ends
    points: list[Point]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    width: int = WIDTH
    height: int = STEPS_HEIGHT
    left: int = PLOT_LEFT
    right: int = PLOT_RIGHT
    top: int = PLOT_TOP
    bottom: int = PLOT_BOTTOM
    description: str = ""
    y_label_x: int = PLOT_LEFT - 4
    x_label_y: int = PLOT_BOTTOM + 14
    axis_title_y: int = STEPS_HEIGHT - 2


def step_chart(table: Table) -> StepChart | None:
    """The share still attending at each session number as a step line
    starting at 100 % (everyone who started); a dashed line where sessions
    in between are hidden."""
    sessions = [row for row in table.rows if not row.is_total]
    total = table.total
    if not sessions or total is None or not total.cells["share"].shown:
        return None
    last = len(sessions)

    def x(n: float) -> float:
        return round(PLOT_LEFT + (PLOT_RIGHT - PLOT_LEFT) * n / last, 1)

    def y(share: float) -> float:
        return round(PLOT_BOTTOM - (PLOT_BOTTOM - PLOT_TOP) * share / 100.0, 1)

    solid = [f"M{x(0)},{y(100)}"]
    dashed = []
    points = []
    previous = (0, 100.0)
    gap = False
    for index, row in enumerate(sessions, start=1):
        cell = row.cells["share"]
        if not cell.shown:
            gap = True
            continue
        share = float(cell.value)
        if gap:
            dashed.append(f"M{x(previous[0])},{y(previous[1])} L{x(index)},{y(share)}")
            solid.append(f"M{x(index)},{y(share)}")
        else:
            solid.append(f"H{x(index)} V{y(share)}")
        points.append(Point(x(index), y(share), f"{row.label}: {cell.display}"))
        previous = (index, share)
        gap = False
    step = 1 if last <= 10 else 5
    x_ticks = [Tick(x(n), str(n)) for n in range(step, last + 1, step)]
    if not x_ticks or x_ticks[0].text != "1":
        x_ticks.insert(0, Tick(x(1), "1"))
    y_ticks = [Tick(y(v), f"{v}%") for v in (0, 25, 50, 75, 100)]
    return StepChart(" ".join(solid), dashed, points, x_ticks, y_ticks, description=table.title)


def chart_for(table: Table):
    if table.chart == "steps":
        return step_chart(table)
    if table.chart in ("bars", "pairs"):
        return bar_chart(table)
    return None
