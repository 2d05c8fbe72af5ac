"""The gates CI runs: .ci/run is `make ci`, and the mypy baseline may only shrink."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tools import mypy_baseline

ROOT = Path(__file__).resolve().parents[2]

MYPY_OUTPUT = """\
accounts/services.py:122: error: Argument 1 to "f" has incompatible type "int"; expected "str"  [arg-type]
accounts/services.py:130: error: Argument 1 to "f" has incompatible type "int"; expected "str"  [arg-type]
programmes/services/groups.py:9:5: error: Need type annotation for "rows"  [var-annotated]
programmes/services/groups.py:9: note: See https://mypy.readthedocs.io
"""


@pytest.fixture
def baseline(tmp_path):
    path = tmp_path / "typecheck-baseline.txt"
    mypy_baseline.write_baseline(mypy_baseline.entries(MYPY_OUTPUT), path)
    return path


def run(tmp_path, baseline, output: str) -> int:
    report = tmp_path / "mypy.txt"
    report.write_text(output)
    return mypy_baseline.main(["--baseline", str(baseline), "--output", str(report)])


def test_the_baseline_counts_each_error_by_app_code_and_message(baseline):
    assert mypy_baseline.read_baseline(baseline) == {
        'accounts\t[arg-type] Argument 1 to "f" has incompatible type "int"; expected "str"': 2,
        'programmes\t[var-annotated] Need type annotation for "rows"': 1,
    }


def test_it_passes_when_the_errors_are_those_recorded(tmp_path, baseline, capsys):
    assert run(tmp_path, baseline, MYPY_OUTPUT) == 0
    assert "3 errors, all in the baseline" in capsys.readouterr().out


def test_moving_an_error_within_its_app_is_not_a_new_error(tmp_path, baseline):
    moved = MYPY_OUTPUT.replace("services.py:122", "acting.py:7").replace("groups.py:9:5", "sessions.py:300:1")
    assert run(tmp_path, baseline, moved) == 0


def test_it_fails_on_a_new_error_and_names_it(tmp_path, baseline, capsys):
    new = 'casework/views.py:3: error: Incompatible return value type (got "None", expected "int")  [return-value]\n'
    assert run(tmp_path, baseline, MYPY_OUTPUT + new) == 1
    out = capsys.readouterr().out
    assert "new mypy errors" in out
    assert "casework/views.py:3: error: Incompatible return value type" in out


def test_one_more_of_a_recorded_error_is_a_new_error(tmp_path, baseline, capsys):
    again = 'accounts/views.py:1: error: Argument 1 to "f" has incompatible type "int"; expected "str"  [arg-type]\n'
    assert run(tmp_path, baseline, MYPY_OUTPUT + again) == 1
    assert "new mypy errors" in capsys.readouterr().out


def test_it_fails_while_a_fixed_error_is_still_recorded(tmp_path, baseline, capsys):
    fixed = "\n".join(line for line in MYPY_OUTPUT.splitlines() if "rows" not in line)
    assert run(tmp_path, baseline, fixed) == 1
    out = capsys.readouterr().out
    assert "make typecheck-baseline" in out
    assert 'programmes: [var-annotated] Need type annotation for "rows"' in out


def test_update_rewrites_the_baseline_to_what_mypy_reports(tmp_path, baseline):
    fixed = "\n".join(line for line in MYPY_OUTPUT.splitlines() if "rows" not in line)
    report = tmp_path / "mypy.txt"
    report.write_text(fixed)
    assert mypy_baseline.main(["--baseline", str(baseline), "--output", str(report), "--update"]) == 0
    assert sum(mypy_baseline.read_baseline(baseline).values()) == 2
    assert run(tmp_path, baseline, fixed) == 0


def test_the_recorded_baseline_is_well_formed():
    recorded = mypy_baseline.read_baseline()
    assert recorded, "typecheck-baseline.txt is missing or empty"
    for key in recorded:
        app, message = key.split("\t")
        assert (ROOT / app).is_dir(), f"baseline entry for an app that does not exist: {key}"
        assert re.match(r"\[[a-z-]+\] ", message)


def make_target(name: str) -> list[str]:
    """The prerequisites of a Makefile target."""
    match = re.search(rf"^{re.escape(name)}:(.*)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert match, f"no `{name}` target in the Makefile"
    return match[1].split()


def test_ci_runs_make_ci():
    commands = [
        line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")
    ]
    assert "make ci" in commands


def test_make_ci_runs_every_gate_then_the_whole_suite():
    assert make_target("ci") == ["lint", "migrations-check", "check-deploy", "typecheck", "test"]
    assert "--fail-level WARNING" in (ROOT / "Makefile").read_text()
