"""Monitoring after the programme: who monitors (the shipped templates), naming
the bodies, the schedule made on completion, and a body recording its meeting."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction

from accounts.models import Organisation, Role
from core.models import TimelineEntry
from outcomes.models import MonitoringAssignment, MonitoringMeeting
from outcomes.monitoring_services import monitoring_body_assign, monitoring_meeting_record, monitoring_schedule
from outcomes.services import add_months
from programmes import services as programme_services
from programmes.models import ProgrammeTemplate
from referrals.models import NOTE_MAX_LENGTH
from tests import factories as f
from tests.notices import case_events
from tests.outcomes.conftest import bare_enrolment, days
from tests.programmes.views_sessions_support import attend_everything

K = Organisation.Kind
CHANCE = "kg-chance-mandatory-men"


# --- the shipped templates -------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "bodies", "every", "months"),
    [
        ("kg-chance-mandatory-men", ["social_development"], 3, 18),
        ("kg-chance-voluntary-men", [], None, None),  # seed 001: the mandatory programme only
        ("kg-chance-voluntary-women", [], None, None),
        ("tj-consultation-room", ["police_unit", "local_government"], 3, 18),
        ("kg-chance-women", [], None, None),
        ("kg-annex3-mandatory", [], None, None),
    ],
)
def test_the_shipped_templates_name_who_monitors_and_how_often(db, code, bodies, every, months):
    template = f.shipped_template(code)
    assert (template.monitoring_bodies, template.monitoring_interval_months, template.monitoring_months) == (
        bodies,
        every,
        months,
    )


def test_chance_meets_every_three_months_for_eighteen_months(db):
    assert f.shipped_template(CHANCE).monitoring_schedule() == [3, 6, 9, 12, 15, 18]


def test_the_tajik_template_says_its_rhythm_is_an_assumption(db):
    notes = f.shipped_template("tj-consultation-room").notes
    assert "is an assumption to adapt" in notes.split("monitor the person")[1]


def test_a_template_naming_bodies_needs_an_interval_and_a_duration(db):
    template = ProgrammeTemplate(**{**_values(f.shipped_template(CHANCE)), "code": "x", "version": 9})
    template.monitoring_interval_months = None
    template.monitoring_months = None
    with pytest.raises(ValidationError) as exc:
        template.full_clean()
    assert exc.value.message_dict["monitoring_interval_months"] == [
        "Say how often the monitoring bodies meet the person."
    ]
    assert exc.value.message_dict["monitoring_months"] == ["Say for how many months the person is monitored."]
    template.monitoring_interval_months, template.monitoring_months = 6, 3
    with pytest.raises(ValidationError) as exc:
        template.full_clean()
    assert exc.value.message_dict["monitoring_interval_months"] == [
        "The interval is longer than the monitoring itself (3 months)."
    ]
    template.monitoring_bodies = ["court"]
    with pytest.raises(ValidationError) as exc:
        template.full_clean()
    assert "monitoring_bodies" in exc.value.message_dict


def _values(template):
    return {
        field.attname: getattr(template, field.attname)
        for field in ProgrammeTemplate._meta.concrete_fields
        if not field.primary_key and field.name != "created_at"
    }


def test_a_providers_copy_keeps_the_monitoring_and_may_change_it(users, orgs):
    own = programme_services.template_copy(template=f.shipped_template(CHANCE), provider=orgs["provider"],
                                           by=users["manager"])  # fmt: skip
    assert own.monitoring_bodies == ["social_development"]
    edited = programme_services.template_update(
        template=own, by=users["manager"], monitoring_bodies=["social_development", "local_government"],
        monitoring_interval_months=6, monitoring_months=12,
    )  # fmt: skip
    assert edited.monitoring_schedule() == [6, 12]


# --- naming the bodies and the schedule --------------------------------------------


@pytest.fixture
def completed(users, case):
    """Completed Chance's mandatory programme 10 days ago."""
    return bare_enrolment(case, f.shipped_template(CHANCE), users["psychologist"], status="completed",
                          starts_on=days(-40), ended_on=days(-10))  # fmt: skip


