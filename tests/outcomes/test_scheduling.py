"""follow_ups_schedule from every shipped template, its wiring into enrol
and the endings, idempotency, and monitoring meetings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q

from outcomes import services
from outcomes.models import FollowUp
from programmes import services as programme_services
from programmes.migrations._shipped_templates import SHIPPED
from programmes.models import ProgrammeTemplate
from tests import factories as f
from tests.outcomes.conftest import bare_enrolment, days, sheet
from tests.programmes.views_sessions_support import completed_enrolment, mandatory_enrolment

START = dt.date(2024, 6, 3)
END = dt.date(2024, 8, 31)  # a month's last day: the points keep to month ends
# Hand-written from the shipped templates (programmes/migrations/_shipped_templates.py, 0012): months after the end.
MONTHS = {
    "tj-consultation-room": [6, 12],
    "kg-annex3-mandatory": [],
    "kg-annex3-voluntary-men": [6, 12],
    "kg-annex3-voluntary-women": [6, 12],
    "kg-chance-mandatory-men": [3, 6, 9, 12, 15, 18],
    "kg-chance-voluntary-men": [6, 12],
    "kg-chance-women": [],
    "kg-chance-voluntary-women": [],
    "kg-ayalzat-mandatory": [18],
    "kg-ayalzat-voluntary": [18],
    "kz-turkistan-residential": [],
    "kz-union-crisis-centres": [6],
    "uz-oydin-nur": [],
    "uz-correctional-work": [],
    "tm-pilot": [6, 12],
}
DUE = {
    3: dt.date(2024, 11, 30),
    6: dt.date(2025, 2, 28),
    9: dt.date(2025, 5, 31),
    12: dt.date(2025, 8, 31),
    15: dt.date(2025, 11, 30),
    18: dt.date(2026, 2, 28),
}
CLOSE_RELATIONS = {"kg-ayalzat-mandatory", "kg-ayalzat-voluntary"}


def points(enrolment) -> list[tuple]:
    return [
        (p.kind, p.months, p.respondent, p.due_on, p.status)
        for p in FollowUp.objects.filter(enrolment=enrolment).order_by("due_on", "kind", "respondent")
    ]


@pytest.mark.django_db
def test_every_shipped_template_is_covered():
    assert {t["code"] for t in SHIPPED} < set(MONTHS)
    assert set(ProgrammeTemplate.objects.filter(provider=None).values_list("code", flat=True)) == set(MONTHS)


@pytest.mark.parametrize("code", sorted(MONTHS))
def test_points_of_a_completed_enrolment_of_each_template(code, users, case):
    enrolment = bare_enrolment(
        case, f.shipped_template(code), users["psychologist"], status="completed", starts_on=START, ended_on=END
    )
    services.follow_ups_schedule(enrolment=enrolment)
    expected = [("intake", 0, "person", START, "due"), ("end", 0, "person", END, "due")]
    for months in MONTHS[code]:
        expected.append(("after_end", months, "person", DUE[months], "due"))
        if code in CLOSE_RELATIONS:
            expected.append(("after_end", months, "close_relation", DUE[months], "due"))
    assert points(enrolment) == sorted(expected, key=lambda p: (p[3], p[0], p[2]))


def test_ayalzat_asks_the_person_and_a_close_relation_18_months_after(users, case):
    enrolment = bare_enrolment(
        case, f.shipped_template("kg-ayalzat-mandatory"), users["psychologist"], status="completed",
        starts_on=START, ended_on=END,
    )  # fmt: skip
    services.follow_ups_schedule(enrolment=enrolment)
    after = FollowUp.objects.filter(enrolment=enrolment, kind="after_end")
    assert sorted(after.values_list("respondent", "due_on")) == [
        ("close_relation", dt.date(2026, 2, 28)),
        ("person", dt.date(2026, 2, 28)),
    ]
    assert [p.label for p in after.order_by("respondent")] == [
        "18 months after the end, close relation",
        "18 months after the end",
    ]


def test_an_active_enrolment_has_only_the_intake_point(users, case):
    enrolment = bare_enrolment(case, f.shipped_template("tj-consultation-room"), users["psychologist"], starts_on=START)
    services.follow_ups_schedule(enrolment=enrolment)
    assert points(enrolment) == [("intake", 0, "person", START, "due")]


@pytest.mark.parametrize("status", ["dropped_out", "expelled"])
def test_a_dropout_or_expulsion_is_still_followed_up(users, case, status):
    enrolment = bare_enrolment(
        case, f.shipped_template("kz-union-crisis-centres"), users["psychologist"], status=status, starts_on=START,
        ended_on=END,
    )  # fmt: skip
    services.follow_ups_schedule(enrolment=enrolment)
    assert points(enrolment) == [
        ("intake", 0, "person", START, "due"),
        ("end", 0, "person", END, "due"),
        ("after_end", 6, "person", DUE[6], "due"),
    ]


@pytest.mark.parametrize("status", ["deselected", "transferred"])
def test_deselection_or_transfer_leaves_nothing_due(users, case, status):
    enrolment = bare_enrolment(case, f.shipped_template("tm-pilot"), users["psychologist"], starts_on=START)
    services.follow_ups_schedule(enrolment=enrolment)
    enrolment.status, enrolment.ended_on = status, END
    enrolment.save()
    services.follow_ups_schedule(enrolment=enrolment)
    assert points(enrolment) == [("intake", 0, "person", START, "cancelled")]


def test_scheduling_twice_changes_nothing(users, case):
    enrolment = bare_enrolment(
        case, f.shipped_template("kg-chance-mandatory-men"), users["psychologist"], status="completed",
        starts_on=START, ended_on=END,
    )  # fmt: skip
    first = services.follow_ups_schedule(enrolment=enrolment)
    assert len(first) == 8
    FollowUp.objects.filter(enrolment=enrolment, months=3).update(status="done")
    second = services.follow_ups_schedule(enrolment=enrolment)
    assert [(p.pk, p.status) for p in second] == [(p.pk, "done" if p.months == 3 else "due") for p in first]


def test_add_months_keeps_to_the_end_of_shorter_months():
    assert services.add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert services.add_months(dt.date(2023, 1, 31), 1) == dt.date(2023, 2, 28)
    assert services.add_months(dt.date(2024, 11, 15), 3) == dt.date(2025, 2, 15)
    assert services.add_months(dt.date(2024, 8, 31), 18) == dt.date(2026, 2, 28)


# --- Wired into the programme services -----------------------------------------------


def test_enrolling_schedules_the_intake_point(users, orgs, case):
    enrolment, _group = mandatory_enrolment(users, orgs, case)
    assert points(enrolment) == [("intake", 0, "person", days(-27), "due")]


def test_an_intake_questionnaire_already_done_completes_the_point_at_enrolment(users, orgs, case, record):
    administration = record(case, users["psychologist"], sheet(0))
    enrolment, _group = mandatory_enrolment(users, orgs, case)
    point = enrolment.follow_ups.get()
    assert (point.kind, point.status, point.administration) == ("intake", "done", administration)


def test_completion_schedules_the_end_point(users, orgs, case):
    enrolment = completed_enrolment(users, orgs, case)
    # The mandatory Annex 3 programme has no follow-up months.
    assert points(enrolment) == [("intake", 0, "person", days(-27), "due"), ("end", 0, "person", days(0), "due")]


def test_a_dropout_from_chance_schedules_the_quarterly_monitoring(users, orgs, case):
    template = f.shipped_template("kg-chance-mandatory-men")
    group = f.make_group(by=users["psychologist"], template=template, starts_on=days(-10))
    enrolment = f.enrol_case(case, by=users["psychologist"], template=template, group=group, starts_on=days(-14))
    programme_services.enrolment_discharge(
        enrolment=enrolment, kind="dropped_out", reason="Stopped coming", by=users["psychologist"], on=days(-1)
    )
    after = list(enrolment.follow_ups.filter(kind="after_end").values_list("months", "due_on"))
    assert after == [(m, services.add_months(days(-1), m)) for m in (3, 6, 9, 12, 15, 18)]
    assert enrolment.follow_ups.get(kind="end").due_on == days(-1)


def test_a_transfer_cancels_the_open_points(users, orgs, case):
    enrolment, _group = mandatory_enrolment(users, orgs, case)
    programme_services.enrolment_transfer(
        enrolment=enrolment, provider=f.make_org("programme_provider", name="Osh Room"), by=users["manager"],
        reason="Moved to Osh",
    )  # fmt: skip
    assert points(enrolment) == [("intake", 0, "person", days(-27), "cancelled")]


# --- Monitoring meetings -----------------------------------------------------------------


@pytest.fixture
def end_point(users, orgs, case):
    enrolment = completed_enrolment(users, orgs, case)
    return enrolment.follow_ups.get(kind="end")


def test_a_meeting_the_person_came_to_completes_the_point(users, end_point):
    point = services.follow_up_meeting_record(
        follow_up=end_point, by=users["social_worker"], met_on=days(0), attended=True, notes="Calm, working again."
    )
    point.refresh_from_db()
    assert (point.status, point.met_on, point.attended, point.meeting_notes) == (
        "done", days(0), True, "Calm, working again.",
    )  # fmt: skip
    assert point.recorded_by == users["social_worker"]


def test_a_meeting_he_missed_marks_the_point_missed(users, end_point, record):
    point = services.follow_up_meeting_record(follow_up=end_point, by=users["psychologist"], met_on=days(0),
                                              attended=False)  # fmt: skip
    assert point.status == "missed"
    # A questionnaire later still completes it.
    record(end_point.enrolment.case, users["psychologist"], sheet(0), follow_up=point)
    point.refresh_from_db()
    assert point.status == "done"


def test_meeting_input_is_checked(users, end_point):
    with pytest.raises(ValidationError) as exc:
        services.follow_up_meeting_record(follow_up=end_point, by=users["psychologist"], met_on=days(1),
                                          attended=None, notes="x" * 8001)  # fmt: skip
    assert exc.value.message_dict == {
        "met_on": ["This date is in the future."],
        "attended": ["Say whether the person came."],
        "notes": ["Keep the notes under 8000 characters."],
    }
    with pytest.raises(ValidationError) as exc:
        services.follow_up_meeting_record(follow_up=end_point, by=users["psychologist"], met_on=days(-400),
                                          attended=True)  # fmt: skip
    assert exc.value.message_dict == {
        "met_on": [f"The meeting cannot be before the start of the programme ({days(-27):%d.%m.%Y})."]
    }


@pytest.mark.parametrize("role", ["manager", "other_psychologist", "survivor_worker"])
def test_only_clinical_staff_of_the_provider_record_meetings(users, end_point, role):
    with pytest.raises(PermissionDenied):
        services.follow_up_meeting_record(follow_up=end_point, by=users[role], met_on=days(0), attended=True)


# --- The mid-programme point -----------------------------------------------------


def test_a_template_with_a_mid_programme_session_schedules_a_point_after_it(users, orgs):
    from django.utils import timezone

    from programmes.models import ProgrammeTemplate, Session
    from tests.programmes.views_sessions_support import MANDATORY

    ProgrammeTemplate.objects.filter(code=MANDATORY).update(mid_programme_session=3)
    enrolment, group = mandatory_enrolment(users, orgs)
    sessions = Session.objects.filter(Q(enrolment=enrolment) | Q(group=group)).order_by("starts_at", "id")
    third = timezone.localtime(sessions[2].starts_at).date()
    mid = FollowUp.objects.get(enrolment=enrolment, kind=FollowUp.Kind.MID)
    assert (mid.after_session, mid.due_on, mid.status, mid.respondent) == (3, third, "due", "person")
    assert mid.label == "Mid-programme, after session 3"
    # Scheduling again makes no second point.
    services.follow_ups_schedule(enrolment=enrolment)
    assert FollowUp.objects.filter(enrolment=enrolment, kind=FollowUp.Kind.MID).count() == 1


def test_a_questionnaire_for_the_mid_programme_point_completes_it(users, orgs, record):
    from programmes.models import ProgrammeTemplate
    from tests.programmes.views_sessions_support import MANDATORY

    ProgrammeTemplate.objects.filter(code=MANDATORY).update(mid_programme_session=2)
    enrolment, _group = mandatory_enrolment(users, orgs)
    mid = FollowUp.objects.get(enrolment=enrolment, kind=FollowUp.Kind.MID)
    done = record(enrolment.case, users["psychologist"], sheet(0), follow_up=mid)
    mid.refresh_from_db()
    assert (done.occasion, mid.status, mid.administration) == ("mid", "done", done)


def test_no_mid_programme_point_without_the_template_asking(users, orgs):
    enrolment, _group = mandatory_enrolment(users, orgs)
    assert not FollowUp.objects.filter(enrolment=enrolment, kind=FollowUp.Kind.MID).exists()
