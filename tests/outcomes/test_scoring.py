"""Scoring against hand-computed answer sheets (pure functions, no database).

The structure is the shipped CTS2 key (outcomes/cts2.py); each expected
figure below was worked out by hand from the answer sheet above it, with the
midpoints 0, 1, 2, 4, 8, 15, 25 for codes 0-6 and 0 for code 7."""

from __future__ import annotations

import pytest

from outcomes import cts2, cts2s, scoring
from outcomes.scoring import ScaleResult

STRUCTURE = scoring.Structure(
    options=scoring.options_from(cts2.RESPONSE_OPTIONS),
    scales={code: parent for code, _name, parent in cts2.SCALES},
    items=[scoring.ItemDef(number=n, scale=s, perspective=p) for n, s, p, _pair in cts2.items()],
)
ALL = range(1, 79)


def sheet(default, **overrides) -> dict[int, int | None]:
    answers = {n: default for n in ALL}
    answers.update({int(k[1:]): v for k, v in overrides.items()})
    return answers


def test_all_never():
    results = scoring.score_answers(STRUCTURE, sheet(0))
    assert len(results) == 30  # 15 scales and subscales x 2 perspectives
    for result in results.values():
        assert (result.prevalence, result.ever, result.annual_frequency, result.missing) == (False, False, 0, 0)
    assert results[("physical-assault", "self")].items == 12
    assert results[("physical-assault-severe", "partner")].items == 7


def test_all_category_7_is_ever_but_not_in_the_past_year():
    results = scoring.score_answers(STRUCTURE, sheet(7))
    for result in results.values():
        assert (result.prevalence, result.ever, result.annual_frequency) == (False, True, 0)


def test_all_more_than_20_times():
    results = scoring.score_answers(STRUCTURE, sheet(6))
    # 12 physical-assault acts x 25
    assert results[("physical-assault", "self")] == ScaleResult(True, True, 300, 12, 0)
    assert results[("injury-minor", "partner")] == ScaleResult(True, True, 50, 2, 0)


MIXED = sheet(
    0,
    # Negotiation, emotional: 25 + 4 + 0 = 29; cognitive: 1 + 2 + 0 (code 7) = 3
    i1=6, i13=3, i39=0, i3=1, i59=2, i77=7,
    # Psychological aggression, minor: 8 + 15 + 0 + 0 (code 7) = 23; severe all never
    i5=4, i35=5, i49=0, i67=7,
    # Physical assault, minor: 2 + 0 + 1 + 0 + 0 = 3; severe: only code 7 on item 21
    i7=2, i17=1, i21=7,
    # The partner: physical assault minor, item 8 = 3-5 times -> 4
    i8=3,
)  # fmt: skip


@pytest.mark.parametrize(
    ("scale", "perspective", "expected"),
    [
        ("negotiation-emotional", "self", ScaleResult(True, True, 29, 3, 0)),
        ("negotiation-cognitive", "self", ScaleResult(True, True, 3, 3, 0)),
        ("negotiation", "self", ScaleResult(True, True, 32, 6, 0)),
        ("psychological-aggression-minor", "self", ScaleResult(True, True, 23, 4, 0)),
        ("psychological-aggression-severe", "self", ScaleResult(False, False, 0, 4, 0)),
        ("psychological-aggression", "self", ScaleResult(True, True, 23, 8, 0)),
        ("physical-assault-minor", "self", ScaleResult(True, True, 3, 5, 0)),
        ("physical-assault-severe", "self", ScaleResult(False, True, 0, 7, 0)),
        ("physical-assault", "self", ScaleResult(True, True, 3, 12, 0)),
        ("sexual-coercion", "self", ScaleResult(False, False, 0, 7, 0)),
        ("injury", "self", ScaleResult(False, False, 0, 6, 0)),
        ("physical-assault-minor", "partner", ScaleResult(True, True, 4, 5, 0)),
        ("physical-assault", "partner", ScaleResult(True, True, 4, 12, 0)),
        ("negotiation", "partner", ScaleResult(False, False, 0, 6, 0)),
    ],
)
def test_mixed_sheet(scale, perspective, expected):
    assert scoring.score_answers(STRUCTURE, MIXED)[(scale, perspective)] == expected


