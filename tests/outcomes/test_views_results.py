"""One person's results (table and chart) and a single questionnaire."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from core.models import SensitiveRead
from tests.outcomes.conftest import days, sheet


@pytest.fixture
def history(users, case_with_service, record):
    """Intake: item 7 more than 20 times (25) and item 33 6-10 (8); end: item
    7 3-5 times (4). Her questionnaire (never shown here) has 11-20 on item 8."""
    psy = users["psychologist"]
    case = case_with_service
    intake = record(case, psy, sheet(0, i7=6, i33=4), on=days(-120))
    end = record(case, psy, sheet(0, i7=3), occasion="end", on=days(-2))
    hers = record(case, users["survivor_worker"], sheet(0, i8=5, i10=5, i18=5), respondent="survivor",
                  survivor=case.referral.survivors.get(), respondent_consented=True)  # fmt: skip
    return {"case": case, "intake": intake, "end": end, "hers": hers}


def results(client, case):
    return client.get(reverse("outcomes:case_results", args=[case.pk]))


def test_results_show_before_and_after_as_a_table_and_a_chart(login, users, history):
    case = history["case"]
    page = results(login(users["psychologist"]), case).content.decode()
    own = page.split('id="own-heading"')[1].split("</section>")[0]
    head, body = own.split("</thead>")
    assert head.index("Intake (before the programme)") < head.index("End of the programme")
    table = {
        re.search(r'<th scope="row" class="fw-normal">(.*?)</th>', row).group(1): re.findall(
            r'<span class="oc-frequency">(.*?)</span>', row
        )
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    }
    assert table == {
        "Negotiation": ["0", "0"],
        "Psychological Aggression": ["0", "0"],
        "Physical Assault": ["33", "4"],
        "Sexual Coercion": ["0", "0"],
        "Injury": ["0", "0"],
    }
    # The chart: one bar per scale for the intake and one for the latest.
    chart = page.split("<svg")[1].split("</svg>")[0]
    assert len(re.findall(r'<rect class="oc-bar oc-bar-before"', chart)) == 5
    assert len(re.findall(r'<rect class="oc-bar oc-bar-after"', chart)) == 5
    widths = re.findall(r'oc-bar-(before|after)" x="0" y="\d+" width="(\d+)"', chart)
    assert widths[4:6] == [("before", "320"), ("after", "39")]  # physical assault: 33 is the longest bar
    assert ">Physical Assault</text>" in chart
    assert "style=" not in page.split("<main")[1]


def test_results_never_show_her_questionnaire(login, users, history):
    page = results(login(users["psychologist"]), history["case"]).content.decode()
    assert reverse("outcomes:administration_detail", args=[history["hers"].pk]) not in page
    assert ">45<" not in page  # her partner-side physical assault: 3 x 15


def test_reading_results_is_recorded(login, users, history):
    results(login(users["social_worker"]), history["case"])
    read = SensitiveRead.objects.get(user=users["social_worker"])
    assert (read.record_type, read.record_id, read.view) == (
        "therapy_notes",
        history["case"].pk,
        "outcomes:case_results",
    )


def test_empty_results(login, users, case):
    page = results(login(users["psychologist"]), case).content.decode()
    assert "No intake questionnaire yet: the change is shown once there is one." in page
    assert "No questionnaire of the person yet." in page
    assert "<svg" not in page
    assert not SensitiveRead.objects.filter(view="outcomes:case_results").exists()


def test_only_an_intake_shows_no_after_bar(login, users, case, record):
    record(case, users["psychologist"], sheet(0, i7=1))
    page = results(login(users["psychologist"]), case).content.decode()
    assert "No questionnaire after the intake yet." in page
    assert "oc-bar-after" not in page.split("<svg")[1].split("</svg>")[0]


def test_a_questionnaire_shows_answers_and_scores_and_records_the_read(login, users, history):
    client = login(users["psychologist"])
    page = client.get(reverse("outcomes:administration_detail", args=[history["intake"].pk])).content.decode()
    assert re.search(r"Item 7 — Physical Assault \(minor\), respondent&#x27;s own act</span>\s*"
                     r"<strong>6 — More than 20 times in the past year</strong>", page)  # fmt: skip
    assert re.search(r"Item 9 — Physical Assault \(minor\), respondent&#x27;s own act</span>\s*<strong>0 — Never", page)
    assert "78 items, 0 without an answer" in page
    physical = page.split(">Physical Assault</th>")[1].split("</tr>")[0]
    assert re.findall(r'<span class="oc-frequency">(.*?)</span>', physical) == ["33", "0"]
    read = SensitiveRead.objects.get(user=users["psychologist"])
    assert (read.record_type, read.record_id, read.view) == (
        "therapy_notes", history["case"].pk, "outcomes:administration_detail",
    )  # fmt: skip


def test_a_questionnaire_is_hidden_from_the_other_side(login, users, history):
    person = reverse("outcomes:administration_detail", args=[history["intake"].pk])
    hers = reverse("outcomes:administration_detail", args=[history["hers"].pk])
    assert login(users["survivor_worker"]).get(person).status_code == 404
    assert login(users["psychologist"]).get(hers).status_code == 404
    assert login(users["manager"]).get(person).status_code == 403
    assert login(users["police"]).get(hers).status_code == 403
    assert login(users["other_psychologist"]).get(person).status_code == 404
