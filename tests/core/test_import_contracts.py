"""The import contract in pyproject.toml ([tool.importlinter]): apps depend
one way. The contract is run here as well as by `make lint`, so a wrong-way
import fails the suite too."""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
LINT_IMPORTS = pathlib.Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed")


def lint_imports(cwd: pathlib.Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own venv's lint-imports, fixed arguments
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


def test_the_apps_depend_one_way():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "Apps depend one way KEPT" in result.stdout


def test_a_wrong_way_import_breaks_the_contract(tmp_path):
    """GIVEN a copy of the project WHEN casework imports notifications (an app
    above it) THEN the contract is broken and names the import."""
    copy = tmp_path / "project"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(".venv", ".git", "node_modules", "staticfiles", ".devdata", "tests", "*.pyc"),
    )
    services = copy / "casework" / "services.py"
    services.write_text(services.read_text() + "\nfrom notifications.models import SafetyEvent  # noqa\n")
    result = lint_imports(copy)
    assert result.returncode != 0
    assert "casework is not allowed to import notifications" in result.stdout
    assert "casework.services -> notifications.models" in result.stdout