def test_a_missing_answer_leaves_frequency_and_an_undecided_prevalence_unknown():
    # Everything "never" except item 9 (physical assault, minor, self) unanswered.
    results = scoring.score_answers(STRUCTURE, sheet(0, i9=None))
    assert results[("physical-assault-minor", "self")] == ScaleResult(None, None, None, 5, 1)
    assert results[("physical-assault", "self")] == ScaleResult(None, None, None, 12, 1)
    # The other subscale and the partner's items are unaffected.
    assert results[("physical-assault-severe", "self")] == ScaleResult(False, False, 0, 7, 0)
    assert results[("physical-assault-minor", "partner")] == ScaleResult(False, False, 0, 5, 0)


def test_a_missing_answer_does_not_hide_a_reported_act():
    # Item 7 = twice, item 9 unanswered: there was an act, but no frequency.
    results = scoring.score_answers(STRUCTURE, sheet(0, i7=2, i9=None))
    assert results[("physical-assault-minor", "self")] == ScaleResult(True, True, None, 5, 1)
    # Item 21 = code 7 and item 27 unanswered: ever yes, past year unknown.
    results = scoring.score_answers(STRUCTURE, sheet(0, i21=7, i27=None))
    assert results[("physical-assault-severe", "self")] == ScaleResult(None, True, None, 7, 1)


def test_items_not_given_are_missing():
    results = scoring.score_answers(STRUCTURE, {1: 1})
    assert results[("negotiation-emotional", "self")] == ScaleResult(True, True, None, 3, 2)
    assert results[("injury", "partner")] == ScaleResult(None, None, None, 6, 6)


def test_an_unknown_item_or_code_is_refused():
    with pytest.raises(ValueError, match="Unknown items: \\[79\\]"):
        scoring.score_answers(STRUCTURE, {79: 0})
    with pytest.raises(ValueError, match="8 is not an answer category"):
        scoring.score_answers(STRUCTURE, {1: 8})


def test_chronicity_is_the_mean_frequency_of_those_with_an_act():
    results = [
        ScaleResult(True, True, 10, 12, 0),
        ScaleResult(False, True, 0, 12, 0),  # not prevalent: left out
        ScaleResult(True, True, 20, 12, 0),
        ScaleResult(True, True, None, 12, 1),  # frequency unknown: left out
        ScaleResult(None, None, None, 12, 2),
    ]
    assert scoring.chronicity(results) == 15
    assert scoring.chronicity([ScaleResult(False, False, 0, 12, 0)]) is None


def test_the_shipped_key_covers_every_item_once():
    numbers = [n for n, *_rest in cts2.items()]
    assert numbers == list(range(1, 79))
    for number, scale, perspective, pair in cts2.items():
        odd_is_own = not scale.startswith("injury")
        assert perspective == ("self" if (number % 2 == 1) == odd_is_own else "partner")
        assert pair == (number + 1) // 2
    per_scale = {}
    for _n, scale, perspective, _pair in cts2.items():
        if perspective == "self":
            top = dict((c, p) for c, _name, p in cts2.SCALES)[scale]
            per_scale[top] = per_scale.get(top, 0) + 1
    assert per_scale == {
        "negotiation": 6,
        "psychological-aggression": 8,
        "physical-assault": 12,
        "sexual-coercion": 7,
        "injury": 6,
    }


def test_the_full_key_is_the_published_one():
    """Every subscale's pairs, as the key in the domain notes lists them
    (the odd number of each pair)."""
    assert cts2.PAIRS == {
        "negotiation-emotional": (1, 13, 39),
        "negotiation-cognitive": (3, 59, 77),
        "psychological-aggression-minor": (5, 35, 49, 67),
        "psychological-aggression-severe": (25, 29, 65, 69),
        "physical-assault-minor": (7, 9, 17, 45, 53),
        "physical-assault-severe": (21, 27, 33, 37, 43, 61, 73),
        "sexual-coercion-minor": (15, 51, 63),
        "sexual-coercion-severe": (19, 47, 57, 75),
        "injury-minor": (11, 71),
        "injury-severe": (23, 31, 41, 55),
    }


# --- The short form (CTS2S): 20 items, one pair per subscale ----------------------

