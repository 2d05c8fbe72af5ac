"""The fault suite runs only with ``-m faults`` (``make faults``). It needs
no pytest-django test database: it creates its own, which its worker
processes can see."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from tests.faults.harness import Database, Outcome, RedisServer, child_env, driver, manage

RESULTS: list[Outcome] = []


@pytest.fixture(scope="session")
def django_db_setup():
    """No test database for this suite (see ``stack``)."""


@pytest.fixture(scope="session")
def stack():
    """Its own Redis on a spare port, a dedicated database migrated and
    loaded with one case, and a directory for the sinks and logs."""
    server_url = os.environ.get("DATABASE_URL")
    if not server_url:
        pytest.fail("DATABASE_URL must name a PostgreSQL server (make faults sets it)")
    keep = os.environ.get("FAULTS_KEEP_DIR")  # keep the logs and sinks for a look afterwards
    with tempfile.TemporaryDirectory(prefix="casework-faults-") as tmp:
        workdir = Path(keep) if keep else Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        redis = RedisServer(workdir / "redis-data")
        db = Database(server_url)
        redis.start()
        db.create()
        try:
            env = child_env(db, redis, workdir)
            manage(env, "migrate", "--no-input", "-v", "0")
            world = driver(env, "world")
            out, err = world.communicate(timeout=120)
            assert world.returncode == 0, err[-3000:]
            yield {"redis": redis, "db": db, "workdir": workdir}
        finally:
            redis.kill()
            db.drop()


def pytest_terminal_summary(terminalreporter):
    if not RESULTS:
        return
    terminalreporter.section("safety notification fault injection")
    for number in sorted({outcome.run for outcome in RESULTS}):
        terminalreporter.write_line(f"run {number}")
        terminalreporter.write_line(Outcome.HEADER)
        for outcome in RESULTS:
            if outcome.run == number:
                terminalreporter.write_line(outcome.line())
    bad = [o for o in RESULTS if o.lost or o.duplicated or (o.worst_after_redis or 0) >= 30]
    worst = max((o.worst_after_redis for o in RESULTS if o.worst_after_redis is not None), default=None)
    terminalreporter.write_line(
        f"{len(RESULTS)} runs: {sum(o.lost for o in RESULTS)} lost, {sum(o.duplicated for o in RESULTS)} duplicated, "
        f"{len(bad)} failing; worst delay after Redis returns: " + ("-" if worst is None else f"{worst:.1f}s")
    )
