"""Scoring as pure functions over {item number: answer code or None}.

For the frequency-category method (CTS2), per scale or subscale and per
perspective (the respondent's own acts, the partner's; which item is which
is the instrument's data, see ``outcomes/cts2.py``):

- prevalence: any act in the past year (a category that counts for the
  past year, CTS2 codes 1-6);
- ever-prevalence: any act ever (codes 1-7: code 7 is "not in the past
  year, but it happened before");
- annual frequency: the sum of the category midpoints (CTS2: 0, 1, 2, 4,
  8, 15, 25 for codes 0-6; code 7 counts 0 for the past year);
- chronicity is a figure about a group: the mean annual frequency among
  those with prevalence (``chronicity``; the database version is in
  ``selectors.cts_scale_summary``).

Missing answers. We could not obtain the CTS2 manual's rule for missing
items (Straus et al. 1996 does not state one in the parts we could read;
published scoring scripts differ: some treat a missing item as 0, some
impute the person's mean when up to 20% are missing). We therefore apply a
conservative rule that never invents an answer:

- annual frequency is not computed (None) when any item of the scale and
  perspective is unanswered: a sum with a hole in it is not a frequency;
- prevalence and ever-prevalence are known as soon as one answered item
  shows an act (True); when no answered item shows one, they are False
  only if every item was answered, otherwise None (unknown).

A missing item is never read as "never".

Prorating (an option per provider, ``ScoringSettings.prorate_missing``):
the rule used in the CTS literature for scales with at most one unanswered
item. Such a scale is scored as if the unanswered item had the mean of the
answered ones: a sum (or an annual frequency, or a count of acts) is the
answered items' sum times items / answered (rounded for a frequency), a
mean is the answered items' mean, and prevalence is False when no answered
item shows an act. A result computed so is marked ``prorated``; with two
or more unanswered items the conservative rule applies.

Scale rules (questionnaires loaded from a file, ``Instrument.RULES``),
from each answer category's ``value`` (reversed items: the highest value
counts as the lowest) and whether it is an ``act``:

- sum: the sum of the item values; mean: their mean;
- count: the number of items answered with an act (a count of acts);
- prevalence: 1 when any item is answered with an act, else 0.

A scale's items include those of its subscales, whatever the rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

FREQUENCY = "frequency"
SUM = "sum"
MEAN = "mean"
COUNT = "count"
PREVALENCE = "prevalence"
RULES = (FREQUENCY, SUM, MEAN, COUNT, PREVALENCE)


@dataclass(frozen=True)
class Option:
    code: int
    midpoint: int = 0
    past_year: bool = False
    ever: bool = False
    value: float = 0
    act: bool = False


@dataclass(frozen=True)
class ItemDef:
    number: int
    scale: str
    perspective: str
    reversed: bool = False


@dataclass(frozen=True)
class Structure:
    """An instrument reduced to what scoring needs: the answer categories,
    the scales (code -> parent code or None, in order) and the items."""

    options: Mapping[int, Option]
    scales: Mapping[str, str | None]
    items: Sequence[ItemDef]
    # Scale code -> rule; a scale not named is scored by frequency.
    rules: Mapping[str, str] = field(default_factory=dict)

    def item_numbers(self) -> set[int]:
        return {item.number for item in self.items}

    def perspectives(self) -> list[str]:
        seen: list[str] = []
        for item in self.items:
            if item.perspective not in seen:
                seen.append(item.perspective)
        return seen

    def items_of(self, scale: str, perspective: str) -> list[int]:
        """A scale's items include those of its subscales."""
        return [i.number for i in self.item_defs_of(scale, perspective)]

    def item_defs_of(self, scale: str, perspective: str) -> list[ItemDef]:
        codes = {scale} | {code for code, parent in self.scales.items() if parent == scale}
        return [i for i in self.items if i.scale in codes and i.perspective == perspective]

    def value_range(self) -> tuple[float, float]:
        values = [o.value for o in self.options.values()]
        return (min(values), max(values)) if values else (0, 0)


@dataclass(frozen=True)
class ScaleResult:
    prevalence: bool | None
    ever: bool | None
    annual_frequency: int | None
    items: int
    missing: int
    # The scale's score by a scale rule (None for "frequency": its score is
    # the annual frequency, see ``score``).
    value: float | None = None
    prorated: bool = False


def score(result: ScaleResult) -> float | None:
    """The one figure of a scale: its value, or its annual frequency."""
    if result.value is not None:
        return result.value
    return None if result.annual_frequency is None else float(result.annual_frequency)


def shown(value: float | None) -> int | float | None:
    """A score as the pages show it: a whole number without decimals, else
    to two decimals."""
    if value is None:
        return None
    return int(value) if value == int(value) else round(value, 2)


