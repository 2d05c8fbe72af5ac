"""Programmes and the standard on the monitoring report: how many
participants are in a programme that meets the WWP EN standard (by
``programmes.standards``), suppressed like every other figure, on the
dashboard and in its CSV export."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.scope import Scope
from reports import selectors
from reports.figures import build_report
from reports.selectors import Filters
from tests.reports.conftest import table

pytestmark = pytest.mark.django_db
LONG = "kg-annex3-voluntary-men"  # 26 sessions over 26 weeks: meets the standard
SHORT = "kg-annex3-mandatory"  # 2 + 2 in four weeks: a short course


def report_for(user, **filters):
    return build_report(Scope.for_user(user), Filters(**filters))


def test_participants_are_counted_by_their_programmes_standard(users, build):
    build.cohort(6, template=LONG, start=-3)
    build.cohort(5, template=SHORT)
    figures = table(report_for(users["monitoring"]), "standard_by_region")
    assert figures["Chuy"] == {
        "participants": "11",
        "meets": "6",
        "meets_rate": "54.5%",
        "short_course": "5",
        "below": "<5",
    }
    assert figures["All"] == figures["Chuy"]


def test_the_share_is_among_the_key_figures(users, build):
    build.cohort(6, template=LONG, start=-3)
    build.cohort(5, template=SHORT)
    figure = report_for(users["monitoring"]).key_figures[-1]
    assert (figure.label, figure.cell.display, figure.detail) == (
        "In a programme that meets the standard",
        "54.5%",
        "of participants who started",
    )


def test_small_counts_are_hidden(users, build):
    build.cohort(6, template=LONG, start=-3)
    build.cohort(2, template=SHORT)
    figures = table(report_for(users["monitoring"]), "standard_by_provider")
    row = next(v for k, v in figures.items() if k != "All")
    assert (row["participants"], row["meets"]) == ("8", "6")
    # Two hidden cells: the difference does not say how many were in short courses.
    assert (row["short_course"], row["below"]) == ("<5", "<5")
    assert row["meets_rate"] == "75.0%"


def test_the_count_is_one_query_whatever_the_templates(users, build, django_assert_num_queries):
    build.cohort(6, template=LONG, start=-3)
    build.cohort(5, template=SHORT)
    enrolments = selectors.enrolments_started(Scope.for_user(users["monitoring"]), Filters())
    with django_assert_num_queries(1):
        rows = selectors.standard_counts(enrolments)
    assert [(r["participants"], r["meets"], r["short_course"], r["below"]) for r in rows] == [(11, 6, 5, 0)]


def test_the_dashboard_and_the_csv_show_the_table(client, login, users, build):
    build.cohort(6, template=LONG, start=-3)
    login(users["monitoring"])
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert "Programmes and the standard by region" in page
    csv = client.get(reverse("reports:export_csv")).content.decode()
    assert "Programmes and the standard by region,Chuy,In a programme that meets the standard,6" in csv
