"""CTS-2 change and follow-up completion come from ``outcomes.selectors``;
the dashboard suppresses them."""

from __future__ import annotations

import pytest

from accounts.scope import Scope
from outcomes import selectors as outcome_selectors
from reports.figures import build_report
from reports.selectors import Filters
from tests.reports.conftest import table

SMALL, HIDDEN = "<5", "—"


def report_for(user):
    return build_report(Scope.for_user(user), Filters())


@pytest.fixture
def fake_outcomes(monkeypatch):
    """Stand-ins for the outcomes selectors, recording what they were given."""
    calls = {}
    figures = {"cts": [], "follow_up": {"due": 0, "done": 0, "overdue": 0}}

    def cts_change_by_scale(enrolments):
        calls["cts"] = enrolments
        return figures["cts"]

    def follow_up_completion(enrolments, *, today):
        """As many people as points, unless the test says otherwise."""
        calls["follow_up"] = (enrolments, today)
        counts = figures["follow_up"]
        return {**{f"people_{k}": counts[k] for k in ("due", "done", "overdue")}, **counts}

    monkeypatch.setattr(outcome_selectors, "cts_change_by_scale", cts_change_by_scale)
    monkeypatch.setattr(outcome_selectors, "follow_up_completion", follow_up_completion)
    return figures, calls


def test_cts_change_is_shown_only_from_five_people(users, fake_outcomes):
    figures, _calls = fake_outcomes
    figures["cts"] = [
        {"scale": "physical", "label": "Physical Assault", "n": 12, "before": 10.25, "after": 3.0, "prorated": 5},
        {"scale": "sexual", "label": "Sexual Coercion", "n": 4, "before": 8.0, "after": 1.0, "prorated": 0},
        {"scale": "injury", "label": "Injury", "n": 5, "before": 1.0, "after": 1.5, "prorated": 2},
        {"scale": "psych", "label": "Psychological Aggression", "n": 9, "before": 4.0, "after": 2.0, "prorated": 0},
    ]
    assert table(report_for(users["monitoring"]), "cts_change") == {
        "Physical Assault": {"n": "12", "before": "10.3", "after": "3.0", "change": "-7.3", "prorated": "5"},
        "Sexual Coercion": {"n": SMALL, "before": SMALL, "after": SMALL, "change": SMALL, "prorated": SMALL},
        # Two people prorated: a small count, hidden.
        "Injury": {"n": "5", "before": "1.0", "after": "1.5", "change": "+0.5", "prorated": SMALL},
        "Psychological Aggression": {"n": "9", "before": "4.0", "after": "2.0", "change": "-2.0", "prorated": "0"},
    }


def test_outcomes_get_the_enrolments_that_ended_in_the_period(users, build, fake_outcomes):
    _figures, calls = fake_outcomes
    _group, people = build.cohort(6)
    for e in people[:4]:
        build.end(e, "dropped_out")
    report_for(users["monitoring"])
    assert sorted(calls["cts"].values_list("pk", flat=True)) == sorted(e.pk for e in people[:4])
    enrolments, today = calls["follow_up"]
    assert sorted(enrolments.values_list("pk", flat=True)) == sorted(e.pk for e in people[:4])


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({"due": 20, "done": 14, "overdue": 6},
         {"people": "20", "due": "20", "done": "14", "done_rate": "70.0%", "overdue": "6"}),
        # 3 overdue would be 12 due - 9 done: the done count goes too.
        ({"due": 12, "done": 9, "overdue": 3},
         {"people": "12", "due": "12", "done": HIDDEN, "done_rate": HIDDEN, "overdue": SMALL}),
        ({"due": 4, "done": 4, "overdue": 0},
         {"people": SMALL, "due": SMALL, "done": SMALL, "done_rate": SMALL, "overdue": SMALL}),
        # Nothing due: no row (the page says there is nothing to count).
        ({"due": 0, "done": 0, "overdue": 0}, None),
        # 2 neither done nor overdue yet (not shown): one more figure goes, so they cannot be worked out.
        ({"due": 20, "done": 12, "overdue": 6},
         {"people": "20", "due": "20", "done": "12", "done_rate": "60.0%", "overdue": HIDDEN}),
        # Eight points of one man (Chance's 3-monthly monitoring) are one person, not eight.
        ({"due": 8, "done": 8, "overdue": 0, "people_due": 1, "people_done": 1, "people_overdue": 0},
         {"people": SMALL, "due": SMALL, "done": SMALL, "done_rate": SMALL, "overdue": SMALL}),
        # 30 points of 9 people; the 6 overdue points belong to 2 of them: hidden, and so is one more.
        ({"due": 30, "done": 24, "overdue": 6, "people_due": 9, "people_done": 9, "people_overdue": 2},
         {"people": "9", "due": "30", "done": HIDDEN, "done_rate": HIDDEN, "overdue": SMALL}),
    ],
)  # fmt: skip
def test_follow_up_completion(users, fake_outcomes, counts, expected):
    figures, _calls = fake_outcomes
    figures["follow_up"] = counts
    assert table(report_for(users["monitoring"]), "follow_up") == ({"Follow-up points": expected} if expected else {})


