"""Survivor data and therapy records are read through selectors that log the
read themselves: one read-log row per read, with the reader and the record;
a reader who may not see it gets 404 and no row. Views never write the
read log by hand."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.http import Http404

from accounts.scope import Scope
from casework.selectors import case_therapy_records, safety_plan_for, survivor_record
from casework.services import safety_plan_save, survivor_contact_log
from core.models import SensitiveRead
from outcomes.selectors import case_results_for, survivor_results_for
from referrals.selectors import survivors_entered_by_me
from tests.casework.conftest import plan_data

pytestmark = pytest.mark.django_db

RT = SensitiveRead.RecordType


def _reads():
    return list(SensitiveRead.objects.values_list("user_id", "record_type", "record_id", "view"))


def _scope(users, key):
    return Scope.for_user(users[key])


@pytest.fixture
def survivor(case_with_service):
    return case_with_service.referral.survivors.get()


def test_therapy_records_are_one_logged_read(users, case):
    intake, assessments = case_therapy_records(_scope(users, "psychologist"), case, via="casework:case_detail")
    assert intake is not None and intake.case == case
    assert len(assessments) == 1
    assert _reads() == [(users["psychologist"].pk, RT.THERAPY_NOTES, case.pk, "casework:case_detail")]


@pytest.mark.parametrize("key", ["manager", "other_psychologist", "survivor_worker", "police"])
def test_therapy_records_are_404_and_unlogged_for_anyone_else(users, case, key):
    with pytest.raises(Http404):
        case_therapy_records(_scope(users, key), case, via="casework:case_detail")
    assert _reads() == []


def test_her_record_is_one_logged_read_with_her_contact_log(users, case_with_service, survivor):
    survivor_contact_log(
        case=case_with_service,
        survivor=survivor,
        by=users["survivor_worker"],
        contacted_on=dt.date.today(),
        method="phone",
        outcome="reached",
        notes="Called to check in.",
    )
    contacts = survivor_record(
        _scope(users, "survivor_worker"), case_with_service, survivor, via="casework:survivor_detail"
    )
    assert [c.notes for c in contacts] == ["Called to check in."]
    assert _reads() == [(users["survivor_worker"].pk, RT.SURVIVOR, survivor.pk, "casework:survivor_detail")]


@pytest.mark.parametrize("key", ["other_survivor_worker", "psychologist", "manager", "police"])
def test_her_record_is_404_and_unlogged_for_anyone_else(users, case_with_service, survivor, key):
    with pytest.raises(Http404):
        survivor_record(_scope(users, key), case_with_service, survivor, via="casework:survivor_detail")
    assert _reads() == []


def test_her_safety_plan_is_one_logged_read(users, case_with_service, survivor):
    plan = safety_plan_save(case=case_with_service, survivor=survivor, by=users["survivor_worker"], **plan_data())
    got = safety_plan_for(_scope(users, "survivor_worker"), case_with_service, survivor, via="casework:safety_plan")
    assert got == plan
    assert _reads() == [(users["survivor_worker"].pk, RT.SAFETY_PLAN, plan.pk, "casework:safety_plan")]


def test_no_safety_plan_is_no_read(users, case_with_service, survivor):
    assert safety_plan_for(_scope(users, "survivor_worker"), case_with_service, survivor, via="x") is None
    assert _reads() == []


@pytest.mark.parametrize("key", ["other_survivor_worker", "psychologist", "social_worker"])
def test_her_safety_plan_is_404_and_unlogged_for_anyone_else(users, case_with_service, survivor, key):
    safety_plan_save(case=case_with_service, survivor=survivor, by=users["survivor_worker"], **plan_data())
    with pytest.raises(Http404):
        safety_plan_for(_scope(users, key), case_with_service, survivor, via="casework:safety_plan")
    assert _reads() == []


def test_the_officer_who_entered_her_reads_her_record_logged(users, referral):
    survivors = survivors_entered_by_me(_scope(users, "police"), referral, via="referrals:police_detail")
    assert [s.pk for s in survivors] == [s.pk for s in referral.survivors.all()]
    assert _reads() == [(users["police"].pk, RT.SURVIVOR, s.pk, "referrals:police_detail") for s in survivors]


@pytest.mark.parametrize("key", ["police2", "other_police", "psychologist"])
def test_no_one_else_gets_her_record_from_the_referral(users, referral, key):
    assert survivors_entered_by_me(_scope(users, key), referral, via="referrals:police_detail") == []
    assert _reads() == []


def test_questionnaire_results_without_questionnaires_are_no_read(users, case_with_service, survivor):
    assert case_results_for(_scope(users, "psychologist"), case_with_service, instrument=None, via="x") == ([], [])
    assert (
        survivor_results_for(_scope(users, "survivor_worker"), case_with_service, survivor, instrument=None, via="x")
        == []
    )
    assert _reads() == []


@pytest.mark.parametrize("key", ["manager", "other_psychologist", "survivor_worker"])
def test_case_results_are_404_and_unlogged_for_anyone_else(users, case, key):
    with pytest.raises(Http404):
        case_results_for(_scope(users, key), case, instrument=None, via="outcomes:case_results")
    assert _reads() == []


@pytest.mark.parametrize("key", ["other_survivor_worker", "psychologist"])
def test_her_results_are_404_and_unlogged_for_anyone_else(users, case_with_service, survivor, key):
    with pytest.raises(Http404):
        survivor_results_for(_scope(users, key), case_with_service, survivor, instrument=None, via="x")
    assert _reads() == []


def _modules_writing_the_read_log() -> set[str]:
    """Modules of the project that import core.audit (the read log)."""
    root = Path(settings.BASE_DIR)
    found = set()
    for path in root.glob("*/**/*.py"):
        relative = path.relative_to(root)
        if relative.parts[0] in {"tests", ".venv", "node_modules"} or "migrations" in relative.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "core.audit":
                found.add(str(relative))
    return found


def test_only_selectors_write_the_read_log():
    writers = _modules_writing_the_read_log()
    assert writers, "the scan found no selector at all"
    assert {w for w in writers if "selectors" not in w} == set()
