"""The monitoring dashboard page: who sees it, what it shows, its filters."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation
from tests import factories as f
from tests.reports.conftest import days

URL = "/reports/"
SMALL, HIDDEN = "&lt;5", "—"


def test_the_urls():
    assert reverse("reports:dashboard") == URL
    assert reverse("reports:export_csv") == "/reports/export.csv"
    assert reverse("reports:export_xlsx") == "/reports/export.xlsx"


@pytest.fixture
def seven(build):
    """Five men and two women referred, all declined."""
    build.declined(5)
    build.declined(2, sex="female", source="court")


def _cells(content: str, table_key: str) -> dict[str, list[str]]:
    """{row label: [cell texts]} of one table of the page."""
    block = content.split(f'id="table-{table_key}"', 1)[1].split('<div class="mb-4 rp-block"', 1)[0]
    rows = {}
    for label, cells in re.findall(r'<th scope="row"[^>]*>([^<]+)</th>(.*?)</tr>', block, flags=re.S):
        rows[label.strip()] = re.findall(r"<td[^>]*>([^<]*)</td>", cells)
    return rows


def test_a_monitoring_viewer_sees_the_figures(client, users, login, seven):
    login(users["monitoring"])
    response = client.get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Programme providers in Kyrgyzstan." in content
    by_source = _cells(content, "referrals_by_source")
    assert by_source["Police"] == ["5", "71.4%"]
    assert by_source["Court"] == [SMALL, SMALL]
    assert by_source["All"] == ["7", "100.0%"]
    by_sex = _cells(content, "referrals_by_sex")
    # referrals, not yet decided, decided, declined, accepted, acceptance, waiting, enrolled, enrolment;
    # the men's 5 would give the women's 2 away (7 - 5): hidden.
    assert by_sex["Men"] == [HIDDEN, SMALL, HIDDEN, HIDDEN, SMALL, SMALL, SMALL, SMALL, SMALL]
    assert by_sex["Women"] == [SMALL] * 9
    assert by_sex["All"] == ["7", SMALL, "7", "7", SMALL, SMALL, SMALL, SMALL, SMALL]
    # Key figures and definitions.
    assert [k.cell.display for k in response.context["report"].key_figures] == ["7", "<5", "<5", "<5", "<5", "<5"]
    assert "Acceptance rate: referrals accepted" in content
    assert "no figure comes from fewer than 5 people" in content


def test_a_programme_manager_sees_their_own_provider(client, users, login, orgs, build, seven):
    elsewhere = f.make_org(Organisation.Kind.PROGRAMME_PROVIDER, name="Osh Consultation Room", region="Osh")
    build.declined(6, provider=elsewhere)
    build.declined(8, provider=orgs["other_provider"])  # another country
    login(users["manager"])
    content = client.get(URL).content.decode()
    assert "Figures of Bishkek Consultation Room." in content
    assert _cells(content, "referrals_by_source")["All"] == ["7", "100.0%"]
    assert "Osh Consultation Room" not in content
    login(users["monitoring"])
    content = client.get(URL).content.decode()
    assert _cells(content, "referrals_by_source")["All"] == ["13", "100.0%"]
    providers = _cells(content, "referrals_by_provider")
    assert list(providers) == ["Bishkek Consultation Room", "Osh Consultation Room", "All"]
    assert "Khujand" not in content


def test_another_countrys_monitoring_body_counts_its_own(client, users, login, orgs, build, seven):
    build.declined(6, provider=orgs["other_provider"])
    tj_body = f.make_org(Organisation.Kind.MONITORING_BODY, country="TJ", name="Sughd Committee", region="Sughd")
    login(f.make_user(tj_body, "monitoring_viewer", "tj_monitor"))
    content = client.get(URL).content.decode()
    assert "Programme providers in Tajikistan." in content
    assert _cells(content, "referrals_by_source")["All"] == ["6", "100.0%"]
    assert "Bishkek Consultation Room" not in content


def test_an_anonymous_visitor_is_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={URL}"


@pytest.mark.parametrize("role", ["monitoring", "manager"])
def test_no_name_case_number_or_contact_reaches_the_page_or_the_exports(client, users, login, build, role):
    """People with attendance, endings, questionnaires at intake and at the
    end and follow-up points: the page, the CSV and the XLSX hold none of
    their names, case numbers, the survivor's name or phone, or staff
    names; the figures themselves are there."""
    import io

    from openpyxl import load_workbook

    from outcomes import services as outcome_services
    from outcomes.models import Instrument, Occasion

    group, people = build.cohort(6)
    build.attend(group, {e: ["present", "present", "unexcused", "present"] for e in people})
    instrument = Instrument.objects.get(code="cts2")
    psychologist = users["psychologist"]
    for n, e in enumerate(people):
        answers = {i: 0 for i in range(1, 79)} | {7: 4, 35: 3}
        outcome_services.administration_record(
            case=e.case, instrument=instrument, by=psychologist, respondent="person", answers=answers,
            administered_on=days(-20), occasion=Occasion.INTAKE,
        )  # fmt: skip
        build.end(e, "expelled" if n % 2 else "dropped_out")
        outcome_services.administration_record(
            case=e.case, instrument=instrument, by=psychologist, respondent="person",
            answers=answers | {7: 1}, administered_on=days(0), occasion=Occasion.END,
        )  # fmt: skip
    login(users[role])
    page = client.get(URL).content.decode()
    csv_text = client.get("/reports/export.csv").content.decode()
    workbook = load_workbook(io.BytesIO(client.get("/reports/export.xlsx").content))
    xlsx_text = "\n".join(
        str(cell) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for cell in row
    )
    assert "Physical Assault" in page and "Physical Assault" in csv_text and "Physical Assault" in xlsx_text
    for enrolment in people:
        referral = enrolment.case.referral
        person = referral.person
        survivor = referral.survivors.get()
        for secret in (
            person.family_name,
            person.given_name,
            survivor.family_name,
            survivor.given_name,
            str(survivor.phone),
            referral.reference,
            enrolment.case.number,
            psychologist.username,
            users["social_worker"].username,
        ):
            for where, text in (("page", page), ("csv", csv_text), ("xlsx", xlsx_text)):
                assert secret not in text, (where, secret)


def test_charts_are_svg_without_inline_style_or_script(client, users, login, build):
    group, people = build.cohort(6)
    build.attend(group, {e: ["present"] * 4 for e in people})
    login(users["monitoring"])
    content = client.get(URL).content.decode()
    for key in ("referrals_by_source", "referrals_by_sex", "still_attending"):
        assert '<svg class="rp-svg" viewBox="0 0 320 ' in content
        assert f'aria-labelledby="chart-{key}-title"' in content, key
    assert "style=" not in content
    assert re.search(r"<script(?![^>]*\bsrc=)", content) is None
    # A bar for the enrolment rate of men, with its value written next to it.
    assert re.search(r'<rect class="rp-bar rp-series-1" x="0" y="[\d.]+" width="230\.0"', content)
    assert '<text class="rp-text rp-value"' in content and ">100.0%</text>" in content
    # Nobody ended yet: every completion figure is hidden, and there is no chart of them.
    assert 'aria-labelledby="chart-endings_by_sex-title"' not in content
    assert "Completion and dropout: men and women" in content
    # The survival curve: a step line starting at 100 %.
    assert '<path class="rp-line" d="M40.0,10.0 H107.5 V10.0' in content


def test_an_empty_selection_says_so(client, users, login, db):
    login(users["monitoring"])
    response = client.get(URL)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Nothing to count for this selection." in content  # the curve, with nobody started
    assert _cells(content, "referrals_by_source")["All"] == [SMALL, SMALL]


def test_the_filters_offer_only_what_is_in_scope(client, users, login, orgs, build):
    elsewhere = f.make_org(Organisation.Kind.PROGRAMME_PROVIDER, name="Osh Consultation Room", region="Osh")
    build.cohort(5)
    login(users["monitoring"])
    form = client.get(URL).context["form"]
    assert [label for _v, label in form.fields["provider"].choices] == [
        "All providers",
        "Bishkek Consultation Room",
        "Osh Consultation Room",
    ]
    assert [v for v, _l in form.fields["region"].choices] == ["", "Chuy", "Osh"]
    assert [v for v, _l in form.fields["template"].choices] == ["", "kg-annex3-mandatory"]
    login(users["manager"])
    form = client.get(URL).context["form"]
    assert [label for _v, label in form.fields["provider"].choices] == ["All providers", "Bishkek Consultation Room"]
    assert [v for v, _l in form.fields["region"].choices] == ["", "Chuy"]
    response = client.get(URL, {"provider": elsewhere.pk})
    assert response.context["form"].errors == {"provider": ["Choose one of the providers in the list."]}


def test_a_provider_outside_scope_is_a_field_error_like_one_that_does_not_exist(client, users, login, orgs):
    login(users["monitoring"])
    outside = client.get(URL, {"provider": orgs["other_provider"].pk})
    missing = client.get(URL, {"provider": 999999})
    assert outside.status_code == missing.status_code == 200
    assert (
        outside.context["form"].errors
        == missing.context["form"].errors
        == {"provider": ["Choose one of the providers in the list."]}
    )
    assert outside.context["report"] is None
    assert "Khujand" not in outside.content.decode()
    assert "Correct the filters to see the figures." in outside.content.decode()


def test_the_period_is_checked_and_nothing_typed_is_lost(client, users, login, db):
    login(users["monitoring"])
    response = client.get(URL, {"date_from": "2025-03-10", "date_to": "2025-03-01", "region": "Chuy"})
    assert response.context["form"].errors == {"date_to": ["The end of the period is before its start."]}
    assert response.context["report"] is None
    content = response.content.decode()
    assert 'value="2025-03-10"' in content and 'value="2025-03-01"' in content
    assert "Download CSV" not in content

    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    response = client.get(URL, {"date_from": future, "date_to": "not a date"})
    assert response.context["form"].errors == {
        "date_from": ["The period cannot start in the future."],
        "date_to": ["Enter a valid date."],
    }
    response = client.get(URL, {"date_to": future})
    assert response.context["form"].errors == {"date_to": ["The period cannot end in the future."]}


def test_the_men_and_women_filter(client, users, login, db):
    login(users["monitoring"])
    response = client.get(URL, {"sex": "female"})
    assert response.context["report"].filters.sex == "female"
    content = response.content.decode()
    assert '<option value="female" selected>Women</option>' in content
    assert " · Women" in content
    assert 'href="/reports/export.csv?sex=female"' in content
    bad = client.get(URL, {"sex": "both", "region": "Chuy"})
    assert bad.context["form"].errors == {"sex": ["Choose men, women or both."]}
    assert bad.context["report"] is None


def test_the_period_and_filters_reach_the_figures_and_the_export_links(client, users, login, build):
    build.declined(6)
    login(users["monitoring"])
    response = client.get(URL, {"date_from": days(-7).isoformat(), "date_to": days(0).isoformat(), "region": "Chuy"})
    report = response.context["report"]
    assert report.filters.date_from == days(-7) and report.filters.region == "Chuy"
    content = response.content.decode()
    query = f"date_from={days(-7).isoformat()}&amp;date_to={days(0).isoformat()}&amp;region=Chuy"
    assert f'href="/reports/export.csv?{query}"' in content
    assert f'href="/reports/export.xlsx?{query}"' in content
    future_start = client.get(URL, {"date_from": days(1).isoformat()})
    assert future_start.context["report"] is None


def test_the_page_query_count_does_not_grow_with_the_records(
    client, users, login, build, django_assert_max_num_queries
):
    """10 enrolments, then 60: the same number of queries."""

    def people(n):
        for size in [25] * (n // 25) + [n % 25] * bool(n % 25):
            group, enrolments = build.cohort(size)
            build.attend(
                group, {e: ["present", "present", "unexcused", "present"] for e in enrolments}, individual=False
            )
            for e in enrolments[: size // 2]:
                build.end(e, "dropped_out")

    people(10)
    login(users["monitoring"])
    with CaptureQueriesContext(connection) as ten:
        assert client.get(URL).status_code == 200
    people(50)
    with django_assert_max_num_queries(len(ten)):
        response = client.get(URL)
    assert response.context["report"].table("still_attending").total.cells["count"].display == "60"
