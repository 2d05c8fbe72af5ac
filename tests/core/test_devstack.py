"""`python -m devstack exec` starts embedded PostgreSQL and Redis when nothing is configured."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parents[2]
PRINT_URLS = "import os; print(os.environ['DATABASE_URL']); print(os.environ['REDIS_URL'])"
PRINT_ROLES = (
    "import os, psycopg; "
    "print(os.environ['DATABASE_APP_URL']); "
    "c = psycopg.connect(os.environ['DATABASE_APP_URL']); "
    "print(c.execute('SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user').fetchone()); "
    "o = psycopg.connect(os.environ['DATABASE_URL']); "
    "print(o.execute('SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()')"
    ".fetchone()); "
    "print([o.execute(f'SHOW {s}').fetchone()[0] for s in ('fsync', 'synchronous_commit', 'full_page_writes')])"
)


def _devstack(env: dict[str, str], script: str = PRINT_URLS) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "devstack", "exec", "--", sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_it_starts_embedded_servers_when_no_urls_are_set():
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    result = _devstack(env)
    assert result.returncode == 0, result.stderr
    database_url, redis_url = result.stdout.strip().splitlines()[-2:]
    db = urlparse(database_url)
    # The test runner logs in as the owner role (it creates and migrates the
    # test database); the application role's URL is passed along.
    assert (db.scheme, db.username, db.path) == ("postgresql", "casework_owner", "/casework")
    socket_dir = Path(unquote(db.netloc.split("@", 1)[1]))
    assert str(socket_dir).startswith("/"), database_url  # a Unix socket, not a TCP address
    assert "[devstack] embedded PostgreSQL at" in result.stdout
    assert redis_url.startswith("redis://127.0.0.1:")
    # The servers stopped and their temporary directory is gone.
    assert not socket_dir.exists()


def test_the_embedded_database_has_an_owner_role_and_an_application_role():
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DATABASE_APP_URL"}}
    result = _devstack(env, PRINT_ROLES)
    assert result.returncode == 0, result.stderr
    app_url, app_login, database_owner, durability = result.stdout.strip().splitlines()[-4:]
    assert urlparse(app_url).username == "casework_app"
    assert app_login == "('casework_app', False)"
    assert database_owner == "('casework_owner',)"
    # exec's server lives in a temporary directory removed afterwards: it
    # does not wait for the disk (`make test` runs faster).
    assert durability == "['off', 'off', 'off']"


def test_it_starts_nothing_when_urls_are_set():
    env = dict(os.environ, DATABASE_URL="postgresql://u@db.invalid/x", REDIS_URL="redis://redis.invalid:6379/3")
    result = _devstack(env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["postgresql://u@db.invalid/x", "redis://redis.invalid:6379/3"]


def test_sigterm_stops_the_embedded_servers():
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    script = "import os, time; print(os.environ['DATABASE_URL'], flush=True); time.sleep(60)"
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "devstack", "exec", "--", sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = ""
        while not line.startswith("postgresql://"):
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
        socket_dir = Path(unquote(urlparse(line.strip()).netloc.split("@", 1)[1]))
        assert (socket_dir / "postmaster.pid").exists()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert not socket_dir.exists()
