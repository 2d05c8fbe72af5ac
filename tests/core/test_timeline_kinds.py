"""The timeline's kinds are declared in code, by the app that writes them
(core.timeline): every kind written has a label, and a new kind is not a
migration."""

from __future__ import annotations

import ast
import pathlib

import pytest
from django.core.exceptions import ImproperlyConfigured

from core import timeline
from core.models import TimelineEntry

ROOT = pathlib.Path(__file__).resolve().parents[2]
APPS = ["referrals", "casework", "programmes", "outcomes"]


@pytest.fixture
def own_registry(monkeypatch):
    """Kinds declared by a test are forgotten after it."""
    monkeypatch.setattr(timeline, "_KINDS", dict(timeline._KINDS))


def _kinds_written_in(app: str) -> set[str]:
    """Names used as ``kind=<module>.<NAME>`` in the app's code."""
    names = set()
    for path in (ROOT / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.keyword) and node.arg == "kind" and isinstance(node.value, ast.Attribute):
                names.add(node.value.attr)
    return names


@pytest.mark.parametrize("app", APPS)
def test_every_kind_an_app_writes_is_declared_with_a_label(app):
    """GIVEN the app's services WHEN they write a timeline entry THEN its kind is declared, with a label."""
    declared = {str(k): k for k in timeline.declared_kinds()}
    module = __import__(f"{app}.timeline", fromlist=["timeline"])
    for name in _kinds_written_in(app) & set(vars(module)):
        code = getattr(module, name)
        assert code in declared, name
        assert str(declared[code].label) and str(declared[code].label) != code


def test_the_kind_column_has_no_choices():
    """A kind added in code must not ask for a migration."""
    assert not TimelineEntry._meta.get_field("kind").choices


def test_a_kind_declared_at_runtime_is_written_and_shown_without_a_migration(own_registry, db, users, referral):
    new = timeline.kind("test_kind_without_migration", "Something new happened")
    entry = timeline.timeline_add(referral=referral, by=users["psychologist"], kind=new)
    entry.refresh_from_db()
    assert (entry.kind, str(entry.kind_label)) == ("test_kind_without_migration", "Something new happened")


def test_an_undeclared_kind_is_refused(db, users, referral):
    with pytest.raises(ValueError, match="not declared"):
        timeline.timeline_add(referral=referral, by=users["psychologist"], kind="no_such_kind")


def test_one_code_cannot_be_declared_with_two_labels(own_registry):
    timeline.kind("test_declared_twice", "First")
    with pytest.raises(ImproperlyConfigured):
        timeline.kind("test_declared_twice", "Second")


def test_the_police_see_the_course_of_their_referral_not_the_work():
    police = timeline.referrer_kinds()
    assert {"referral_received", "accepted", "declined", "case_opened", "enrolled", "discharged"} <= police
    assert not police & {"intake_recorded", "risk_assessed", "survivor_contacted", "safety_plan_updated"}


def test_an_entry_of_a_kind_since_removed_shows_its_code():
    assert timeline.label_for("a_kind_removed_long_ago") == "a_kind_removed_long_ago"
