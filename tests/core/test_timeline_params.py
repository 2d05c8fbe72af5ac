"""Timeline entries keep their parameters in no language and read in the
reader's: dates day first in the reader's format, choice codes as their
labels. Entries written before params existed are read into params by the
migration where their text has a known shape; the others keep their text."""

from __future__ import annotations

import datetime as dt
import importlib
import re

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from casework.models import RiskLevel
from core.models import TimelineEntry
from core.shipped import shown
from core.timeline import kind, timeline_add
from referrals import services as referral_services
from referrals import timeline as referrals_timeline

migration = importlib.import_module("core.migrations.0006_timelineentry_params")

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def in_language(entry: TimelineEntry, language: str) -> str:
    with translation.override(language):
        return entry.detail_text


def extend(referral, by, days: int = 90) -> tuple[TimelineEntry, dt.date]:
    until = timezone.localdate() + dt.timedelta(days=days)
    referral_services.referral_extend_order(
        referral=referral, by=by, extended_on=timezone.localdate(), new_expiry=until, obliges_programme=False
    )
    return referral.timeline.get(kind=referrals_timeline.ORDER_EXTENDED), until


# --- written by the services ------------------------------------------------------


def test_an_order_extension_reads_day_first_in_every_language(users, referral):
    entry, until = extend(referral, users["police"])
    assert (entry.params, entry.detail) == ({"until": until.isoformat()}, "")
    assert in_language(entry, "en") == f"until {until:%d.%m.%Y}"
    assert in_language(entry, "ru") == f"до {until:%d.%m.%Y}"
    assert in_language(entry, "ky") == f"{until:%d.%m.%Y} чейин"
    assert not ISO_DATE.search(in_language(entry, "ru"))


def test_a_decline_keeps_its_reason_code_and_reads_its_label(users, referral):
    referral_services.referral_decline(referral=referral, by=users["psychologist"], reason="no_capacity")
    entry = referral.timeline.get(kind=referrals_timeline.DECLINED)
    assert entry.params == {"reason": "no_capacity"}
    assert in_language(entry, "en") == "No capacity"
    assert in_language(entry, "ru") == "Нет свободных мест"


def test_a_risk_assessment_reads_its_level_in_the_readers_language(case):
    entry = case.referral.timeline.get(kind="risk_assessed")
    level = entry.params["level"]
    assert entry.params == {"instrument": case.risk_assessments.get().instrument.name, "level": level}
    for language in ("en", "ru", "tk"):
        with translation.override(language):
            label = str(RiskLevel(level).label)
            # The shipped checklist's name reads in the reader's language too.
            instrument = shown(entry.params["instrument"])
        assert in_language(entry, language) == f"{instrument}: {label}"
    assert in_language(entry, "ru") != in_language(entry, "en")
    assert in_language(entry, "ru").startswith("Базовый перечень факторов риска: ")


def test_an_acceptance_without_criteria_says_so_in_the_readers_language(users, referral):
    # No criterion answered: the acceptance says that nothing was checked.
    entry = timeline_add(referral=referral, by=users["psychologist"], kind="accepted", params={"criteria": False})
    assert in_language(entry, "en") == "No eligibility criteria were set up"
    assert in_language(entry, "ru") == "Критерии участия не были заданы"


def test_a_session_time_reads_in_local_time_day_first(users, referral):
    at = dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.UTC)  # 18:00 in Bishkek
    entry = timeline_add(
        referral=referral,
        by=users["psychologist"],
        kind="session_cancelled",
        params={"session": "group", "number": 3, "at": at},
    )
    assert entry.params["at"] == "2026-12-05T12:00:00+00:00"
    assert in_language(entry, "en") == "Group session 3, 05.12.2026 18:00"
    assert in_language(entry, "ru") == "Групповое занятие № 3, 05.12.2026 18:00"


def test_params_of_a_kind_without_a_detail_are_refused(users, referral):
    with pytest.raises(ValueError, match="takes no params"):
        timeline_add(referral=referral, by=users["psychologist"], kind="screening_saved", params={"x": 1})


