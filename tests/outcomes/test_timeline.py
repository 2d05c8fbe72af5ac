"""Questionnaires and follow-up meetings leave a timeline entry: what and
when, never a score or a note; a survivor's questionnaire only on the
survivor side, which perpetrator-facing staff and police never see."""

from __future__ import annotations

from core.models import TimelineEntry
from outcomes import services
from outcomes import timeline as K
from tests import factories as f
from tests.outcomes.conftest import bare_enrolment, days, sheet
from tests.programmes.views_sessions_support import completed_enrolment


def test_the_persons_questionnaire_is_on_the_timeline(users, case, record):
    record(case, users["psychologist"], sheet(0, i7=6))
    entry = TimelineEntry.objects.get(referral=case.referral, kind=K.QUESTIONNAIRE_RECORDED)
    assert (entry.detail_text, entry.actor, entry.survivor_side) == (
        "CTS2: Referred person, Intake (before the programme)",
        users["psychologist"],
        False,
    )


def test_a_follow_up_questionnaire_names_its_month(users, orgs, case, record):
    template = f.shipped_template("kg-annex3-voluntary-men")  # follow-ups at 6 and 12 months
    enrolment = bare_enrolment(case, template, users["psychologist"], status="completed", ended_on=days(-200))
    services.follow_ups_schedule(enrolment=enrolment)
    point = enrolment.follow_ups.get(kind="after_end", months=6, respondent="person")
    record(case, users["psychologist"], sheet(0), follow_up=point)
    entry = TimelineEntry.objects.get(referral=case.referral, kind=K.QUESTIONNAIRE_RECORDED)
    assert entry.params["months"] == point.months
    assert entry.detail_text == f"CTS2: Referred person, Follow-up after the end, {point.months} months"


def test_her_questionnaire_is_a_survivor_side_entry(users, case_with_service, record):
    survivor = case_with_service.referral.survivors.get()
    record(
        case_with_service,
        users["survivor_worker"],
        sheet(0),
        respondent="survivor",
        survivor=survivor,
        respondent_consented=True,
    )
    entry = TimelineEntry.objects.get(referral=case_with_service.referral, kind=K.QUESTIONNAIRE_RECORDED)
    assert (entry.detail_text, entry.survivor_side) == ("CTS2: Survivor, Intake (before the programme)", True)


def test_a_meeting_is_on_the_timeline_without_its_notes(users, orgs, case):
    point = completed_enrolment(users, orgs, case).follow_ups.get(kind="end")
    services.follow_up_meeting_record(
        follow_up=point, by=users["social_worker"], met_on=days(0), attended=False, notes="Phone switched off."
    )
    entry = TimelineEntry.objects.get(referral=case.referral, kind=K.FOLLOW_UP_MEETING)
    assert entry.params == {"met_on": days(0).isoformat(), "attended": False}
    assert entry.detail_text == f"{days(0):%d.%m.%Y}: did not come"
    assert "switched" not in entry.detail_text
