"""Rewrite the advisory snapshot that ``make audit`` reads (needs internet,
or a local copy of the PyPA advisory database).

    .venv/bin/python security/refresh_advisories.py                 # download OSV's PyPI export
    .venv/bin/python security/refresh_advisories.py PATH            # a clone of pypa/advisory-database
                                                                    # (work tree or bare), or all.zip
    make audit-refresh                                              # the first form

It keeps only the records that name a distribution installed in this
interpreter (the project's dependency tree: run it with ``.venv/bin/python``
after ``make run`` or ``make test`` has installed the pins) and writes
``security/advisories/pypi-osv.json`` with the snapshot's date: the advisory
repository's last commit date, or for the OSV export the newest
``modified`` among its records. Commit the result; ``make audit`` warns when
it is older than 30 days.

Not the audit itself (``security/audit.py``), and it never upgrades anything.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import shutil
import subprocess
import sys
import urllib.request
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import yaml
from packaging.utils import canonicalize_name

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from security.audit import SNAPSHOT, installed_distributions  # noqa: E402

OSV_EXPORT = "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip"


def _names(record: dict) -> set[str]:
    return {
        canonicalize_name(a.get("package", {}).get("name", ""))
        for a in record.get("affected", ())
        if a.get("package", {}).get("ecosystem", "PyPI") == "PyPI"
    }


def _git(repo: Path, *args: str, data: bytes | None = None) -> bytes:
    git = shutil.which("git") or "git"
    # Fixed git sub-commands on the path the operator named; no shell.
    return subprocess.run([git, "-C", str(repo), *args], input=data, capture_output=True, check=True).stdout  # noqa: S603


def from_git(repo: Path, wanted: set[str]) -> tuple[list[dict], str, str]:
    """Records under vulns/<package>/ at HEAD of a git clone (no work tree needed)."""
    date = _git(repo, "log", "-1", "--format=%cI", "HEAD").decode().strip()
    commit = _git(repo, "rev-parse", "HEAD").decode().strip()
    dirs = _git(repo, "ls-tree", "--name-only", "HEAD", "vulns/").decode().split()
    keep = [d for d in dirs if canonicalize_name(d.removeprefix("vulns/")) in wanted]
    paths = _git(repo, "ls-tree", "-r", "--name-only", "HEAD", *keep).decode().split() if keep else []
    paths = [p for p in paths if p.endswith((".yaml", ".yml", ".json"))]
    records = []
    if paths:
        out = _git(repo, "cat-file", "--batch", data="".join(f"HEAD:{p}\n" for p in paths).encode())
        stream = io.BytesIO(out)
        for _ in paths:
            header = stream.readline().split()
            body = stream.read(int(header[2]))
            stream.read(1)  # the newline after each object
            # BaseLoader builds only str/list/dict: versions such as 5.0 stay strings.
            records.append(yaml.load(body, Loader=yaml.BaseLoader))  # noqa: S506 # nosec B506
    return records, date, f"pypa/advisory-database@{commit}"


def from_zip(blob: bytes, wanted: set[str]) -> tuple[list[dict], str, str]:
    records, newest = [], ""
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        for name in archive.namelist():
            record = json.loads(archive.read(name))
            newest = max(newest, str(record.get("modified", "")))
            if _names(record) & wanted:
                records.append(record)
    return records, newest, OSV_EXPORT


def _records(source: str | None, wanted: set[str]) -> tuple[list[dict], str, str]:
    if source is None:  # a fixed https URL
        with urllib.request.urlopen(OSV_EXPORT, timeout=300) as response:  # noqa: S310 # nosec B310
            return from_zip(response.read(), wanted)
    path = Path(source)
    if path.is_file():
        return from_zip(path.read_bytes(), wanted)
    return from_git(path, wanted)


def _dedupe(records: Iterable[dict]) -> Iterator[dict]:
    seen = set()
    for record in records:
        if record.get("id") not in seen:
            seen.add(record.get("id"))
            yield record


def build(source: str | None) -> dict:
    installed = installed_distributions()
    wanted = {canonicalize_name(n) for n in installed}
    records, date, origin = _records(source, wanted)
    records = sorted(_dedupe(records), key=lambda r: (sorted(_names(r) & wanted), r.get("id", "")))
    return {
        "source": origin,
        "snapshot_date": date,
        "generated": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "packages": {name: installed[name] for name in sorted(installed, key=str.lower)},
        "advisories": records,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", help="clone of pypa/advisory-database or all.zip (default: download)")
    parser.add_argument("--output", type=Path, default=SNAPSHOT)
    args = parser.parse_args(argv)
    data = build(args.source)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"Wrote {args.output}: {len(data['advisories'])} advisories for {len(data['packages'])} "
        f"distributions, snapshot {data['snapshot_date']} ({data['source']})."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
