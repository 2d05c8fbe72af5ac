"""Domain events, in process: a lower app says what happened, a higher app
reacts, and the lower app imports nothing of the higher one.

The app that has something to say declares it in its ``events.py``::

    RISK_RAISED = events.declare("casework.risk_raised", safety=True)

and says it, with the facts as keyword arguments, inside the service's
transaction::

    events.emit(RISK_RAISED, assessment=assessment, previous=previous, by=by)

An app above it subscribes (in its ``subscribers.py``, imported by its
``AppConfig.ready``)::

    @events.subscribe(casework_events.RISK_RAISED)
    def notify_risk_raised(*, assessment, previous, by): ...

Subscribers run at once, in the caller's transaction, in the order they
subscribed (the order of ``INSTALLED_APPS``): what a subscriber writes is
committed or rolled back with the event, and an error in a subscriber fails
the service. This is how a safety notice is a database row written in the
same transaction as the event; Redis only carries the "go and look" that
follows on commit (ARCHITECTURE.md). ``emit`` returns what the subscribers
returned, leaving out ``None``.

A **safety** event may not be lost, so ``emit`` refuses one outside a
transaction (a row written on its own could survive a failed change, or a
change could be committed without its row) and one that nobody subscribes to.

Questions work the same way the other way round: a lower app that needs an
answer only a higher app has (would ending this enrolment tell anyone?)
declares the question, the higher app provides the answer, and the lower app
asks: ``declare_query``, ``provide``, ``ask``. A question nobody answers is an
error, not a silent ``None``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection


@dataclass(frozen=True)
class Event:
    kind: str
    safety: bool = False
    subscribers: list[Callable[..., Any]] = field(default_factory=list, compare=False, repr=False)


@dataclass(frozen=True)
class Query:
    name: str
    providers: list[Callable[..., Any]] = field(default_factory=list, compare=False, repr=False)


_EVENTS: dict[str, Event] = {}
_QUERIES: dict[str, Query] = {}


class EventError(RuntimeError):
    """An event emitted in a way that could lose it, or a question nobody answers."""


def declare(kind: str, *, safety: bool = False) -> Event:
    """Declare an event kind; declaring it again with the same flag returns it."""
    known = _EVENTS.get(kind)
    if known is not None:
        if known.safety != safety:
            raise ImproperlyConfigured(f"Event {kind!r} is declared twice, once as a safety event.")
        return known
    _EVENTS[kind] = Event(kind, safety)
    return _EVENTS[kind]


def _event(kind: Event | str) -> Event:
    name = kind.kind if isinstance(kind, Event) else kind
    try:
        return _EVENTS[name]
    except KeyError:
        raise ImproperlyConfigured(f"Event {name!r} is not declared.") from None


def subscribe(kind: Event | str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: call the function, with the event's facts as keyword
    arguments, whenever the event is emitted."""
    event = _event(kind)

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        if function not in event.subscribers:
            event.subscribers.append(function)
        return function

    return register


def emit(kind: Event | str, **facts: Any) -> list[Any]:
    """Run every subscriber now, inside the caller's transaction; return what
    they returned (``None`` left out)."""
    event = _event(kind)
    if event.safety:
        if not connection.in_atomic_block:
            raise EventError(f"Safety event {event.kind!r} emitted outside a transaction.")
        if not event.subscribers:
            raise EventError(f"Safety event {event.kind!r} has no subscriber: nobody would be told.")
    results = []
    for subscriber in list(event.subscribers):
        result = subscriber(**facts)
        if result is not None:
            results.append(result)
    return results


def subscribers_of(kind: Event | str) -> list[Callable[..., Any]]:
    return list(_event(kind).subscribers)


def declare_query(name: str) -> Query:
    return _QUERIES.setdefault(name, Query(name))


def _query(name: Query | str) -> Query:
    key = name.name if isinstance(name, Query) else name
    try:
        return _QUERIES[key]
    except KeyError:
        raise ImproperlyConfigured(f"Question {key!r} is not declared.") from None


def provide(name: Query | str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: the function answers the question. One answer per question."""
    query = _query(name)

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        if query.providers and query.providers[0] is not function:
            raise ImproperlyConfigured(f"Question {query.name!r} already has an answer.")
        query.providers[:] = [function]
        return function

    return register


def ask(name: Query | str, **facts: Any) -> Any:
    query = _query(name)
    if not query.providers:
        raise EventError(f"Nobody answers {query.name!r}.")
    return query.providers[0](**facts)
