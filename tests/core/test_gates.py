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


def test_the_baseline_counts_each_error_by_code_and_message(baseline):
    assert mypy_baseline.read_baseline(baseline) == {
        '[arg-type] Argument 1 to "f" has incompatible type "int"; expected "str"': 2,
        '[var-annotated] Need type annotation for "rows"': 1,
    }


def test_it_passes_when_the_errors_are_those_recorded(tmp_path, baseline, capsys):
    assert run(tmp_path, baseline, MYPY_OUTPUT) == 0
    assert "3 errors, all in the baseline" in capsys.readouterr().out


def test_moving_an_error_to_another_line_file_or_app_is_not_a_new_error(tmp_path, baseline):
    moved = MYPY_OUTPUT.replace("services.py:122", "acting.py:7")
    moved = moved.replace("programmes/services/groups.py:9:5", "core/x.py:3")
    assert run(tmp_path, baseline, moved) == 0


def test_a_line_number_in_the_message_is_not_part_of_the_entry():
    assert mypy_baseline.entry('a/b.py:190: error: Name "covered" already defined on line 148  [no-redef]') == (
        '[no-redef] Name "covered" already defined on line N'
    )


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
    assert '1x [var-annotated] Need type annotation for "rows"' in out


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
        assert re.match(r"\[[a-z-]+\] \S", key), key


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


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(requirements: list[str]) -> dict[str, str]:
    """``name==version`` requirements of pyproject.toml, by canonical name (extras dropped)."""
    found = {}
    for requirement in requirements:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s;]+)", requirement.strip())
        assert match, f"pyproject.toml pins every dependency with ==: {requirement}"
        found[canonical(match[1])] = match[2]
    return found


def locked(path: Path) -> dict[str, str]:
    text = path.read_text()
    assert "--hash=sha256:" in text, f"{path.name} carries no hashes"
    return {canonical(name): version for name, version in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.M)}


@pytest.fixture(scope="module")
def project():
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_the_image_lock_pins_every_runtime_dependency_at_its_version(project):
    runtime = pins(project["dependencies"])
    lock = locked(ROOT / "requirements.lock")
    assert {name: lock.get(name) for name in runtime} == runtime, "run `make lock`"


def test_the_dev_lock_pins_every_dependency_and_extra_at_its_version(project):
    declared = pins(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        declared |= pins(extra)
    lock = locked(ROOT / "requirements-dev.lock")
    assert {name: lock.get(name) for name in declared} == declared, "run `make lock`"


def test_the_image_runs_what_development_and_ci_tested():
    dev = locked(ROOT / "requirements-dev.lock")
    image = locked(ROOT / "requirements.lock")
    assert {name: dev.get(name) for name in image} == image


def test_make_installs_from_the_lock_and_the_image_too():
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes --no-deps -r $(LOCK)" in makefile
    assert re.search(r"^LOCK := requirements-dev\.lock$", makefile, re.M)
    assert "pip install --require-hashes --no-deps -r requirements.lock" in (ROOT / "Dockerfile").read_text()


def test_pre_commit_runs_the_fast_gates_from_the_project_virtualenv():
    import yaml

    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    assert [repo["repo"] for repo in config["repos"]] == ["local"], "hooks must not be downloaded"
    hooks = {hook["id"]: hook for hook in config["repos"][0]["hooks"]}
    assert {"ruff-check", "ruff-format", "import-contracts", "migrations-check", "typecheck"} <= set(hooks)
    assert all(hook["language"] == "system" for hook in hooks.values())
    assert "tools/mypy_baseline.py" in hooks["typecheck"]["entry"]
    assert "makemigrations --check" in hooks["migrations-check"]["entry"]
