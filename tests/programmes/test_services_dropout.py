"""Dropout by the template's rule: detected the moment an absence is logged,
and by the scheduled sweep; one event per enrolment whichever finds it, and
a later "dropped out" discharge does not notify again.

The men's voluntary Kyrgyz template used here: dropout after 3 unexcused
absences in a row, or 6 in all."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.services import survivor_service_refer
from notifications import services as notify
from programmes import services
from programmes.models import Attendance, ProgrammeTemplate
from tests.notices import case_events, case_notices
from tests.programmes.conftest import group_session, log

SERVICE = "Sezim Crisis Centre"
POLICE = "Bishkek City Police, Pervomaisky district"
PROVIDER = "Bishkek Consultation Room"


@pytest.fixture
def pair_in_group(users, orgs, past_group, men, new_case, enrol):
    """Two men in the group from its first session; the first one's case has
    the crisis centre on it."""
    a = enrol(new_case(), men, past_group)
    b = enrol(new_case(), men, past_group)
    survivor_service_refer(case=a.case, organisation=orgs["survivor_service"], by=users["social_worker"])
    return a, b


def _log_run(group, by, marks_by_number: dict[int, dict]):
    for number, marks in marks_by_number.items():
        log(group_session(group, number), by, marks)


def _dropouts():
    return case_events().filter(kind="dropout")


def test_the_third_unexcused_absence_in_a_row_is_a_dropout_at_once(users, past_group, pair_in_group):
    a, b = pair_in_group
    psy = users["psychologist"]
    _log_run(past_group, psy, {1: {a: "unexcused", b: "present"}, 2: {a: "unexcused", b: "present"}})
    assert not _dropouts().exists()

    log(group_session(past_group, 3), psy, {a: "unexcused", b: "present"})

    event = _dropouts().get()
    assert (event.case, event.dedupe_key, event.created_by) == (a.case, f"dropout:enrolment:{a.pk}", psy)
    assert event.facts == {
        "ending": "dropout_rule",
        "mandatory": True,
        "sessions_attended": 0,
        "sessions_missed": 3,
        "missed_in_a_row": 3,
    }
    # The survivor service, the police (mandatory referral) and the provider.
    assert set(case_notices().filter(event=event).values_list("organisation__name", flat=True)) == {
        SERVICE,
        POLICE,
        PROVIDER,
    }
    # The enrolment stays active: staff may still keep him on and record the ending.
    a.refresh_from_db()
    assert a.status == "active"


def test_an_excused_absence_neither_counts_nor_breaks_the_run(users, past_group, pair_in_group):
    a, b = pair_in_group
    psy = users["psychologist"]
    _log_run(
        past_group,
        psy,
        {1: {a: "unexcused", b: "present"}, 2: {a: "excused", b: "present"}, 3: {a: "unexcused", b: "present"}},
    )
    assert not _dropouts().exists()
    log(group_session(past_group, 4), psy, {a: "unexcused", b: "present"})
    assert _dropouts().get().facts["missed_in_a_row"] == 3


def test_attending_breaks_the_run(users, past_group, pair_in_group):
    a, b = pair_in_group
    _log_run(
        past_group,
        users["psychologist"],
        {
            1: {a: "unexcused", b: "present"},
            2: {a: "unexcused", b: "present"},
            3: {a: "late", b: "present"},
            4: {a: "unexcused", b: "present"},
            5: {a: "unexcused", b: "present"},
        },
    )
    assert not _dropouts().exists()


def test_the_total_rule_fires_at_exactly_the_total(users, past_group, men, pair_in_group):
    """With a total of 3 (and no run of 3), the third absence in all is a dropout, not the second."""
    ProgrammeTemplate.objects.filter(pk=men.pk).update(dropout_total=3)
    a, b = pair_in_group
    psy = users["psychologist"]
    _log_run(
        past_group,
        psy,
        {
            1: {a: "unexcused", b: "present"},
            2: {a: "present", b: "present"},
            3: {a: "unexcused", b: "present"},
            4: {a: "present", b: "present"},
        },
    )
    assert not _dropouts().exists()
    log(group_session(past_group, 5), psy, {a: "unexcused", b: "present"})
    assert _dropouts().get().facts == {
        "ending": "dropout_rule",
        "mandatory": True,
        "sessions_attended": 2,
        "sessions_missed": 3,
        "missed_in_a_row": 1,
    }


def test_a_template_without_a_rule_never_drops_anyone(users, past_group, men, pair_in_group):
    ProgrammeTemplate.objects.filter(pk=men.pk).update(dropout_total=None, dropout_consecutive=None)
    a, b = pair_in_group
    _log_run(past_group, users["psychologist"], {n: {a: "unexcused", b: "present"} for n in range(1, 6)})
    assert not _dropouts().exists()
    assert notify.dropout_sweep() == 0


def test_logging_again_and_the_later_discharge_do_not_notify_twice(users, past_group, pair_in_group):
    a, b = pair_in_group
    psy = users["psychologist"]
    _log_run(past_group, psy, {n: {a: "unexcused", b: "present"} for n in (1, 2, 3)})
    log(group_session(past_group, 3), users["social_worker"], {a: "unexcused", b: "present"})
    log(group_session(past_group, 4), psy, {a: "unexcused", b: "present"})
    assert _dropouts().count() == 1

    services.enrolment_discharge(
        enrolment=a, kind="dropped_out", by=psy, on=timezone.localdate(), reason="Stopped coming"
    )
    assert _dropouts().count() == 1
    assert notify.dropout_sweep() == 0


def test_an_expulsion_after_the_rule_is_still_its_own_event(users, past_group, pair_in_group):
    a, b = pair_in_group
    psy = users["psychologist"]
    _log_run(past_group, psy, {n: {a: "unexcused", b: "present"} for n in (1, 2, 3)})
    services.enrolment_discharge(
        enrolment=a, kind="expelled", by=psy, on=timezone.localdate(), reason="Threatened a group member"
    )
    assert sorted(case_events().filter(case=a.case).values_list("kind", flat=True)) == ["dropout", "expulsion"]


def test_the_sweep_finds_absences_that_reached_the_rule_another_way(users, past_group, pair_in_group):
    """GIVEN absences written without the logging service (an import, a
    correction in the admin) WHEN the sweep runs THEN exactly the enrolments
    over the rule get their event, once."""
    a, b = pair_in_group
    psy = users["psychologist"]
    for number in (1, 2, 3):
        session = group_session(past_group, number)
        session.status = "held"
        session.save(update_fields=["status"])
        Attendance.objects.create(session=session, enrolment=a, mark="unexcused", recorded_by=psy)
        Attendance.objects.create(
            session=session, enrolment=b, mark="unexcused" if number < 3 else "present", recorded_by=psy
        )
    assert not _dropouts().exists()

    assert notify.dropout_sweep() == 1
    event = _dropouts().get()
    assert (event.case, event.created_by, event.facts["missed_in_a_row"]) == (a.case, None, 3)
    assert notify.dropout_sweep() == 0
    assert _dropouts().count() == 1


def test_the_sweep_ignores_ended_enrolments(users, past_group, pair_in_group):
    a, b = pair_in_group
    psy = users["psychologist"]
    services.enrolment_discharge(enrolment=a, kind="dropped_out", by=psy, on=timezone.localdate(), reason="Moved")
    case_events().all().delete()
    for number in (1, 2, 3):
        session = group_session(past_group, number)
        session.status = "held"
        session.save(update_fields=["status"])
        Attendance.objects.create(session=session, enrolment=a, mark="unexcused", recorded_by=psy)
    assert notify.dropout_sweep() == 0


def test_the_sweep_works_in_batches(users, past_group, men, new_case, enrol):
    psy = users["psychologist"]
    people = [enrol(new_case(), men, past_group) for _ in range(5)]
    for number in (1, 2, 3):
        session = group_session(past_group, number)
        session.status = "held"
        session.save(update_fields=["status"])
        Attendance.objects.bulk_create(
            Attendance(session=session, enrolment=e, mark="unexcused", recorded_by=psy) for e in people
        )
    assert notify.dropout_sweep(batch=2) == 5
    assert set(_dropouts().values_list("dedupe_key", flat=True)) == {f"dropout:enrolment:{e.pk}" for e in people}


def test_the_notice_says_the_rule_was_reached(users, login, past_group, pair_in_group):
    a, b = pair_in_group
    _log_run(past_group, users["psychologist"], {n: {a: "unexcused", b: "present"} for n in (1, 2, 3)})
    notice = case_notices().get(event__kind="dropout", organisation__name=SERVICE)
    client = login(users["survivor_worker"])
    page = client.get(reverse("notifications:notice_detail", args=[notice.pk])).content.decode()
    assert "Dropout rule reached (still enrolled; staff may record the ending)" in page
    assert "Unexcused absences in a row" in page
