"""Migrations carry their own data: a migration written today must give the
same database in a year, whatever the live code has become by then.

A migration may name a field class or a default the way Django writes it
(``import core.crypto``), and may load data from a module of its own
migrations package (``<app>/migrations/_shipped_*.py``); it never imports
anything else of the project, at the top or inside its functions."""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PROJECT = {p.parent.name for p in ROOT.glob("*/apps.py")} | {"config"}
MIGRATIONS = sorted(p for p in ROOT.glob("*/migrations/[0-9]*.py"))


def wrong_imports(path: pathlib.Path) -> list[str]:
    app = path.parent.parent.name
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            top = node.module.split(".")[0]
            if top in PROJECT and not node.module.startswith(f"{app}.migrations._"):
                found.append(f"line {node.lineno}: from {node.module} import ...")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in PROJECT and node not in tree.body:
                    found.append(f"line {node.lineno}: import {alias.name} inside a function")
    return found


def test_there_are_migrations_to_check():
    assert len(MIGRATIONS) > 20


@pytest.mark.parametrize("path", MIGRATIONS, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_a_migration_imports_no_live_code(path):
    assert wrong_imports(path) == []


def test_the_check_sees_an_import_of_live_code(tmp_path):
    """The check itself can fail: a data migration calling a live loader."""
    migration = tmp_path / "outcomes" / "migrations" / "0099_bad.py"
    migration.parent.mkdir(parents=True)
    migration.write_text("def forwards(apps, schema_editor):\n    from outcomes.shipped import SHIPPED\n")
    assert wrong_imports(migration) == ["line 2: from outcomes.shipped import ..."]
