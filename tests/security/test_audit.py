"""security/audit.py: the offline dependency audit behind `make audit`."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from security import audit


def record(events=None, versions=None, name="example-pkg", rid="TEST-1"):
    affected = {"package": {"ecosystem": "PyPI", "name": name}}
    if events is not None:
        affected["ranges"] = [{"type": "ECOSYSTEM", "events": events}]
    if versions is not None:
        affected["versions"] = versions
    return {"id": rid, "affected": [affected]}


INTRODUCED_FIXED = record([{"introduced": "0"}, {"fixed": "1.4.2"}])
# Two branches, listed out of order as in the PyPA database.
TWO_BRANCHES = record([{"introduced": "5.0"}, {"fixed": "5.0.8"}, {"introduced": "4.2"}, {"fixed": "4.2.15"}])
LAST_AFFECTED = record([{"introduced": "2.0"}, {"last_affected": "2.3.1"}])


@pytest.mark.parametrize(
    ("rec", "version", "fixed"),
    [
        (INTRODUCED_FIXED, "1.4.1", "1.4.2"),
        (INTRODUCED_FIXED, "0.1", "1.4.2"),
        (TWO_BRANCHES, "4.2.14", "4.2.15"),
        (TWO_BRANCHES, "5.0", "5.0.8"),
        (LAST_AFFECTED, "2.3.1", ""),
        (LAST_AFFECTED, "2.0", ""),
        (record(versions=["3.1", "3.1.1"]), "3.1.1", ""),
    ],
)
def test_it_reports_an_affected_version(rec, version, fixed):
    finding = audit.record_affects(rec, "Example_Pkg", version)
    assert finding == audit.Finding("Example_Pkg", version, "TEST-1", fixed)


@pytest.mark.parametrize(
    ("rec", "version"),
    [
        (INTRODUCED_FIXED, "1.4.2"),
        (INTRODUCED_FIXED, "2.0"),
        (TWO_BRANCHES, "4.1.9"),
        (TWO_BRANCHES, "4.2.15"),
        (TWO_BRANCHES, "5.0.8"),
        (TWO_BRANCHES, "5.1"),
        (LAST_AFFECTED, "1.9"),
        (LAST_AFFECTED, "2.3.2"),
        (record(versions=["3.1", "3.1.1"]), "3.1.2"),
    ],
)
def test_it_passes_a_version_outside_the_ranges(rec, version):
    assert audit.record_affects(rec, "example-pkg", version) is None


def test_it_ignores_other_packages_and_withdrawn_records():
    assert audit.record_affects(INTRODUCED_FIXED, "other-pkg", "1.0") is None
    assert audit.record_affects({**INTRODUCED_FIXED, "withdrawn": "2024-01-01T00:00:00Z"}, "example-pkg", "1.0") is None


def test_audit_lists_findings_by_package():
    records = [INTRODUCED_FIXED, record([{"introduced": "0"}, {"fixed": "9"}], name="zeta", rid="TEST-2")]
    findings = audit.audit({"zeta": "1.0", "Example.Pkg": "1.0", "unrelated": "1.0"}, records)
    assert [(f.package, f.advisory, f.fixed) for f in findings] == [
        ("Example.Pkg", "TEST-1", "1.4.2"),
        ("zeta", "TEST-2", "9"),
    ]
    assert "Example.Pkg  1.0        TEST-1    1.4.2" in audit.table(findings)


def _snapshot(tmp_path, date, records=()):
    path = tmp_path / "snap.json"
    path.write_text(json.dumps({"source": "test", "snapshot_date": date, "packages": {}, "advisories": list(records)}))
    return path


NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def test_a_fresh_snapshot_gives_no_warning(tmp_path):
    data = audit.load_snapshot(_snapshot(tmp_path, "2026-02-15T00:00:00+00:00"))
    assert audit.staleness_warning(data, NOW) == ""


def test_a_stale_snapshot_warns_loudly_but_passes_unless_strict(tmp_path, capsys, monkeypatch):
    path = _snapshot(tmp_path, "2026-01-01T00:00:00Z")
    monkeypatch.delenv("AUDIT_STRICT_AGE", raising=False)
    monkeypatch.setattr(audit, "installed_distributions", lambda: {"example-pkg": "2.0"})
    assert audit.main(["--snapshot", str(path)], now=NOW) == 0
    err = capsys.readouterr().err
    assert "WARNING: the advisory snapshot is 59 days old" in err

    monkeypatch.setenv("AUDIT_STRICT_AGE", "1")
    assert audit.main(["--snapshot", str(path)], now=NOW) == 2


def test_it_exits_non_zero_on_a_finding(tmp_path, capsys, monkeypatch):
    path = _snapshot(tmp_path, "2026-02-28T00:00:00Z", [INTRODUCED_FIXED])
    monkeypatch.setattr(audit, "installed_distributions", lambda: {"example-pkg": "1.0"})
    assert audit.main(["--snapshot", str(path)], now=NOW) == 1
    out = capsys.readouterr().out
    assert "example-pkg  1.0        TEST-1    1.4.2" in out


def test_the_committed_snapshot_parses_and_covers_the_pins():
    data = audit.load_snapshot()
    dt.datetime.fromisoformat(data["snapshot_date"])
    assert {"Django", "djangorestframework", "cryptography"} <= set(data["packages"])
    assert data["advisories"], "the snapshot should hold the dependency tree's past advisories"
    for rec in data["advisories"]:
        assert rec["id"] and rec["affected"]
        for affected in rec["affected"]:
            for rng in affected.get("ranges", ()):
                audit.range_affects(rng["events"], audit.Version("1.0"))
