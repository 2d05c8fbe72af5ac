"""A manage.py command in a second terminal finds the servers of a running
`make run` (devstack/addresses.py, config/settings/development.py)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from devstack import __main__ as devstack
from devstack import addresses

ROOT = Path(__file__).resolve().parents[2]
DB = "postgresql://casework_app@%2Ftmp%2Fpg:5432/casework"
REDIS = "redis://127.0.0.1:40111/0"
# The development settings, with the record read from a file of the test's.
PRINT_SETTINGS = (
    "import pathlib, sys; from devstack import addresses; addresses.FILE = pathlib.Path(sys.argv[1]); "
    "from config.settings import development as s; "
    "d = s.DATABASES['default']; print(d['USER'], d['HOST'], d['PORT']); print(s.REDIS_URL)"
)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])  # noqa: S603
    proc.wait()
    return proc.pid


def _development_settings(record: Path, **env: str) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", PRINT_SETTINGS, str(record)],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()


def test_a_record_of_a_running_make_run_is_read(tmp_path):
    path = tmp_path / "services.json"
    addresses.record(urls={"DATABASE_URL": DB, "REDIS_URL": REDIS, "SECRET_KEY": "x"}, path=path)
    assert addresses.recorded(path=path) == {"DATABASE_URL": DB, "REDIS_URL": REDIS}
    # A configured URL may carry a password: the owner alone reads the file.
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_record_whose_make_run_is_gone_is_ignored(tmp_path):
    path = tmp_path / "services.json"
    addresses.record(urls={"DATABASE_URL": DB, "REDIS_URL": REDIS}, path=path, pid=_dead_pid())
    assert addresses.recorded(path=path) == {}


@pytest.mark.parametrize("body", ["", "not json", "[]", '{"pid": "1", "urls": {}}', '{"pid": 1}'])
def test_a_missing_or_broken_record_is_ignored(tmp_path, body):
    path = tmp_path / "services.json"
    assert addresses.recorded(path=path) == {}
    path.write_text(body)
    assert addresses.recorded(path=path) == {}


def test_forget_removes_only_its_own_record(tmp_path):
    path = tmp_path / "services.json"
    addresses.record(urls={"DATABASE_URL": DB}, path=path, pid=os.getpid() + 1)
    addresses.forget(path=path)
    assert path.exists()  # a later make run's record stays
    addresses.record(urls={"DATABASE_URL": DB}, path=path)
    addresses.forget(path=path)
    assert not path.exists()


def test_development_settings_use_the_recorded_servers(tmp_path):
    path = tmp_path / "services.json"
    addresses.record(urls={"DATABASE_URL": DB, "REDIS_URL": REDIS}, path=path)
    assert _development_settings(path) == ["casework_app /tmp/pg 5432", REDIS]


def test_the_environment_wins_over_the_record(tmp_path):
    path = tmp_path / "services.json"
    addresses.record(urls={"DATABASE_URL": DB, "REDIS_URL": REDIS}, path=path)
    lines = _development_settings(path, DATABASE_URL="postgresql://me@db.example:6543/x")
    assert lines == ["me db.example 6543", REDIS]


def test_without_a_live_record_the_development_defaults_apply(tmp_path):
    path = tmp_path / "services.json"
    addresses.record(urls={"DATABASE_URL": DB, "REDIS_URL": REDIS}, path=path, pid=_dead_pid())
    assert _development_settings(path) == ["postgres 127.0.0.1 5432", "redis://127.0.0.1:6379/0"]


def test_make_run_starts_web_worker_and_beat_with_development_settings(monkeypatch):
    # The WSGI and Celery apps default to production settings.
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)
    env = devstack._run_env(8765)
    assert (env["DJANGO_SETTINGS_MODULE"], env["PORT"]) == ("config.settings.development", "8765")
    procfile = (ROOT / "Procfile.dev").read_text().splitlines()
    assert {line.split(":", 1)[0] for line in procfile} == {"web", "worker", "beat"}
    for line in procfile:
        assert "DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-config.settings.development} " in line


@pytest.mark.parametrize("module", ["config.wsgi", "config.celery_app"])
def test_the_wsgi_and_celery_apps_default_to_production_settings(module):
    script = f"import {module}; from django.conf import settings; settings.SECRET_KEY"
    unset = {"DJANGO_SETTINGS_MODULE", "FIELD_ENCRYPTION_KEYS", "DEBUG"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-W", "ignore", "-c", script],
        cwd=ROOT,
        env=clean | {"SECRET_KEY": "s" * 50, "ALLOWED_HOSTS": "casework.example.org"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    # The production settings refuse to start without FIELD_ENCRYPTION_KEYS;
    # the development ones would have used their public key.
    assert result.returncode == 1
    assert "FIELD_ENCRYPTION_KEYS must be set in production" in result.stderr
