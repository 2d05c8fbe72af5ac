"""CSV and XLSX exports: exactly the dashboard's (suppressed) figures."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from accounts.models import Organisation
from reports.exports import safe_text
from tests import factories as f
from tests.reports.conftest import days

CSV_URL = "/reports/export.csv"
XLSX_URL = "/reports/export.xlsx"
HEADER = ["Period from", "Period to", "Filters", "Section", "Table", "Row", "Measure", "Value"]


@pytest.fixture
def seven(build):
    """Five men referred by the police, two women by a court; all declined."""
    build.declined(5)
    build.declined(2, sex="female", source="court")


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def _xlsx(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def _find(rows, table, row, measure):
    [value] = [r[7] for r in rows if r[4] == table and r[5] == row and r[6] == measure]
    return value


def test_the_csv_has_a_header_the_period_and_the_pages_figures(client, users, login, seven):
    login(users["monitoring"])
    period = {"date_from": days(-30).isoformat(), "date_to": days(0).isoformat()}
    page = client.get("/reports/", period).context["report"]
    response = client.get(CSV_URL, period)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="monitoring_{days(-30).isoformat()}_{days(0).isoformat()}.csv"'
    )
    rows = _csv(response)
    assert rows[0] == HEADER
    assert {tuple(r[:3]) for r in rows[1:]} == {
        (f"{days(-30):%d.%m.%Y}", f"{days(0):%d.%m.%Y}", "Programme providers in Kyrgyzstan")
    }
    assert _find(rows, "Referrals by source", "Police", "Referrals") == "5"
    assert _find(rows, "Referrals by source", "Police", "Share") == "71.4%"
    assert _find(rows, "Referrals by source", "All", "Referrals") == "7"
    # Every figure of the page, in the page's order and with the page's text.
    expected = [
        (t.title, row.label, column.label, row.cells[column.key].display)
        for t in page.tables
        for row in t.rows
        for column in t.columns
    ]
    got = [(r[4], r[5], r[6], r[7]) for r in rows[1:]]
    assert got == expected


def test_a_suppressed_figure_is_suppressed_in_both_exports(client, users, login, seven):
    """The women's 2 is "<5"; the men's 5 would give it away (7 - 5): "—"."""
    login(users["monitoring"])
    page = client.get("/reports/").context["report"].table("referrals_by_sex")
    assert [r.cells["referrals"].display for r in page.rows] == ["—", "<5", "7"]
    csv_rows = _csv(client.get(CSV_URL))
    xlsx_rows = _xlsx(client.get(XLSX_URL))
    for rows in (csv_rows, xlsx_rows):
        assert _find(rows, "Referrals of men and women", "Women", "Referrals") == "<5"
        assert _find(rows, "Referrals of men and women", "Men", "Referrals") == "—"
        assert _find(rows, "Referrals of men and women", "All", "Referrals") in ("7", 7)
        assert _find(rows, "Referrals by source", "Court", "Referrals") == "<5"
        assert not any(r[7] in ("2", 2) for r in rows[1:]), "the hidden 2 appears somewhere"


def test_the_xlsx_has_numbers_and_percentages(client, users, login, seven):
    login(users["monitoring"])
    response = client.get(XLSX_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].endswith(f'_{days(0).isoformat()}.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell for cell in row] for row in sheet.iter_rows()]
    assert [c.value for c in rows[0]] == HEADER
    [share] = [
        r[7] for r in rows if r[4].value == "Referrals by source" and r[5].value == "Police" and r[6].value == "Share"
    ]
    assert share.value == pytest.approx(0.714)
    assert share.number_format == "0.0%"
    [count] = [
        r[7]
        for r in rows
        if r[4].value == "Referrals by source" and r[5].value == "Police" and r[6].value == "Referrals"
    ]
    assert count.value == 5


def test_the_filters_apply_and_are_named(client, users, login, orgs, build, seven):
    osh = f.make_org(Organisation.Kind.PROGRAMME_PROVIDER, name="Osh Consultation Room", region="Osh")
    build.declined(6, provider=osh)
    login(users["monitoring"])
    rows = _csv(client.get(CSV_URL, {"provider": osh.pk}))
    assert rows[1][2] == "Programme providers in Kyrgyzstan; provider: Osh Consultation Room"
    assert _find(rows, "Referrals by source", "All", "Referrals") == "6"
    assert not any("Bishkek" in r[5] for r in rows)


def test_names_that_look_like_formulas_are_defused(client, users, login, orgs, build):
    evil = f.make_org(
        Organisation.Kind.PROGRAMME_PROVIDER, name='=HYPERLINK("http://x.example","Click")', region="@Osh"
    )
    build.declined(6, provider=evil)
    login(users["monitoring"])
    csv_rows = _csv(client.get(CSV_URL))
    assert '\'=HYPERLINK("http://x.example","Click")' in [r[5] for r in csv_rows]
    assert "'@Osh" in [r[5] for r in csv_rows]
    assert not any(cell.startswith(("=", "+", "@")) for r in csv_rows for cell in r)
    sheet = load_workbook(io.BytesIO(client.get(XLSX_URL).content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not any(cell.data_type == "f" for cell in cells)
    assert '\'=HYPERLINK("http://x.example","Click")' in [cell.value for cell in cells]


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=1+2", "'=1+2"),
        ("+cmd", "'+cmd"),
        ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("-2.5", "-2.5"),
        ("+1.0", "+1.0"),
        ("<5", "<5"),
        ("Bishkek", "Bishkek"),
    ],
)
def test_safe_text(text, safe):
    assert safe_text(text) == safe


def test_bad_filters_give_the_page_with_the_errors(client, users, login, db):
    login(users["monitoring"])
    for url in (CSV_URL, XLSX_URL):
        response = client.get(url, {"date_from": "2025-03-10", "date_to": "2025-03-01"})
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        assert "The end of the period is before its start." in response.content.decode()


def test_a_programme_manager_exports_their_own_provider(client, users, login, orgs, build, seven):
    osh = f.make_org(Organisation.Kind.PROGRAMME_PROVIDER, name="Osh Consultation Room", region="Osh")
    build.declined(6, provider=osh)
    login(users["manager"])
    rows = _csv(client.get(CSV_URL))
    assert rows[1][2] == "Bishkek Consultation Room"
    assert _find(rows, "Referrals by source", "All", "Referrals") == "7"
    assert not any("Osh" in cell for r in rows for cell in r)
