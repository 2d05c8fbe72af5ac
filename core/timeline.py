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
per meaningful change. What an entry says beyond its kind is stored as its
``params``, in no language: codes, numbers, ISO dates and datetimes, and names
that users typed (a group's, an organisation's) - never a survivor's detail or
a note. The kind declares how they read (``kind(..., detail=...)``): a
translated format string with named placeholders, whose ``values`` turn a
parameter into what the reader sees (a date in the reader's format, a choice
code into its label), or a function of the params for a kind whose sentence
depends on them. The text is made when the entry is shown, in the reader's
language (``TimelineEntry.detail_text``).

Reading a timeline is the referrals app's business
(``referrals.selectors.timeline_for``), because who may see which entry
depends on the reader's part in the referral.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.utils import formats, timezone
from django.utils.functional import Promise

from core.dates import short_date

if TYPE_CHECKING:
    from django.db.models import Choices

    from core.models import TimelineEntry

logger = logging.getLogger(__name__)

# How an entry's params read: a format string with named placeholders
# (``%(name)s``), or a function of the params.
Detail = Promise | str | Callable[[Mapping[str, Any]], str]


class TimelineKind(str):
    """A kind's code (it compares and stores as the code) with its label,
    whether the referring body sees it, and how its params read."""

    label: Promise | str
    referrer: bool
    detail: Detail | None
    values: Mapping[str, Callable[[Any], Any]]

    def __new__(
        cls,
        code: str,
        label: Promise | str,
        referrer: bool = False,
        detail: Detail | None = None,
        values: Mapping[str, Callable[[Any], Any]] | None = None,
    ) -> TimelineKind:
        obj = super().__new__(cls, code)
        obj.label = label
        obj.referrer = referrer
        obj.detail = detail
        obj.values = values or {}
        return obj

    def render(self, params: Mapping[str, Any]) -> str:
        """The params as the reader reads them, in the active language."""
        if self.detail is None:
            return ""
        if isinstance(self.detail, str | Promise):
            shown = {name: self.values.get(name, _same)(value) for name, value in params.items()}
            return str(self.detail) % shown
        return str(self.detail(params))


_KINDS: dict[str, TimelineKind] = {}


def kind(
    code: str,
    label: Promise | str,
    *,
    referrer: bool = False,
    police: bool | None = None,
    detail: Detail | None = None,
    values: Mapping[str, Callable[[Any], Any]] | None = None,
) -> TimelineKind:
    """Declare a kind of timeline entry; returns it for ``timeline_add``.
    ``referrer=True``: the referring body sees entries of this kind
    (``police=`` is its former name, still accepted). ``detail``: how the
    entry's params read - a (lazily translated) format string with named
    placeholders, each param first passed through its function in ``values``
    (``as_date``, ``choice(...)``), or a function of the params returning the
    text. A kind without ``detail`` takes no params.

    A code is declared once in the whole project: a second app declaring the
    same code is an error at start-up, not two labels for one row."""
    if police is not None:
        referrer = police
    if len(code) > 40:
        raise ImproperlyConfigured(f"Timeline kind {code!r} is longer than the column (40).")
    known = _KINDS.get(code)
    if known is not None and (str(known.label), known.referrer) != (str(label), referrer):
        raise ImproperlyConfigured(f"Timeline kind {code!r} is declared twice.")
    _KINDS[code] = TimelineKind(code, label, referrer, detail, values)
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


def detail_text(code: str, params: Mapping[str, Any], legacy: str = "") -> str:
    """What an entry says beyond its kind, in the active language. An entry
    without params (written before params existed, in a shape the migration
    could not read) says its stored text as it is; so does one whose params
    no longer fit its kind's detail, rather than failing the page."""
    known = _KINDS.get(code)
    if not params or known is None or known.detail is None:
        return legacy
    try:
        return known.render(params)
    except (KeyError, ValueError, TypeError):
        logger.warning("Timeline params of kind %s do not fit its detail.", code)
        return legacy


# --- What the params read as ----------------------------------------------------


def _same(value: Any) -> Any:
    return value


def as_date(value: str) -> str:
    """An ISO date, in the reader's short format (05.12.2026)."""
    return short_date(dt.date.fromisoformat(value))


def as_datetime(value: str) -> str:
    """An ISO datetime, in local time and the reader's short format. One
    without an offset (an entry migrated from its text) is local already."""
    moment = dt.datetime.fromisoformat(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "SHORT_DATETIME_FORMAT")


def as_time(value: str) -> str:
    """A time of day ("18:15"), in the reader's format."""
    return formats.time_format(dt.time.fromisoformat(value), "TIME_FORMAT")


def choice(choices: type[Choices]) -> Callable[[str], str]:
    """A choice code, as its model's label; a code no longer among the
    choices is shown as it is."""

    def label(code: str) -> str:
        labels = dict(choices.choices)
        return str(labels.get(code, code))

    return label


def _plain(value: Any) -> Any:
    """A param as JSON stores it: dates, times and amounts as ISO text."""
    if isinstance(value, dt.time):
        return value.isoformat(timespec="minutes")
    if isinstance(value, dt.date):  # a datetime too, with its offset
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"A timeline param is a code, a number, a date or a name, not {type(value).__name__}.")


def _entry(*, referral_id: int, by, organisation, kind: str, params: Mapping[str, Any] | None, survivor_side: bool):
    from core.models import TimelineEntry

    known = _KINDS.get(kind)
    if known is None:
        raise ValueError(f"Timeline kind {kind!r} is not declared in any app's timeline.py.")
    if params and known.detail is None:
        raise ValueError(f"Timeline kind {kind!r} declares no detail, so it takes no params.")
    return TimelineEntry(
        referral_id=referral_id,
        actor=by,
        actor_organisation=organisation,
        kind=kind,
        params={name: _plain(value) for name, value in (params or {}).items()},
        survivor_side=survivor_side,
    )


def timeline_add(
    *, referral, by, kind: str, params: Mapping[str, Any] | None = None, survivor_side: bool = False
) -> TimelineEntry:
    """Record one entry; ``survivor_side`` entries are hidden from
    perpetrator-facing staff and the police. ``params``: codes, numbers,
    dates and names, never a survivor's detail or a note."""
    entry = _entry(
        referral_id=referral.pk,
        by=by,
        organisation=by.membership.organisation,
        kind=kind,
        params=params,
        survivor_side=survivor_side,
    )
    entry.referral = referral
    entry.save(force_insert=True)
    return entry


def timeline_add_many(*, by, kind: str, rows: Iterable[tuple[int, Mapping[str, Any] | None]]) -> list[TimelineEntry]:
    """One entry per ``(referral id, params)``, in one query."""
    from core.models import TimelineEntry

    organisation = by.membership.organisation
    return TimelineEntry.objects.bulk_create(
        [
            _entry(referral_id=rid, by=by, organisation=organisation, kind=kind, params=params, survivor_side=False)
            for rid, params in rows
        ]
    )