def test_params_that_do_not_fit_the_detail_show_the_stored_text(users, referral):
    entry = TimelineEntry(kind="order_extended", params={"until": "not a date"}, detail="→ 2026-12-05")
    assert entry.detail_text == "→ 2026-12-05"
    assert TimelineEntry(kind="order_extended").detail_text == ""


def test_a_kind_declares_its_detail_once():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        kind("order_extended", "Another label")


# --- the pages -----------------------------------------------------------------------


def test_the_case_page_shows_the_detail_in_russian(login, users, case, settings):
    settings.LANGUAGE_CODE = "ru"
    _entry, until = extend(case.referral, users["police"])
    client = login(users["psychologist"])
    content = client.get(reverse("casework:case_detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert f"до {until:%d.%m.%Y}" in content
    assert until.isoformat() not in content
    with translation.override("ru"):
        level = str(RiskLevel(case.current_risk_level).label)
    assert f": {level}</div>" in content


def test_the_police_page_shows_the_detail_in_russian(login, users, referral, settings):
    settings.LANGUAGE_CODE = "ru"
    _entry, until = extend(referral, users["police"])
    client = login(users["police"])
    content = client.get(reverse("referrals:police_detail", args=[referral.pk]), HTTP_ACCEPT_LANGUAGE="ru")
    content = content.content.decode()
    assert f"Охранный ордер продлён</span>: до {until:%d.%m.%Y}" in content
    assert until.isoformat() not in content


# --- entries written before params: the migration -------------------------------------


@pytest.mark.parametrize(
    ("kind", "text", "params"),
    [
        ("order_extended", "→ 2026-12-05", {"until": "2026-12-05"}),
        ("sanction_order_extension", "→ 2027-01-31", {"until": "2027-01-31"}),
        ("accepted", "No eligibility criteria were set up", {"criteria": False}),
        ("accepted", "Критерии участия не были заданы", {"criteria": False}),
        ("declined", "Outside the provider's area", {"reason": "out_of_area"}),
        ("declined", "Нет свободных мест", {"reason": "no_capacity"}),
        ("risk_assessed", "Basic checklist: high", {"instrument": "Basic checklist", "level": "high"}),
        ("survivor_service_referred", "Sezim Crisis Centre", {"organisation": "Sezim Crisis Centre"}),
        ("transferred", "Chance Bishkek", {"provider": "Chance Bishkek"}),
        ("enrolled", "Chance (v2)", {"programme": "Chance", "version": 2}),
        (
            "enrolled",
            "Chance (v1), group Tuesday men",
            {"programme": "Chance", "version": 1, "group": "Tuesday men"},
        ),
        (
            "session_rescheduled",
            "Group session 10, 2026-12-05 18:00 → 2026-12-06 19:30",
            {"session": "group", "number": 10, "at": "2026-12-05T18:00", "to": "2026-12-06T19:30"},
        ),
        (
            "session_rescheduled",
            "Group Thursday men: sessions from 2026-12-10 at 18:15",
            {"group": "Thursday men", "from": "2026-12-10", "time": "18:15"},
        ),
        (
            "session_cancelled",
            "Individual session 2, 2026-12-05 09:00",
            {"session": "individual", "number": 2, "at": "2026-12-05T09:00"},
        ),
        (
            "attendance_recorded",
            "Group session 1, 2026-12-05 18:00: Late",
            {"session": "group", "number": 1, "at": "2026-12-05T18:00", "mark": "late"},
        ),
        (
            "attendance_recorded",
            "Group session 4, 2026-12-05 18:00: Unexcused absence (short notice, not counted)",
            {"session": "group", "number": 4, "at": "2026-12-05T18:00", "mark": "unexcused", "counted": False},
        ),
        ("moved_group", "Old men → New men", {"from": "Old men", "to": "New men"}),
        ("moved_group", "- → New men", {"from": "", "to": "New men"}),
        ("discharged", "De-selected", {"status": "deselected"}),
        ("stay_recorded", "2026-12-01 → 2027-01-30", {"arrival": "2026-12-01", "departure": "2027-01-30"}),
        ("stay_recorded", "2026-12-01 → …", {"arrival": "2026-12-01", "departure": None}),
        (
            "questionnaire_recorded",
            "CTS2: person, intake",
            {"instrument": "cts2", "respondent": "person", "occasion": "intake"},
        ),
        (
            "questionnaire_recorded",
            "CTS2: survivor, after_end, 6 months",
            {"instrument": "cts2", "respondent": "survivor", "occasion": "after_end", "months": 6},
        ),
        ("follow_up_meeting", "2026-12-05: did not come", {"met_on": "2026-12-05", "attended": False}),
        (
            "monitoring_body_assigned",
            "social_development: Alamedin social office",
            {"body": "social_development", "organisation": "Alamedin social office"},
        ),
        (
            "monitoring_meeting",
            "2026-12-05: social_development: contact_made: new_violence",
            {"met_on": "2026-12-05", "body": "social_development", "contact_made": True, "new_violence": True},
        ),
        (
            "monitoring_meeting",
            "2026-12-05: police_unit: no_contact",
            {"met_on": "2026-12-05", "body": "police_unit", "contact_made": False, "new_violence": False},
        ),
        ("sanction_fine", "5000.00 KGS", {"amount": "5000.00", "currency": "KGS"}),
        ("sanction_fine", "750.50", {"amount": "750.50", "currency": ""}),
        ("sanction_community_service", "40", {"hours": 40}),
        ("sanction_court_hearing", "2026-12-19", {"on": "2026-12-19"}),
    ],
)
@pytest.mark.django_db  # an organisation's name is read in the reader's language
def test_the_migration_reads_each_known_shape(kind, text, params):
    assert migration.parse(kind, text) == params
    # And the params read as the kind declares.
    entry = TimelineEntry(kind=kind, params=params, detail=text)
    with translation.override("ru"):
        assert entry.detail_text
        assert not ISO_DATE.search(entry.detail_text)


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("order_extended", "extended by the court"),
        ("declined", "Some reason no longer offered"),
        ("risk_assessed", "Basic checklist: unknown"),
        ("attendance_recorded", "Group session 1: Late"),
        ("follow_up_meeting", "05.12.2026: did not come"),
        ("screening_saved", "a text of a kind without detail"),
        ("kind_since_removed", "anything"),
        ("sanction_community_service", "forty"),
    ],
)
def test_the_migration_leaves_unknown_shapes_alone(kind, text):
    assert migration.parse(kind, text) is None


def test_the_migration_fills_params_and_unread_entries_keep_their_text(users, referral):
    def legacy(kind: str, text: str) -> TimelineEntry:
        by = users["psychologist"]
        return TimelineEntry.objects.create(
            referral=referral, actor=by, actor_organisation=by.membership.organisation, kind=kind, detail=text
        )

    extended = legacy("order_extended", "→ 2026-12-05")
    declined = legacy("declined", "Нет свободных мест")
    unread = legacy("risk_assessed", "An instrument without a level")
    untouched = legacy("screening_saved", "")
    with connection.cursor() as cursor:
        # Migrations run as the owner; the application role may not update the timeline.
        cursor.execute("RESET ROLE")
    migration.read_details(apps, None)

    for entry in (extended, declined, unread, untouched):
        entry.refresh_from_db()
    assert (extended.params, extended.detail) == ({"until": "2026-12-05"}, "→ 2026-12-05")
    assert declined.params == {"reason": "no_capacity"}
    assert (unread.params, untouched.params) == ({}, {})
    with translation.override("ru"):
        assert extended.detail_text == "до 05.12.2026"
        assert unread.detail_text == "An instrument without a level"
    with translation.override("en"):
        assert declined.detail_text == "No capacity"
        assert untouched.detail_text == ""
