"""python -m tools.bench [--scale N] [--quick]: see tools/bench/__init__.py and README "Benchmark"."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
DATA = ROOT / ".devdata" / "bench"
QUICK_SCALE = 400
# Public, like the development settings' keys: the register is invented and stays on this machine.
ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "tools.bench.settings",
    "SECRET_KEY": "bench-only-not-secret-3e1d5b0c9a7f4e2b8c6d",
    "FIELD_ENCRYPTION_KEYS": "YmVuY2gtb25seS1rZXktZG8tbm90LXVzZS0zMmJ5dGU=",
    "ALLOWED_HOSTS": "127.0.0.1",
    "LOG_LEVEL": "WARNING",
}


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def _key(scale: int, seed: int) -> str:
    from reports.bench_data import VERSION

    return f"bench_{scale}_s{seed}_v{VERSION}_{dt.date.today():%Y%m%d}"  # noqa: DTZ011 - the register's dates are relative to its day


@contextlib.contextmanager
def _servers(key: str):
    """DATABASE_URL and REDIS_URL when set, else embedded ones under .devdata/bench;
    yields the owner's and the application role's URLs."""
    sys.path.insert(0, str(ROOT))
    from devstack.__main__ import embedded_postgres, embedded_redis, superuser_role_urls

    with contextlib.ExitStack() as stack:
        if os.environ.get("DATABASE_URL"):
            url = os.environ["DATABASE_URL"]
            urls = superuser_role_urls(url) or {"owner": url, "app": url}
        else:
            urls = stack.enter_context(embedded_postgres(DATA / "pg", key, throwaway=True))
            _drop_other_registers(urls["owner"], key)
        if not os.environ.get("REDIS_URL"):
            os.environ["REDIS_URL"] = stack.enter_context(embedded_redis(DATA / "redis"))
        yield urls


def _drop_other_registers(owner_url: str, key: str) -> None:
    """The embedded server keeps one register: older ones (another scale, day or generator) go."""
    import psycopg

    host = owner_url.split("@", 1)[1].split("/", 1)[0]
    with psycopg.connect(f"postgresql://postgres@{host}/postgres", autocommit=True) as conn:
        names = [n for (n,) in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'bench\\_%'")]
        for name in names:
            if name != key:
                say(f"dropping the older register {name}")
                conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def _register(key: str, scale: int, seed: int) -> None:
    """Migrate, then build the register unless this database holds it already."""
    from django.core.management import call_command
    from django.db import connection

    from referrals.models import Referral
    from reports import bench_data

    call_command("migrate", "--no-input", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_register (key text PRIMARY KEY)")
        cursor.execute("SELECT key FROM bench_register")
        held = [k for (k,) in cursor.fetchall()]
    if key in held:
        say(f"reusing the register {key}")
        return
    if held or Referral.objects.exists():
        raise SystemExit(
            f"[bench] this database holds other records ({', '.join(held) or 'not a register'}): "
            "give an empty one in DATABASE_URL"
        )
    say(f"building the register {key} ({scale} referrals)")
    built = bench_data.build(scale, seed=seed, say=say)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_register VALUES (%s)", [key])
    say(f"built in {built.seconds:.0f} s: " + ", ".join(f"{v} {k}" for k, v in built.counts.items()))


@contextlib.contextmanager
def _gunicorn(app_url: str, port: int, workers: int):
    env = dict(os.environ, DATABASE_URL=app_url)
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    command = [gunicorn, "config.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--timeout", "120", "--log-level", "warning"]
    proc = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 - fixed command
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("[bench] gunicorn did not start")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        from devstack.__main__ import stop_process

        stop_process(proc, grace=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100_000, help="referrals in the register (default 100000)")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_SCALE} referrals and short measurements (CI)")
    parser.add_argument("--seed", type=int, default=20260)
    parser.add_argument("--seconds", type=float, default=None, help="per measurement (default 4, quick 1)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--only", choices=["pages", "background"], default=None, help="one table only (default both)")
    args = parser.parse_args(argv)
    scale = QUICK_SCALE if args.quick else args.scale
    seconds = args.seconds or (1.0 if args.quick else 4.0)

    for name, value in ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    key = _key(scale, args.seed)
    with _servers(key) as urls:
        os.environ["DATABASE_URL"] = urls["owner"]
        import django

        django.setup()

        started = time.monotonic()
        _register(key, scale, args.seed)
        ok = True
        if args.only != "background":
            ok = _pages(urls, args, seconds=seconds, scale=scale) and ok
        if args.only != "pages":
            ok = _background(quick=args.quick) and ok
        say(f"done in {time.monotonic() - started:.0f} s; " + ("every row meets its target" if ok else "rows MISS"))
        return 0 if ok else 1


def _pages(urls: dict, args: argparse.Namespace, *, seconds: float, scale: int) -> bool:
    from devstack.__main__ import _free_port
    from tools.bench import pages

    plan = pages.Plan.make()
    with _gunicorn(urls["app"], _free_port(), args.workers) as base_url:
        results, ok = pages.run(base_url, plan, seconds=seconds, most=40 if args.quick else 400, say=say)
    print()
    print(f"{scale} referrals, gunicorn {args.workers} workers, production settings; {_load()}")
    print(pages.report(results))
    return ok


def _background(*, quick: bool) -> bool:
    """The Celery sweeps and the relay, in this process (tools/bench/background.py)."""
    from tools.bench import background

    results, ok = background.run(relay_seconds=1.0 if quick else 5.0, say=say)
    print()
    print(background.table(results, active_enrolments=background.active_enrolments()))
    print()
    return ok


def _load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {one:.2f} (1 min), {five:.2f} (5 min) at the end"


if __name__ == "__main__":
    sys.exit(main())