def test_naming_the_body_after_completion_schedules_its_meetings(users, orgs, completed):
    monitoring_body_assign(enrolment=completed, body_kind=K.SOCIAL_DEVELOPMENT,
                           organisation=orgs["social_development"], by=users["manager"])  # fmt: skip
    meetings = list(MonitoringMeeting.objects.filter(enrolment=completed).order_by("months"))
    assert [(m.months, m.due_on, m.status, m.organisation) for m in meetings] == [
        (months, add_months(days(-10), months), "due", orgs["social_development"]) for months in (3, 6, 9, 12, 15, 18)
    ]
    assert TimelineEntry.objects.filter(referral=completed.case.referral, kind="monitoring_body_assigned").count() == 1


def test_completing_the_programme_schedules_the_meetings_of_the_bodies_named(users, orgs):
    template = f.shipped_template(CHANCE)
    group = f.make_group(by=users["psychologist"], template=template, name="Chance men", starts_on=days(-20),
                         psychologist=users["psychologist"], social_worker=users["social_worker"])  # fmt: skip
    case = f.make_open_case(police=users["police"], provider=orgs["provider"], by=users["psychologist"])
    enrolment = f.enrol_case(case, by=users["psychologist"], template=template, group=group, starts_on=days(-27))
    monitoring_body_assign(enrolment=enrolment, body_kind=K.SOCIAL_DEVELOPMENT,
                           organisation=orgs["social_development"], by=users["psychologist"])  # fmt: skip
    assert not MonitoringMeeting.objects.filter(enrolment=enrolment).exists()
    attend_everything(enrolment, group, users["psychologist"])
    programme_services.enrolment_discharge(enrolment=enrolment, kind="completed", by=users["psychologist"],
                                           on=days(0))  # fmt: skip
    assert list(MonitoringMeeting.objects.filter(enrolment=enrolment).values_list("months", flat=True)) == [
        3, 6, 9, 12, 15, 18,
    ]  # fmt: skip


def test_no_body_named_no_meetings(users, completed):
    assert monitoring_schedule(enrolment=completed) == []


def test_a_dropout_is_not_monitored(users, orgs, case):
    dropped = bare_enrolment(case, f.shipped_template(CHANCE), users["psychologist"], status="dropped_out",
                             ended_on=days(-1))  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        monitoring_body_assign(enrolment=dropped, body_kind=K.SOCIAL_DEVELOPMENT,
                               organisation=orgs["social_development"], by=users["manager"])  # fmt: skip
    assert exc.value.message_dict == {"__all__": ["Only a person in the programme or who completed it is monitored."]}


def test_naming_again_moves_the_meetings_still_due(users, orgs, completed):
    monitoring_body_assign(enrolment=completed, body_kind=K.SOCIAL_DEVELOPMENT,
                           organisation=orgs["social_development"], by=users["manager"])  # fmt: skip
    first = MonitoringMeeting.objects.get(enrolment=completed, months=3)
    first.status, first.recorded_at, first.met_on, first.contact_made = "done", first.created_at, days(0), True
    first.save()
    other = f.make_org(K.SOCIAL_DEVELOPMENT, name="Social Development, Chuy region")
    monitoring_body_assign(enrolment=completed, body_kind=K.SOCIAL_DEVELOPMENT, organisation=other,
                           by=users["manager"])  # fmt: skip
    by_months = dict(MonitoringMeeting.objects.filter(enrolment=completed).values_list("months", "organisation"))
    assert by_months == {3: orgs["social_development"].pk, **{m: other.pk for m in (6, 9, 12, 15, 18)}}
    assert MonitoringAssignment.objects.get(enrolment=completed).organisation == other


@pytest.mark.parametrize(
    ("kind", "org_key", "error"),
    [
        ("police_unit", "police", {"body_kind": ["The programme names no monitoring body of this kind."]}),
        ("social_development", "local_government",
         {"organisation": ["Choose an active organisation of this kind in the provider's country."]}),
    ],
)  # fmt: skip
def test_a_body_must_be_of_a_kind_the_programme_names(users, orgs, completed, kind, org_key, error):
    with pytest.raises(ValidationError) as exc:
        monitoring_body_assign(enrolment=completed, body_kind=kind, organisation=orgs[org_key], by=users["manager"])
    assert exc.value.message_dict == error


