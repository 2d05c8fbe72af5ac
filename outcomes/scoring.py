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
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Option:
    code: int
    midpoint: int
    past_year: bool
    ever: bool


@dataclass(frozen=True)
class ItemDef:
    number: int
    scale: str
    perspective: str


@dataclass(frozen=True)
class Structure:
    """An instrument reduced to what scoring needs: the answer categories,
    the scales (code -> parent code or None, in order) and the items."""

    options: Mapping[int, Option]
    scales: Mapping[str, str | None]
    items: Sequence[ItemDef]

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
        codes = {scale} | {code for code, parent in self.scales.items() if parent == scale}
        return [i.number for i in self.items if i.scale in codes and i.perspective == perspective]


@dataclass(frozen=True)
class ScaleResult:
    prevalence: bool | None
    ever: bool | None
    annual_frequency: int | None
    items: int
    missing: int


def options_from(data: Iterable[Mapping]) -> dict[int, Option]:
    """Answer categories from an instrument's ``response_options``."""
    return {
        int(o["code"]): Option(
            code=int(o["code"]), midpoint=int(o["midpoint"]), past_year=bool(o["past_year"]), ever=bool(o["ever"])
        )
        for o in data
    }


def score_items(codes: Sequence[int | None], options: Mapping[int, Option]) -> ScaleResult:
    """Score one scale and perspective from its items' answers (None = no
    answer). Raises ValueError for a code that is not an answer category."""
    answered = [options[c] if c in options else _bad(c) for c in codes if c is not None]
    missing = len(codes) - len(answered)
    any_year = any(o.past_year for o in answered)
    any_ever = any(o.ever for o in answered)
    return ScaleResult(
        prevalence=True if any_year else (None if missing else False),
        ever=True if any_ever else (None if missing else False),
        annual_frequency=None if missing else sum(o.midpoint for o in answered),
        items=len(codes),
        missing=missing,
    )


def _bad(code) -> Option:
    raise ValueError(f"{code!r} is not an answer category")


def score_answers(structure: Structure, answers: Mapping[int, int | None]) -> dict[tuple[str, str], ScaleResult]:
    """Every scale and subscale, for each perspective: {(scale code,
    perspective): ScaleResult}. Items absent from ``answers`` are missing."""
    unknown = set(answers) - structure.item_numbers()
    if unknown:
        raise ValueError(f"Unknown items: {sorted(unknown)}")
    results = {}
    for scale in structure.scales:
        for perspective in structure.perspectives():
            numbers = structure.items_of(scale, perspective)
            if numbers:
                results[(scale, perspective)] = score_items([answers.get(n) for n in numbers], structure.options)
    return results


def chronicity(results: Iterable[ScaleResult]) -> float | None:
    """Mean annual frequency among those with prevalence (whose frequency is
    known); None when there is nobody to average."""
    values = [r.annual_frequency for r in results if r.prevalence and r.annual_frequency is not None]
    return sum(values) / len(values) if values else None
