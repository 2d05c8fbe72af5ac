"""CSV and XLSX of exactly the figures the dashboard shows (suppressed,
with the filters applied), one figure per line under a header row:
period, filters, section, table, row, measure, value.

A text cell that a spreadsheet would run as a formula (starting with
=, +, -, @, a tab or a carriage return) gets a leading apostrophe;
numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from core.dates import short_date
from reports.figures import COUNT, PERCENT, Cell, Report

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?\d+(\.\d+)?%?")


def safe_text(value: str) -> str:
    """``value`` with a leading apostrophe if a spreadsheet could read it as
    a formula (a plain number such as "-2.5" is left alone)."""
    if value.startswith(FORMULA_START) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def header() -> list[str]:
    return [
        _("Period from"),
        _("Period to"),
        _("Filters"),
        _("Section"),
        _("Table"),
        _("Row"),
        _("Measure"),
        _("Value"),
    ]


def filters_text(report: Report) -> str:
    f = report.filters
    parts = [report.scope_label]
    if f.provider is not None:
        parts.append(_("provider: %(name)s") % {"name": f.provider.shown_name})
    if f.region:
        parts.append(_("region: %(name)s") % {"name": f.region})
    if f.template:
        parts.append(_("programme: %(name)s") % {"name": report.template_label})
    if f.sex:
        parts.append(report.sex_label.lower())
    return "; ".join(parts)


def figures(report: Report) -> Iterator[tuple[list[str], Cell | None]]:
    """(the text columns, the figure) for every figure of the report."""
    f = report.filters
    start, end = short_date(f.date_from), short_date(f.date_to)
    scope = filters_text(report)
    for section in report.sections:
        for table in section.tables:
            base = [start, end, scope, section.title, table.title]
            for row in table.rows:
                for column in table.columns:
                    yield [*base, row.label, column.label], row.cells[column.key]


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header())
    for texts, cell in figures(report):
        row = [safe_text(t) for t in texts]
        if cell is not None:
            row.append(cell.display)
        writer.writerow(row)
    return out.getvalue()


def to_xlsx(report: Report) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Figures")[:31]
    sheet.append(header())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for texts, figure in figures(report):
        row: list = [safe_text(t) for t in texts]
        if figure is not None:
            row.append(_xlsx_value(figure))
        sheet.append(row)
        if figure is not None and figure.shown and figure.kind == PERCENT:
            sheet.cell(row=sheet.max_row, column=len(row)).number_format = "0.0%"
        elif figure is not None and figure.shown and figure.kind != COUNT:
            sheet.cell(row=sheet.max_row, column=len(row)).number_format = "0.0"
    for column, width in zip("ABCDEFGH", (12, 12, 40, 30, 40, 30, 26, 10), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_value(cell: Cell):
    """A shown figure as a number (a percentage as a fraction, formatted
    as %), a hidden one as its marker text ("<5", "—")."""
    if not cell.shown:
        return safe_text(cell.display)
    if cell.kind == PERCENT:
        return round(float(cell.value) / 100, 4)
    return cell.value