def test_with_no_questionnaire_every_scale_is_hidden(users, build):
    _group, people = build.cohort(6)
    for e in people:
        build.end(e, "dropped_out")
    cts = report_for(users["monitoring"]).table("cts_change")
    assert [row.key for row in cts.rows] == [
        "negotiation",
        "psychological-aggression",
        "physical-assault",
        "sexual-coercion",
        "injury",
    ]
    assert all(row.cells["n"].display == SMALL for row in cts.rows)


def test_the_page_shows_the_follow_up_figures(client, users, login, fake_outcomes):
    figures, _calls = fake_outcomes
    figures["follow_up"] = {"due": 20, "done": 14, "overdue": 6}
    login(users["monitoring"])
    content = client.get("/reports/").content.decode()
    block = content[content.index('id="table-follow_up"') :]
    block = block[: block.index("</table>")]
    assert "Nothing to count" not in block
    assert ">Follow-up points</th>" in block
    assert '<td class="text-end rp-figure">70.0%</td>' in block


def summary(scale, label, n, prevalent, chronicity):
    return {"scale": scale, "label": label, "n": n, "prevalent": prevalent, "ever": prevalent,
            "mean_frequency": None, "chronicity": chronicity}  # fmt: skip


def test_prevalence_and_chronicity_before_and_after(users, monkeypatch):
    calls = []

    def cts_scale_summary(enrolments, *, later=False):
        calls.append(later)
        if not later:
            return [
                summary("physical-assault", "Physical Assault", 14, 9, 14.333),
                summary("injury", "Injury", 12, 3, 2.0),
            ]
        return [
            summary("physical-assault", "Physical Assault", 10, 5, 3.0),
            # 10 people, 8 with an act: the 2 without one would follow from 10 - 8.
            summary("injury", "Injury", 10, 8, 1.25),
        ]

    monkeypatch.setattr(outcome_selectors, "cts_scale_summary", cts_scale_summary)
    figures = table(report_for(users["monitoring"]), "cts_prevalence")
    assert calls == [False, True]
    assert figures == {
        "Physical Assault": {
            "before_n": "14", "before_prevalent": "9", "before_share": "64.3%", "before_chronicity": "14.3",
            "after_n": "10", "after_prevalent": "5", "after_share": "50.0%", "after_chronicity": "3.0",
        },
        "Injury": {
            # 3 with an act: hidden, and no chronicity from fewer than 5.
            "before_n": "12", "before_prevalent": SMALL, "before_share": SMALL, "before_chronicity": SMALL,
            "after_n": "10", "after_prevalent": HIDDEN, "after_share": HIDDEN, "after_chronicity": "1.3",
        },
    }  # fmt: skip
