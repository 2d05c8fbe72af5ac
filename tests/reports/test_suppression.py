"""Small-cell suppression: primary (<5) and secondary (could be worked out)."""

from __future__ import annotations

import pytest

from reports.suppression import (
    HIDDEN,
    PRIMARY,
    SECONDARY,
    SMALL,
    Line,
    display,
    suppress_cells,
    suppress_steps,
)


@pytest.mark.parametrize(
    ("counts", "shown", "total"),
    [
        ({"a": 10, "b": 7}, {"a": "10", "b": "7"}, "17"),
        ({"a": 3, "b": 1}, {"a": SMALL, "b": SMALL}, SMALL),
        # A single hidden cell could be worked out from the total: hide the smallest visible one too.
        ({"a": 10, "b": 6, "c": 2}, {"a": "10", "b": HIDDEN, "c": SMALL}, "18"),
        # A single hidden zero reveals nobody.
        ({"a": 10, "b": 6, "c": 0}, {"a": "10", "b": "6", "c": SMALL}, "16"),
        # Two hidden cells that must both be 4.
        ({"a": 10, "b": 4, "c": 4}, {"a": HIDDEN, "b": SMALL, "c": SMALL}, "18"),
        # Two hidden cells that could be split several ways stay as they are.
        ({"a": 10, "b": 3, "c": 1}, {"a": "10", "b": SMALL, "c": SMALL}, "14"),
        # Exactly 5 is shown.
        ({"a": 5, "b": 5}, {"a": "5", "b": "5"}, "10"),
    ],
)
def test_suppress_one_table(counts, shown, total):
    values = {**counts, "total": sum(counts.values())}
    status = suppress_cells(values, [Line("total", tuple(counts))])
    assert {key: display(values[key], status[key]) for key in counts} == shown
    assert display(values["total"], status["total"]) == total


def test_a_two_way_table_hides_across_rows_and_columns():
    """Rows a, b; columns x, y; totals on both sides. a.x = 2 is small:
    its row and its column would each give it away, so a.y (row) and b.x
    (column) are hidden, and then b.y so that row b does not give b.x away."""
    values = {
        ("a", "x"): 2,
        ("a", "y"): 20,
        ("b", "x"): 9,
        ("b", "y"): 30,
        ("a", "t"): 22,
        ("b", "t"): 39,
        ("all", "x"): 11,
        ("all", "y"): 50,
        ("all", "t"): 61,
    }
    lines = [
        Line(("a", "t"), (("a", "x"), ("a", "y"))),
        Line(("b", "t"), (("b", "x"), ("b", "y"))),
        Line(("all", "t"), (("all", "x"), ("all", "y"))),
        Line(("all", "x"), (("a", "x"), ("b", "x"))),
        Line(("all", "y"), (("a", "y"), ("b", "y"))),
        Line(("all", "t"), (("a", "t"), ("b", "t"))),
    ]
    status = suppress_cells(values, lines)
    assert status[("a", "x")] == PRIMARY
    assert status[("a", "y")] == SECONDARY
    assert status[("b", "x")] == SECONDARY
    assert status[("b", "y")] == SECONDARY
    # The totals stay: each line now has at least two unknowns.
    assert [status[k] for k in [("a", "t"), ("b", "t"), ("all", "x"), ("all", "y"), ("all", "t")]] == [""] * 5


def test_a_hidden_total_with_every_part_shown_is_given_away_too():
    """A total hidden by another line is the sum of its parts: one of them goes."""
    values = {"t": 12, "p": 6, "q": 6, "other": 3, "grand": 15}
    lines = [Line("grand", ("t", "other")), Line("t", ("p", "q"))]
    status = suppress_cells(values, lines)
    assert status == {"t": SECONDARY, "p": SECONDARY, "q": "", "other": PRIMARY, "grand": ""}


def test_regions_nest_providers():
    """Region R has providers p1 (3) and p2 (9), region S p3 (20) and p4 (2).
    Among all providers the two small ones protect each other (3 + 2 could
    be split many ways), but within each region a single small provider is
    its region minus the other: p2 and p3 are hidden too."""
    values = {"p1": 3, "p2": 9, "p3": 20, "p4": 2, "R": 12, "S": 22, "all": 34}
    lines = [
        Line("all", ("p1", "p2", "p3", "p4")),
        Line("all", ("R", "S")),
        Line("R", ("p1", "p2")),
        Line("S", ("p3", "p4")),
    ]
    status = suppress_cells(values, lines)
    assert status == {
        "p1": PRIMARY,
        "p2": SECONDARY,
        "p3": SECONDARY,
        "p4": PRIMARY,
        "R": "",
        "S": "",
        "all": "",
    }


def test_a_derived_figure_protects_itself_but_is_never_hidden_for_others():
    """due = done + overdue + rest; rest (not shown) is 2: done or overdue
    must go, or rest = due − done − overdue."""
    values = {"due": 30, "done": 20, "overdue": 8, "rest": 2}
    status = suppress_cells(values, [Line("due", ("done", "overdue", "rest"))], derived=["rest"])
    assert status == {"due": "", "done": "", "overdue": SECONDARY, "rest": PRIMARY}
    values = {"due": 30, "done": 20, "overdue": 10, "rest": 0}
    status = suppress_cells(values, [Line("due", ("done", "overdue", "rest"))], derived=["rest"])
    assert status == {"due": "", "done": "", "overdue": "", "rest": PRIMARY}


@pytest.mark.parametrize(
    ("total", "reached", "expected"),
    [
        # Everyone to session 2, then 6 stop: every step shown.
        (12, [12, 12, 6], ["", "", ""]),
        # 3 stop after session 1: session 2 (9) would give that away; session 3 (6) is 6 fewer than session 1.
        (12, [12, 9, 6, 6], ["", SECONDARY, "", ""]),
        # The tail under 5 is hidden.
        (12, [12, 7, 4, 1], ["", "", PRIMARY, PRIMARY]),
        # 2 never came: session 1 (10) is hidden, session 2 (5) is 7 fewer than all who started.
        (12, [10, 5], [SECONDARY, ""]),
        # Fewer than 5 started: nothing is shown.
        (4, [4, 4], [PRIMARY, PRIMARY]),
    ],
)
def test_survival_steps(total, reached, expected):
    assert suppress_steps(total, reached) == expected


def test_a_derived_figure_is_never_shown_so_it_protects_a_hidden_one():
    """20 = 12 + 3 + 5 (the 5 never shown): the 3 cannot be worked out."""
    values = {"total": 20, "a": 12, "b": 3, "rest": 5}
    status = suppress_cells(values, [Line("total", ("a", "b", "rest"))], derived=["rest"])
    assert status == {"total": "", "a": "", "b": PRIMARY, "rest": ""}


def test_a_small_derived_figure_may_not_be_worked_out():
    """20 = 12 + 6 + 2: with 20, 12 and 6 shown the 2 would follow; the 6 goes."""
    values = {"total": 20, "a": 12, "b": 6, "rest": 2}
    status = suppress_cells(values, [Line("total", ("a", "b", "rest"))], derived=["rest"])
    assert status == {"total": "", "a": "", "b": SECONDARY, "rest": PRIMARY}