SHORT = scoring.Structure(
    options=scoring.options_from(cts2s.RESPONSE_OPTIONS),
    scales={code: parent for code, _name, parent in cts2s.SCALES},
    items=[scoring.ItemDef(number=n, scale=s, perspective=p) for n, s, p, _pair in cts2s.items()],
)


def short_sheet(default, **overrides) -> dict[int, int | None]:
    answers = dict.fromkeys(range(1, 21), default)
    answers.update({int(k[1:]): v for k, v in overrides.items()})
    return answers


def test_short_form_all_never_and_all_category_7():
    never = scoring.score_answers(SHORT, short_sheet(0))
    assert len(never) == 30
    assert all((r.prevalence, r.ever, r.annual_frequency) == (False, False, 0) for r in never.values())
    assert never[("physical-assault", "self")].items == 2
    seven = scoring.score_answers(SHORT, short_sheet(7))
    assert all((r.prevalence, r.ever, r.annual_frequency) == (False, True, 0) for r in seven.values())


def test_short_form_mixed_sheet_and_a_missing_answer():
    # Pushed or slapped 6-10 times (item 9 -> 8), punched twice (11 -> 2); he was injured once
    # by her (item 5, the partner's act -> 1); she was injured 3-5 times by him (item 6 -> 4);
    # item 12 (the partner punched) unanswered.
    results = scoring.score_answers(SHORT, short_sheet(0, i9=4, i11=2, i5=1, i6=3, i12=None))
    assert results[("physical-assault", "self")] == ScaleResult(True, True, 10, 2, 0)
    assert results[("physical-assault-severe", "self")] == ScaleResult(True, True, 2, 1, 0)
    assert results[("injury", "self")] == ScaleResult(True, True, 4, 2, 0)
    assert results[("injury", "partner")] == ScaleResult(True, True, 1, 2, 0)
    assert results[("physical-assault", "partner")] == ScaleResult(None, None, None, 2, 1)


# --- Unanswered items: the conservative rule and the prorating rule ---------------
# Physical assault (minor), own acts: items 7, 9, 17, 45, 53.


def test_conservative_rule_one_missing_item_leaves_the_frequency_unknown():
    answers = sheet(0, i7=3, i9=None)
    result = scoring.score_answers(STRUCTURE, answers)[("physical-assault-minor", "self")]
    assert result == ScaleResult(True, True, None, 5, 1)
    quiet = scoring.score_answers(STRUCTURE, sheet(0, i9=None))[("physical-assault-minor", "self")]
    assert quiet == ScaleResult(None, None, None, 5, 1)


def test_prorating_rule_one_missing_item_counts_as_the_mean_of_the_others():
    # 7: 3-5 times (4), 17: 6-10 times (8), 45 and 53 never, 9 unanswered:
    # (4 + 8 + 0 + 0) * 5 / 4 = 15.
    answers = sheet(0, i7=3, i17=4, i9=None)
    result = scoring.score_answers(STRUCTURE, answers, prorate=True)[("physical-assault-minor", "self")]
    assert result == ScaleResult(True, True, 15, 5, 1, prorated=True)
    assert scoring.score(result) == 15.0
    # Nothing shown among the answered items: prevalence "no" rather than unknown.
    quiet = scoring.score_answers(STRUCTURE, sheet(0, i9=None), prorate=True)[("physical-assault-minor", "self")]
    assert quiet == ScaleResult(False, False, 0, 5, 1, prorated=True)
    # The whole scale (12 items, one missing): (4 + 8) * 12 / 11 = 13.09 -> 13.
    whole = scoring.score_answers(STRUCTURE, answers, prorate=True)[("physical-assault", "self")]
    assert (whole.annual_frequency, whole.prorated) == (13, True)


def test_prorating_rule_never_fills_two_holes():
    answers = sheet(0, i7=3, i9=None, i17=None)
    result = scoring.score_answers(STRUCTURE, answers, prorate=True)[("physical-assault-minor", "self")]
    assert result == ScaleResult(True, True, None, 5, 2)
    complete = scoring.score_answers(STRUCTURE, sheet(0, i7=3), prorate=True)[("physical-assault-minor", "self")]
    assert complete == ScaleResult(True, True, 4, 5, 0)


def test_prorating_a_one_item_scale_with_its_item_missing_is_not_possible():
    assert scoring.score_items([None], STRUCTURE.options, prorate=True) == ScaleResult(None, None, None, 1, 1)
