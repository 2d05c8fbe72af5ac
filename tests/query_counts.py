"""How many SQL statements a request sent, as ``make bench`` counts them:
its transaction's own BEGIN and COMMIT (a savepoint, inside a test's
transaction) are not statements of the page."""

from __future__ import annotations

from collections.abc import Iterable

_CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT ", "RELEASE SAVEPOINT ")


def statements(captured: Iterable[dict]) -> int:
    """The statements among ``CaptureQueriesContext.captured_queries``."""
    return sum(1 for query in captured if not query["sql"].startswith(_CONTROL))