def test_a_body_of_another_country_is_refused(users, completed):
    tajik = f.make_org(K.SOCIAL_DEVELOPMENT, country="TJ", name="Dushanbe social development")
    with pytest.raises(ValidationError) as exc:
        monitoring_body_assign(enrolment=completed, body_kind=K.SOCIAL_DEVELOPMENT, organisation=tajik,
                               by=users["manager"])  # fmt: skip
    assert list(exc.value.message_dict) == ["organisation"]


@pytest.mark.parametrize("who", ["monitoring_officer", "other_psychologist", "police", "survivor_worker"])
def test_only_the_providers_staff_name_the_bodies(users, orgs, completed, who):
    with pytest.raises(PermissionDenied):
        monitoring_body_assign(enrolment=completed, body_kind=K.SOCIAL_DEVELOPMENT,
                               organisation=orgs["social_development"], by=users[who])  # fmt: skip


# --- recording a meeting ---------------------------------------------------------------


@pytest.fixture
def meeting(users, orgs, completed):
    monitoring_body_assign(enrolment=completed, body_kind=K.SOCIAL_DEVELOPMENT,
                           organisation=orgs["social_development"], by=users["manager"])  # fmt: skip
    return MonitoringMeeting.objects.get(enrolment=completed, months=3)


def record(meeting, by, **overrides):
    values = {"met_on": days(0), "contact_made": True, "new_violence": False, "note": "Calm, works again."}
    return monitoring_meeting_record(meeting=meeting, by=by, **{**values, **overrides})


def test_the_body_records_its_meeting(users, meeting):
    recorded = record(meeting, users["monitoring_officer"])
    assert (recorded.status, recorded.met_on, recorded.contact_made, recorded.new_violence) == (
        "done", days(0), True, False,
    )  # fmt: skip
    entry = TimelineEntry.objects.get(kind="monitoring_meeting")
    assert entry.params == {
        "met_on": days(0).isoformat(),
        "body": "social_development",
        "contact_made": True,
        "new_violence": False,
    }
    assert not case_events().exists()


def test_the_note_is_encrypted_at_rest(users, meeting):
    record(meeting, users["monitoring_officer"], note="He says the family is calm")
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM outcomes_monitoringmeeting WHERE id = %s", [meeting.pk])
        raw = cursor.fetchone()[0]
    assert "calm" not in raw
    assert MonitoringMeeting.objects.get(pk=meeting.pk).note == "He says the family is calm"


def test_no_contact_is_a_missed_meeting(users, meeting):
    assert record(meeting, users["monitoring_officer"], contact_made=False).status == "missed"


def test_new_violence_raises_the_new_violence_safety_event_once(users, orgs, meeting):
    from casework.services import survivor_service_refer

    case = meeting.enrolment.case
    survivor_service_refer(case=case, organisation=orgs["survivor_service"], by=users["social_worker"])
    record(meeting, users["monitoring_officer"], new_violence=True, note="Neighbours heard shouting")
    record(meeting, users["monitoring_officer"], new_violence=True, note="Recorded again")
    event = case_events().get()
    assert (event.kind, event.case_id) == ("new_violence", meeting.enrolment.case_id)
    assert event.facts == {"reported_on": days(0).isoformat(), "reported_by": "social_development"}
    assert event.dedupe_key == f"new_violence:monitoring:{meeting.pk}"
    assert set(event.notices.values_list("organisation", flat=True)) >= {orgs["survivor_service"].pk}
    entries = TimelineEntry.objects.filter(kind="monitoring_meeting")
    details = [entry.detail_text for entry in entries] + [str(entry.params) for entry in entries]
    assert "shouting" not in str(event.facts) and not [d for d in details if "shouting" in d or "Recorded" in d]
    assert {entry.params["new_violence"] for entry in entries} == {True}
    assert all(entry.detail_text.endswith(": contact made; new violence reported") for entry in entries)


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"met_on": None}, {"met_on": ["Enter the date."]}),
        ({"met_on": days(1)}, {"met_on": ["This date is in the future."]}),
        ({"met_on": days(-11)}, {"met_on": [f"A monitoring meeting is after the programme, which ended on "
                                            f"{days(-10):%d.%m.%Y}."]}),
        ({"contact_made": None}, {"contact_made": ["Say whether contact was made."]}),
        ({"new_violence": None}, {"new_violence": ["Say whether new violence was reported."]}),
        ({"note": "x" * (NOTE_MAX_LENGTH + 1)}, {"note": [f"Keep the note under {NOTE_MAX_LENGTH} characters."]}),
    ],
)  # fmt: skip
def test_a_meeting_is_refused_field_by_field(users, meeting, overrides, errors):
    with pytest.raises(ValidationError) as exc:
        record(meeting, users["monitoring_officer"], **overrides)
    assert exc.value.message_dict == errors


