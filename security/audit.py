"""Offline dependency audit: installed packages against an advisory snapshot.

``make audit`` runs this with the project's interpreter. It reads
``security/advisories/pypi-osv.json`` (OSV records for the project's
dependency tree, cut from the PyPA advisory database by
``security/refresh_advisories.py``), compares every installed distribution's
version with each record's affected ranges and versions, prints the findings
and exits 1 when any installed version is affected.

A snapshot older than 30 days is reported loudly on stderr; it fails the run
(exit 2) only with ``AUDIT_STRICT_AGE=1``, so a stale snapshot is never
mistaken for a clean bill of health but does not block an offline build.

Not a resolver: it audits what is installed in this interpreter, not what
pyproject.toml would install. Standard library, ``packaging`` and nothing else.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

SNAPSHOT = Path(__file__).resolve().parent / "advisories" / "pypi-osv.json"
MAX_AGE_DAYS = 30
# The project itself is installed (editable) but is not a dependency.
SELF = {"casework"}


@dataclass(frozen=True)
class Finding:
    package: str
    installed: str
    advisory: str
    fixed: str  # "" when no fixed version is known
    aliases: tuple[str, ...] = ()


def _version(text: str) -> Version | None:
    try:
        return Version(str(text))
    except InvalidVersion:
        return None


def range_affects(events: Iterable[Mapping[str, str]], version: Version) -> tuple[bool, str]:
    """Evaluate one ECOSYSTEM range (OSV schema, "Evaluation"): the events
    sorted by version, the state after the last event at or below
    ``version`` decides. Returns (affected, the first fix above it or "")."""
    points: list[tuple[Version, str, str]] = []
    for event in events:
        for kind in ("introduced", "fixed", "last_affected"):
            if kind in event:
                raw = str(event[kind])
                parsed = Version("0") if kind == "introduced" and raw == "0" else _version(raw)
                if parsed is not None:
                    points.append((parsed, kind, raw))
    points.sort(key=lambda p: p[0])
    affected = False
    for at, kind, _raw in points:
        if kind == "introduced" and version >= at:
            affected = True
        elif kind == "fixed" and version >= at:
            affected = False
        elif kind == "last_affected" and version > at:
            affected = False
    if not affected:
        return False, ""
    fix = next((raw for at, kind, raw in points if kind == "fixed" and at > version), "")
    return True, fix


def record_affects(record: Mapping, package: str, installed: str) -> Finding | None:
    """Whether one OSV record affects ``package`` at version ``installed``."""
    if record.get("withdrawn"):
        return None
    version = _version(installed)
    name = canonicalize_name(package)
    for affected in record.get("affected", ()):
        pkg = affected.get("package", {})
        if pkg.get("ecosystem", "PyPI") != "PyPI" or canonicalize_name(pkg.get("name", "")) != name:
            continue
        hit, fix = False, ""
        listed = affected.get("versions") or ()
        if installed in listed or (version is not None and any(_version(v) == version for v in listed)):
            hit = True
        if version is not None:
            for rng in affected.get("ranges", ()):
                if rng.get("type") != "ECOSYSTEM":
                    continue
                in_range, range_fix = range_affects(rng.get("events", ()), version)
                if in_range:
                    hit, fix = True, fix or range_fix
        if hit:
            return Finding(package, installed, record.get("id", "?"), fix, tuple(record.get("aliases") or ()))
    return None


def audit(installed: Mapping[str, str], records: Iterable[Mapping]) -> list[Finding]:
    by_name = {canonicalize_name(n): (n, v) for n, v in installed.items()}
    findings = []
    for record in records:
        names = {canonicalize_name(a.get("package", {}).get("name", "")) for a in record.get("affected", ())}
        for name in sorted(names & by_name.keys()):
            finding = record_affects(record, *by_name[name])
            if finding:
                findings.append(finding)
    return sorted(findings, key=lambda f: (f.package.lower(), f.advisory))


def installed_distributions() -> dict[str, str]:
    found = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name and canonicalize_name(name) not in SELF:
            found[name] = dist.version
    return found


def load_snapshot(path: Path = SNAPSHOT) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data.get("advisories"), list) or "snapshot_date" not in data:
        raise ValueError(f"{path}: not an advisory snapshot (no advisories / snapshot_date)")
    return data


def snapshot_age(data: Mapping, now: dt.datetime | None = None) -> dt.timedelta:
    taken = dt.datetime.fromisoformat(str(data["snapshot_date"]).replace("Z", "+00:00"))
    return (now or dt.datetime.now(dt.UTC)) - taken


def staleness_warning(data: Mapping, now: dt.datetime | None = None, max_age_days: int = MAX_AGE_DAYS) -> str:
    """A loud message when the snapshot is older than ``max_age_days``, else ""."""
    age = snapshot_age(data, now)
    if age <= dt.timedelta(days=max_age_days):
        return ""
    bar = "!" * 72
    return (
        f"{bar}\n"
        f"!! WARNING: the advisory snapshot is {age.days} days old (taken {data['snapshot_date']},\n"
        f"!! limit {max_age_days} days). Advisories published since then are NOT checked.\n"
        f"!! Refresh it where there is internet: python security/refresh_advisories.py\n"
        f"{bar}"
    )


def table(findings: list[Finding]) -> str:
    rows = [("package", "installed", "advisory", "fixed in")]
    rows += [(f.package, f.installed, f.advisory, f.fixed or "-") for f in findings]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None, now: dt.datetime | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snapshot", type=Path, default=SNAPSHOT)
    parser.add_argument("--max-age-days", type=int, default=MAX_AGE_DAYS)
    args = parser.parse_args(argv)

    data = load_snapshot(args.snapshot)
    installed = installed_distributions()
    findings = audit(installed, data["advisories"])
    print(
        f"Audited {len(installed)} installed distributions against {len(data['advisories'])} advisories "
        f"(snapshot {data['snapshot_date']}, {data.get('source', '?')})."
    )
    if findings:
        print(table(findings))
        print(f"{len(findings)} finding(s) in {len({f.package for f in findings})} package(s).")
    else:
        print("No installed version is affected by an advisory in the snapshot.")

    status = 1 if findings else 0
    warning = staleness_warning(data, now, args.max_age_days)
    if warning:
        print(warning, file=sys.stderr)
        if os.environ.get("AUDIT_STRICT_AGE") == "1":
            status = status or 2
    return status


if __name__ == "__main__":
    sys.exit(main())
