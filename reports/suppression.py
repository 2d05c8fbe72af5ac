"""Small-cell suppression: no published figure comes from fewer than 5 people.

Primary suppression hides every count below ``SMALL_CELL`` (zero included),
shown as "<5". Secondary suppression then hides more counts (shown as "—")
wherever a hidden count could be worked out from the others: every table is
described as *lines*, each saying "this total is the sum of these parts"
(a row's parts add up to the row's total, the rows of a breakdown add up to
the figure for everyone, a region's providers add up to the region), and
no line may be left with

- exactly one hidden member that is not zero (it is the total minus the
  rest), or
- hidden parts that must all be 4 (for example a total of 18 with 10 shown:
  two hidden cells below 5 adding up to 8).

A hidden zero reveals nobody and is left as it is. When a line is exposed,
its smallest visible part is hidden too (the total only when no part is
left), and the lines are checked again until none is exposed.

Rates are shown only where both their count and their denominator are
shown; means only from at least 5 people. Survival curves have their own
rule (``suppress_steps``).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

SMALL_CELL = 5
SMALL = "<5"
HIDDEN = "—"

# Why a figure is not shown.
PRIMARY = "small"  # fewer than SMALL_CELL people
SECONDARY = "secondary"  # could otherwise be worked out from the figures shown


@dataclass(frozen=True)
class Line:
    """``total`` is the sum of ``parts`` (keys into the values)."""

    total: Hashable
    parts: tuple[Hashable, ...]


def _exposed(
    line: Line, values: Mapping[Hashable, int], status: Mapping[Hashable, str], derived: set[Hashable]
) -> bool:
    # What a reader does not see: the hidden members, and the derived ones
    # (never shown).
    unknown = [key for key in (line.total, *line.parts) if status[key] or key in derived]
    if not unknown:
        return False
    if len(unknown) == 1:
        # The one unknown member is the total minus the rest (or the sum of
        # the parts); a zero reveals nobody, and a derived figure of 5 or
        # more may be worked out.
        key = unknown[0]
        return values[key] != 0 and bool(status[key])
    if status[line.total]:
        return False
    hidden = [values[key] for key in unknown]
    if max(hidden) >= SMALL_CELL:
        # A hidden count of 5 or more has no upper bound: nothing is pinned.
        return False
    return sum(hidden) == (SMALL_CELL - 1) * len(hidden)


def suppress_cells(
    values: Mapping[Hashable, int],
    lines: Iterable[Line],
    *,
    derived: Iterable[Hashable] = (),
    small: Iterable[Hashable] = (),
) -> dict[Hashable, str]:
    """Suppression status of every key of ``values``: "" (shown),
    ``PRIMARY`` or ``SECONDARY``.

    ``derived`` keys are figures that are never shown but could follow from
    the others (e.g. "follow-ups neither done nor overdue"): a reader never
    sees them, one below 5 must not be worked out either, and they are never
    picked for secondary suppression. ``small`` keys are hidden like a count
    below 5 whatever their value: a count of things (follow-up points) that
    fewer than 5 people stand behind. Members of ``lines`` missing from
    ``values`` are a programming error (KeyError)."""
    lines = list(lines)
    derived = set(derived)
    order = {key: index for index, key in enumerate(values)}
    small = set(small)
    status = {key: (PRIMARY if value < SMALL_CELL or key in small else "") for key, value in values.items()}
    changed = True
    while changed:
        changed = False
        for line in lines:
            if not _exposed(line, values, status, derived):
                continue
            candidates = [key for key in line.parts if not status[key] and key not in derived]
            if not candidates and not status[line.total] and line.total not in derived:
                candidates = [line.total]
            if candidates:
                key = min(candidates, key=lambda k: (values[k], order[k]))
                status[key] = SECONDARY
                changed = True
    return status


def display(value: int, status: str) -> str:
    if status == PRIMARY:
        return SMALL
    if status == SECONDARY:
        return HIDDEN
    return str(value)


def suppress_steps(total: int, reached: Sequence[int]) -> list[str]:
    """Suppression of a survival curve: ``reached[i]`` people (of ``total``)
    got to step i + 1 or further, so the values never increase.

    Each step's count must be at least 5, and so must the number of people
    who stopped between two steps shown (the difference from the last step
    shown, or from ``total`` before the first): otherwise the step is hidden
    and the next one is compared with the last step shown. A difference of
    zero (nobody stopped) is allowed. Everything is hidden when ``total`` is
    below 5."""
    if total < SMALL_CELL:
        return [PRIMARY] * len(reached)
    result = []
    last_shown = total
    for value in reached:
        if value < SMALL_CELL:
            result.append(PRIMARY)
            continue
        stopped = last_shown - value
        if 0 < stopped < SMALL_CELL:
            result.append(SECONDARY)
            continue
        result.append("")
        last_shown = value
    return result