def options_from(data: Iterable[Mapping]) -> dict[int, Option]:
    """Answer categories from an instrument's ``response_options``: the
    CTS2 family's (midpoint, past_year, ever) or a scale-rules
    questionnaire's (value, act)."""
    return {
        int(o["code"]): Option(
            code=int(o["code"]),
            midpoint=int(o.get("midpoint", 0)),
            past_year=bool(o.get("past_year", False)),
            ever=bool(o.get("ever", False)),
            value=float(o.get("value", o.get("midpoint", 0))),
            act=bool(o.get("act", o.get("past_year", False))),
        )
        for o in data
    }


def _may_prorate(items: int, missing: int, prorate: bool) -> bool:
    """The CTS literature's rule: at most one unanswered item, and at
    least one answered."""
    return prorate and missing == 1 and items > 1


def score_items(codes: Sequence[int | None], options: Mapping[int, Option], *, prorate: bool = False) -> ScaleResult:
    """Score one scale and perspective from its items' answers (None = no
    answer) by the frequency categories. Raises ValueError for a code that
    is not an answer category."""
    answered = [options[c] if c in options else _bad(c) for c in codes if c is not None]
    missing = len(codes) - len(answered)
    prorated = _may_prorate(len(codes), missing, prorate)
    known = not missing or prorated
    any_year = any(o.past_year for o in answered)
    any_ever = any(o.ever for o in answered)
    frequency = None
    if known:
        total = sum(o.midpoint for o in answered)
        frequency = round(total * len(codes) / len(answered)) if prorated else total
    return ScaleResult(
        prevalence=True if any_year else (False if known else None),
        ever=True if any_ever else (False if known else None),
        annual_frequency=frequency,
        items=len(codes),
        missing=missing,
        prorated=prorated,
    )


def score_rule(
    rule: str,
    answers: Sequence[tuple[int | None, bool]],
    options: Mapping[int, Option],
    value_range: tuple[float, float],
    *,
    prorate: bool = False,
) -> ScaleResult:
    """Score one scale of a scale-rules questionnaire: ``answers`` are
    (answer code or None, reversed) per item."""
    low, high = value_range
    answered = [(options[c] if c in options else _bad(c), rev) for c, rev in answers if c is not None]
    missing = len(answers) - len(answered)
    prorated = _may_prorate(len(answers), missing, prorate)
    known = not missing or prorated
    values = [low + high - o.value if rev else o.value for o, rev in answered]
    acts = sum(1 for o, _rev in answered if o.act)
    value: float | None = None
    if rule == PREVALENCE:
        value = 1.0 if acts else (0.0 if known else None)
    elif known and rule == SUM:
        value = sum(values) * len(answers) / len(answered)
    elif known and rule == COUNT:
        value = acts * len(answers) / len(answered)
    elif known and rule == MEAN:
        value = sum(values) / len(answered)
    prevalence = True if acts else (False if known else None)
    return ScaleResult(
        prevalence=prevalence,
        ever=None,
        annual_frequency=None,
        items=len(answers),
        missing=missing,
        value=None if value is None else round(value, 2),
        prorated=prorated and value is not None and not (rule == PREVALENCE and acts),
    )


def _bad(code) -> Option:
    raise ValueError(f"{code!r} is not an answer category")


def score_answers(
    structure: Structure, answers: Mapping[int, int | None], *, prorate: bool = False
) -> dict[tuple[str, str], ScaleResult]:
    """Every scale and subscale, for each perspective: {(scale code,
    perspective): ScaleResult}. Items absent from ``answers`` are missing.
    ``prorate``: apply the prorating rule to scales with one unanswered item."""
    unknown = set(answers) - structure.item_numbers()
    if unknown:
        raise ValueError(f"Unknown items: {sorted(unknown)}")
    results = {}
    value_range = structure.value_range()
    for scale in structure.scales:
        rule = structure.rules.get(scale, FREQUENCY)
        for perspective in structure.perspectives():
            defs = structure.item_defs_of(scale, perspective)
            if not defs:
                continue
            if rule == FREQUENCY:
                result = score_items([answers.get(i.number) for i in defs], structure.options, prorate=prorate)
            else:
                pairs = [(answers.get(i.number), i.reversed) for i in defs]
                result = score_rule(rule, pairs, structure.options, value_range, prorate=prorate)
            results[(scale, perspective)] = result
    return results


def chronicity(results: Iterable[ScaleResult]) -> float | None:
    """Mean annual frequency among those with prevalence (whose frequency is
    known); None when there is nobody to average."""
    values = [r.annual_frequency for r in results if r.prevalence and r.annual_frequency is not None]
    return sum(values) / len(values) if values else None
