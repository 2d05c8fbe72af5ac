"""What PostgreSQL's planner does with a selector's query: for tests that a
list or a count reads a growing table through an index, not a sequential
scan over every row."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext


@dataclass(frozen=True)
class Scan:
    node: str  # "Seq Scan", "Index Scan", "Bitmap Index Scan", ...
    table: str  # the relation read ("" for a bitmap index scan)
    index: str  # the index used ("" for a sequential scan)


def analyze(*tables: str) -> None:
    """Refresh the planner's statistics of ``tables`` inside the test's
    transaction (rows inserted by the test count). ANALYZE needs the
    table's owner: the application role a test runs as is set aside for
    the statement and set again after."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        role = cursor.fetchone()[0]
        cursor.execute("RESET ROLE")
        for table in tables:
            cursor.execute(f'ANALYZE "{table}"')
        if role == settings.DATABASE_APP_ROLE:
            cursor.execute(f'SET LOCAL ROLE "{role}"')


def _nodes(node: dict) -> Iterator[dict]:
    yield node
    for child in node.get("Plans", ()):
        yield from _nodes(child)


def plan_of(sql: str) -> dict:
    """The plan PostgreSQL chooses for ``sql`` (without running it)."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        row = cursor.fetchone()[0]
    return (json.loads(row) if isinstance(row, str) else row)[0]["Plan"]


def scans(plan: dict) -> list[Scan]:
    return [
        Scan(node["Node Type"], node.get("Relation Name", ""), node.get("Index Name", ""))
        for node in _nodes(plan)
        if "Scan" in node["Node Type"]
    ]


def plans_of(run: Callable[[], object]) -> list[dict]:
    """The plans of the queries ``run`` sends, as sent."""
    with CaptureQueriesContext(connection) as captured:
        run()
    return [plan_of(query["sql"]) for query in captured.captured_queries]


def show(plan: dict, depth: int = 0) -> str:
    """The plan as EXPLAIN prints it, briefly: node, relation, index, cost, rows."""
    line = "  " * depth + " ".join(
        str(part)
        for part in (
            plan["Node Type"],
            plan.get("Relation Name", ""),
            plan.get("Index Name", ""),
            f"cost={plan['Total Cost']}",
            f"rows={plan['Plan Rows']}",
        )
        if part
    )
    return "\n".join([line] + [show(child, depth + 1) for child in plan.get("Plans", ())])