@pytest.mark.parametrize("who", ["social_officer", "police", "psychologist", "manager", "monitoring"])
def test_only_the_named_body_records_its_meeting(users, meeting, who):
    with pytest.raises(PermissionDenied):
        record(meeting, users[who])


def test_an_admin_of_the_body_does_not_record_meetings(users, orgs, meeting):
    admin = f.make_user(orgs["social_development"], Role.ORG_ADMIN, "sd_admin")
    with pytest.raises(PermissionDenied):
        record(meeting, admin)


def test_the_note_reaches_no_log(users, orgs, meeting, caplog):
    from casework.services import survivor_service_refer

    survivor_service_refer(
        case=meeting.enrolment.case, organisation=orgs["survivor_service"], by=users["social_worker"]
    )
    caplog.set_level("DEBUG")
    record(meeting, users["monitoring_officer"], new_violence=True, note="Neighbours heard shouting at night")
    assert caplog.records  # the safety event is logged ...
    assert "shouting" not in caplog.text  # ... without the note
    assert "shouting" not in str(MonitoringMeeting.objects.get(pk=meeting.pk))


TAJIK = "tj-consultation-room"


@pytest.mark.parametrize(
    ("template", "kind", "org_key", "who"),
    [
        (CHANCE, K.SOCIAL_DEVELOPMENT, "social_development", "monitoring_officer"),
        (TAJIK, K.LOCAL_GOVERNMENT, "local_government", "social_officer"),
    ],
)
def test_new_violence_at_any_bodys_meeting_tells_whom_a_police_report_tells(
    users, orgs, case, template, kind, org_key, who
):
    """The state department's and the hukumat's reports raise the event the
    police's report raises: the same recipients, each as urgently."""
    from casework.services import survivor_service_refer
    from notifications.services import new_violence_report

    def told(event):
        return sorted(event.notices.values_list("organisation__name", "role_hint", "urgency"))

    survivor_service_refer(case=case, organisation=orgs["survivor_service"], by=users["social_worker"])
    enrolment = bare_enrolment(case, f.shipped_template(template), users["psychologist"], status="completed",
                               starts_on=days(-40), ended_on=days(-10))  # fmt: skip
    monitoring_body_assign(enrolment=enrolment, body_kind=kind, organisation=orgs[org_key], by=users["manager"])
    meeting = MonitoringMeeting.objects.filter(enrolment=enrolment, organisation=orgs[org_key]).earliest("due_on")
    record(meeting, users[who], new_violence=True, note="Neighbours heard shouting")
    by_body = case_events().get()
    assert (by_body.kind, by_body.facts) == ("new_violence", {"reported_on": days(0).isoformat(), "reported_by": kind})

    other = f.make_open_case(police=users["police"], provider=orgs["provider"], by=users["psychologist"])
    survivor_service_refer(case=other, organisation=orgs["survivor_service"], by=users["social_worker"])
    with transaction.atomic():
        new_violence_report(case=other, by=users["police"], reported_on=days(0), summary="He came at night.")
    by_police = case_events().get(case=other)
    assert told(by_body) == told(by_police)
    assert {name for name, _hint, _urgency in told(by_body)} == {
        orgs["survivor_service"].name,
        orgs["police"].name,
        orgs["provider"].name,
    }
