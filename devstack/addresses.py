"""The addresses of the servers a running ``make run`` uses, for a second terminal.

``make run`` (``python -m devstack run``) records the database and Redis URLs
its web, worker and beat use in ``.devdata/services.json`` once the database
is migrated, and removes the file when it stops. The development settings
read it for whatever the environment does not set, so that
``manage.py demo_totp`` or ``create_api_token`` in another terminal reach the
embedded servers with nothing exported. A record whose ``make run`` is gone
(killed without a chance to clean up) is ignored.

Only the standard library: the development settings import this module, and
devstack must not import the ``config`` package (its Celery app would set
DJANGO_SETTINGS_MODULE for every command devstack starts).
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

FILE = Path(__file__).resolve().parent.parent / ".devdata" / "services.json"
# The environment variables a record may fill in.
NAMES = ("DATABASE_URL", "REDIS_URL")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def record(*, urls: dict[str, str], path: Path | None = None, pid: int | None = None) -> None:
    """Write the URLs (only NAMES are kept) with this process's id, readable
    by its owner only: a configured URL may carry a password."""
    path = path or FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"pid": pid or os.getpid(), "urls": {name: urls[name] for name in NAMES if urls.get(name)}}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(body, fh)


def forget(*, path: Path | None = None, pid: int | None = None) -> None:
    """Remove the record if it is this process's (a later ``make run`` may
    have replaced it)."""
    path = path or FILE
    with contextlib.suppress(FileNotFoundError, ValueError, OSError):
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == (pid or os.getpid()):
            path.unlink()


def recorded(*, path: Path | None = None) -> dict[str, str]:
    """The recorded URLs while the ``make run`` that wrote them runs, else {}."""
    path = path or FILE
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    pid = body.get("pid") if isinstance(body, dict) else None
    urls = body.get("urls") if isinstance(body, dict) else None
    if not isinstance(pid, int) or not isinstance(urls, dict) or not _alive(pid):
        return {}
    return {name: urls[name] for name in NAMES if isinstance(urls.get(name), str)}
