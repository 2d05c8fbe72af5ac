"""The timeline of a referral and its case: who changed what, and when.

Each app declares the kinds of entry it writes in its own ``<app>/timeline.py``
with ``kind(code, label, referrer=...)``: the code is what the database stores,
the label what the reader sees (in the reader's language), and ``referrer``
whether the referring body (police unit, court, child-protection body, ...)
sees entries of that kind. The column has no
choices, so a new kind is a line in the app that writes it and never a
migration. ``core.apps`` imports every app's ``timeline`` module at start-up,
so every label is known before the first page is drawn.

Entries are written with ``timeline_add`` inside the service's transaction, one
per meaningful change. The detail is a short, non-personal text: never a
survivor's detail or a note. Reading a timeline is the referrals app's
business (``referrals.selectors.timeline_for``), because who may see which
entry depends on the reader's part in the referral.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from core.models import TimelineEntry


class TimelineKind(str):
    """A kind's code (it compares and stores as the code) with its label and
    whether the referring body sees it."""

    label: Promise | str
    referrer: bool

    def __new__(cls, code: str, label: Promise | str, referrer: bool = False) -> TimelineKind:
        obj = super().__new__(cls, code)
        obj.label = label
        obj.referrer = referrer
        return obj


_KINDS: dict[str, TimelineKind] = {}


def kind(code: str, label: Promise | str, *, referrer: bool = False, police: bool | None = None) -> TimelineKind:
    """Declare a kind of timeline entry; returns it for ``timeline_add``.
    ``referrer=True``: the referring body sees entries of this kind
    (``police=`` is its former name, still accepted).

    A code is declared once in the whole project: a second app declaring the
    same code is an error at start-up, not two labels for one row."""
    if police is not None:
        referrer = police
    if len(code) > 40:
        raise ImproperlyConfigured(f"Timeline kind {code!r} is longer than the column (40).")
    known = _KINDS.get(code)
    if known is not None and (str(known.label), known.referrer) != (str(label), referrer):
        raise ImproperlyConfigured(f"Timeline kind {code!r} is declared twice.")
    _KINDS[code] = TimelineKind(code, label, referrer)
    return _KINDS[code]


def label_for(code: str) -> Promise | str:
    """The label of a stored code; an unknown code (a kind since removed) is
    shown as it is rather than failing the page."""
    known = _KINDS.get(code)
    return known.label if known is not None else code


def is_declared(code: str) -> bool:
    return code in _KINDS


def declared_kinds() -> list[TimelineKind]:
    return list(_KINDS.values())


def referrer_kinds() -> frozenset[str]:
    """The codes the referring body sees: its referral's course, not the work."""
    return frozenset(code for code, known in _KINDS.items() if known.referrer)


def timeline_add(*, referral, by, kind: str, detail: str = "", survivor_side: bool = False) -> TimelineEntry:
    """Record one entry; ``survivor_side`` entries are hidden from
    perpetrator-facing staff and the police."""
    from core.models import TimelineEntry

    if kind not in _KINDS:
        raise ValueError(f"Timeline kind {kind!r} is not declared in any app's timeline.py.")
    return TimelineEntry.objects.create(
        referral=referral,
        actor=by,
        actor_organisation=by.membership.organisation,
        kind=kind,
        detail=detail[:300],
        survivor_side=survivor_side,
    )
