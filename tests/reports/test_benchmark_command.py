"""manage.py reports_benchmark: builds invented data and prints numbers
(the real run is by hand, on its own database; this only keeps it working)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from outcomes.models import Administration, FollowUp, ScaleScore
from referrals.models import Referral
from tests.conftest import ensure_shipped_data
from tests.reports.test_attendance_summary import kept, live


def test_it_builds_the_data_and_prints_each_sections_queries_and_time(transactional_db):
    # As the owner role, like make bench: the register is written with its
    # own ids and then moves the sequences on, which the application role may not.
    ensure_shipped_data()
    out = io.StringIO()
    call_command("reports_benchmark", referrals=300, repeat=1, force=True, stdout=out)
    text = out.getvalue()
    assert Referral.objects.count() == 300
    assert "300 referrals" in text
    # Outcome data too, so that the outcomes section is timed on real rows.
    assert Administration.objects.count() > 0 and ScaleScore.objects.count() == 5 * Administration.objects.count()
    assert FollowUp.objects.exists()
    assert f"{Administration.objects.count()} questionnaires" in text
    for line in (
        "filter choices",
        "referrals",
        "completion and dropout",
        "still attending",
        "outcomes",
        "whole report",
    ):
        assert line in text
    assert text.count("whole report") == 5  # one per selection
    # The register is written without the services: its kept attendance figures are recomputed after.
    assert kept() == live() != {}


def test_it_refuses_a_database_that_already_has_referrals(referral):
    with pytest.raises(CommandError, match="already has referrals"):
        call_command("reports_benchmark", referrals=10, force=True, stdout=io.StringIO())


def test_it_refuses_to_run_with_debug_off_unless_forced(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("reports_benchmark", referrals=10, stdout=io.StringIO())
