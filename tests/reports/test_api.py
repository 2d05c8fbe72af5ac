"""GET /api/v1/reports/outcomes/: the dashboard's figures as JSON."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Organisation
from accounts.scope import Scope
from reports.figures import build_report
from reports.selectors import Filters
from tests import factories as f
from tests.reports.conftest import days

URL = "/api/v1/reports/outcomes/"


@pytest.fixture
def seven(build):
    build.declined(5)
    build.declined(2, sex="female", source="court")


def _table(body, key):
    return next(t for s in body["sections"] for t in s["tables"] if t["key"] == key)


def _row(table, key):
    return next(r for r in table["rows"] if r["key"] == key)


def test_the_url():
    assert reverse("api-reports-outcomes") == URL


def test_it_gives_the_dashboards_figures(api, users, seven):
    response = api(users["monitoring"]).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["period"] == {"date_from": None, "date_to": None}
    assert body["filters"] == {"provider": None, "region": "", "template": "", "sex": ""}
    assert body["scope"] == "Programme providers in Kyrgyzstan"
    assert body["small_cell_threshold"] == 5
    by_source = _table(body, "referrals_by_source")
    assert by_source["columns"] == [
        {"key": "count", "label": "Referrals", "kind": "count"},
        {"key": "share", "label": "Share", "kind": "percent"},
    ]
    assert _row(by_source, "police") == {
        "key": "police",
        "label": "Police",
        "total": False,
        "cells": {
            "count": {"value": 5, "display": "5", "suppressed": None},
            "share": {"value": 71.4, "display": "71.4%", "suppressed": None},
        },
    }
    assert _row(by_source, "court")["cells"]["count"] == {"value": None, "display": "<5", "suppressed": "small"}
    by_sex = _table(body, "referrals_by_sex")
    assert _row(by_sex, "male")["cells"]["referrals"] == {"value": None, "display": "—", "suppressed": "secondary"}
    assert _row(by_sex, "female")["cells"]["referrals"] == {"value": None, "display": "<5", "suppressed": "small"}
    assert _row(by_sex, "all")["cells"]["referrals"] == {"value": 7, "display": "7", "suppressed": None}
    assert _row(by_sex, "all")["total"] is True
    assert body["key_figures"][0] == {
        "label": "Referrals received",
        "detail": "",
        "figure": {"value": 7, "display": "7", "suppressed": None},
    }
    # Exactly the report the page shows.
    report = build_report(Scope.for_user(users["monitoring"]), Filters())
    for table in report.tables:
        got = _table(body, table.key)
        assert [[c["display"] for c in r["cells"].values()] for r in got["rows"]] == [
            [cell.display for cell in row.cells.values()] for row in table.rows
        ]


def test_it_carries_no_names_or_case_numbers(api, users, build):
    _group, people = build.cohort(6)
    content = api(users["monitoring"]).get(URL).content.decode()
    for enrolment in people:
        referral = enrolment.case.referral
        for secret in (referral.person.family_name, referral.reference, str(enrolment.case)):
            assert secret not in content


def test_the_filters_apply(api, users, orgs, build, seven):
    osh = f.make_org(Organisation.Kind.PROGRAMME_PROVIDER, name="Osh Consultation Room", region="Osh")
    build.declined(6, provider=osh)
    client = api(users["monitoring"])
    body = client.get(URL, {"provider": osh.pk}).json()
    assert body["filters"] == {"provider": osh.pk, "region": "", "template": "", "sex": ""}
    assert _row(_table(body, "referrals_by_source"), "all")["cells"]["count"]["value"] == 6
    body = client.get(URL, {"region": "Chuy", "date_from": days(-5).isoformat(), "date_to": days(0).isoformat()}).json()
    assert body["period"] == {"date_from": days(-5).isoformat(), "date_to": days(0).isoformat()}
    assert _row(_table(body, "referrals_by_source"), "all")["cells"]["count"]["value"] == 7
    # Men only: the five and the six at Osh; women only: two, so hidden.
    men = client.get(URL, {"sex": "male"}).json()
    assert men["filters"]["sex"] == "male"
    assert _row(_table(men, "referrals_by_source"), "all")["cells"]["count"]["value"] == 11
    women = _row(_table(client.get(URL, {"sex": "female"}).json(), "referrals_by_source"), "all")
    assert women["cells"]["count"] == {"value": None, "display": "<5", "suppressed": "small"}


def test_a_programme_manager_gets_their_own_provider(api, users, orgs, build, seven):
    build.declined(6, provider=orgs["other_provider"])
    body = api(users["manager"]).get(URL).json()
    assert body["scope"] == "Bishkek Consultation Room"
    assert _row(_table(body, "referrals_by_source"), "all")["cells"]["count"]["value"] == 7


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        (
            {"date_from": "2025-03-10", "date_to": "2025-03-01"},
            {"date_to": ["The end of the period is before its start."]},
        ),
        ({"date_from": "tomorrow"}, {"date_from": ["Enter a valid date."]}),
        ({"date_to": "2999-01-01"}, {"date_to": ["The period cannot end in the future."]}),
        ({"date_from": "2999-01-01"}, {"date_from": ["The period cannot start in the future."]}),
        ({"provider": "999999"}, {"provider": ["Choose one of the providers in the list."]}),
        ({"region": "Nowhere"}, {"region": ["Choose one of the regions in the list."]}),
        ({"template": "no-such-programme"}, {"template": ["Choose one of the programmes in the list."]}),
        ({"sex": "both"}, {"sex": ["Choose men, women or both."]}),
    ],
)
def test_bad_filters_are_400_with_field_errors(api, users, params, errors):
    response = api(users["monitoring"]).get(URL, params)
    assert response.status_code == 400
    assert response.json() == errors


def test_a_provider_outside_scope_gets_the_same_error_as_one_that_does_not_exist(api, users, orgs):
    client = api(users["monitoring"])
    outside = client.get(URL, {"provider": orgs["other_provider"].pk})
    missing = client.get(URL, {"provider": 999999})
    assert outside.status_code == missing.status_code == 400
    assert outside.json() == missing.json() == {"provider": ["Choose one of the providers in the list."]}
    own = api(users["manager"]).get(URL, {"provider": f.make_org("programme_provider", name="Tokmok").pk})
    assert own.json() == {"provider": ["Choose one of the providers in the list."]}


@pytest.mark.parametrize("role", ["police", "psychologist", "social_worker", "survivor_worker", "other_psychologist"])
def test_other_roles_are_refused(api, users, role):
    response = api(users[role]).get(URL)
    assert response.status_code == 403
    assert response.json() == {"detail": "Only monitoring viewers and programme managers may read these figures."}


def test_it_is_in_the_schema_and_the_schema_validates(tmp_path, db):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    get = schema["paths"][URL]["get"]
    assert get["operationId"] == "reports_outcomes"
    assert {p["name"] for p in get["parameters"]} == {
        "date_from",
        "date_to",
        "provider",
        "region",
        "template",
        "sex",
        "Accept-Language",
    }
    assert set(get["responses"]) == {"200", "400", "401", "403"}
    assert get["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/MonitoringReport"
    }
    figure = schema["components"]["schemas"]["ReportFigure"]["properties"]
    assert figure["value"]["nullable"] is True


def test_its_query_count_does_not_grow_with_the_records(api, users, build, django_assert_max_num_queries):
    """5 enrolments, then 35 with their marks and endings: the same number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def people(n):
        group, enrolments = build.cohort(n)
        build.attend(group, {e: ["present", "late", "unexcused", "present"] for e in enrolments}, individual=False)
        for e in enrolments[: n // 2]:
            build.end(e, "dropped_out")

    people(5)
    client = api(users["monitoring"])
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    people(30)
    with django_assert_max_num_queries(len(few)):
        body = client.get(URL).json()
    assert _row(_table(body, "still_attending"), "all")["cells"]["count"]["value"] == 35


def test_every_figure_is_written_as_its_serializer_would(users, build):
    """The cells are written out by hand (``figure_data``) for speed: the same
    JSON as ``ReportFigureSerializer``, for shown, small and secondary figures."""
    from reports.serializers import ReportFigureSerializer, figure_data

    group, people = build.cohort(7)
    build.attend(group, {e: ["present", "late", "unexcused", "present"] for e in people})
    for e in people[:3]:
        build.end(e, "dropped_out")
    build.declined(2, sex="female")  # men's referrals then hidden too (secondary)
    report = build_report(Scope.for_user(users["monitoring"]), Filters())
    cells = [cell for table in report.tables for row in table.rows for cell in row.cells.values()]
    assert {cell.suppressed for cell in cells} >= {"", "small", "secondary"}
    for cell in cells:
        assert figure_data(cell) == ReportFigureSerializer(cell).data
