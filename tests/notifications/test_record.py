"""Recording an event: in the caller's transaction, once per fact, with
non-personal facts only; and the hooks other apps call."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from casework import services as case_services
from casework.models import RiskInstrument
from notifications import services
from notifications.models import SafetyEvent, ViolenceReport
from programmes import services as programme_services
from programmes.models import Attendance, Enrolment, ProgrammeTemplate, Session
from referrals.services import referral_extend_order
from tests.notices import case_deliveries, case_events, case_notices
from tests.notifications.conftest import SURVIVOR_SECRETS, recipients, record
from tests.programmes.conftest import log

E = SafetyEvent.Kind
SERVICE = "Sezim Crisis Centre"
POLICE = "Bishkek City Police, Pervomaisky district"
PROVIDER = "Bishkek Consultation Room"


def test_the_same_fact_twice_is_one_event(case_with_service, contacts):
    first = record(E.DROPOUT, case_with_service, key="dropout:enrolment:7")
    second = record(E.DROPOUT, case_with_service, key="dropout:enrolment:7")
    assert first is not None
    assert second is None
    assert case_events().count() == 1
    assert case_notices().count() == 3
    assert case_deliveries().count() == 3 + 8


def test_a_different_fact_is_another_event(case_with_service):
    record(E.DROPOUT, case_with_service, key="dropout:enrolment:7")
    record(E.DROPOUT, case_with_service, key="dropout:enrolment:8")
    assert case_events().count() == 2


def test_it_keeps_the_facts_and_who_recorded_it(case_with_service, users):
    event = record(
        E.RISK_RAISED,
        case_with_service,
        facts={"from_level": "medium", "to_level": "high", "assessed_on": dt.date(2026, 3, 1)},
        by=users["psychologist"],
    )
    event.refresh_from_db()
    assert event.facts == {"from_level": "medium", "to_level": "high", "assessed_on": "2026-03-01"}
    assert event.created_by == users["psychologist"]


@pytest.mark.parametrize(
    "facts",
    [
        {"survivor_name": "x"},  # unknown key
        {"reported_by": "Асанова Айгуль"},  # a name is not a code
        {"reported_by": "Call +996700987654"},
        {"ending": "x" * 41},
        {"days_left": [1, 2]},
    ],
)
def test_it_refuses_facts_that_could_be_personal(case_with_service, facts):
    with pytest.raises(ValueError, match="fact"):
        record(E.DROPOUT, case_with_service, facts=facts)
    assert case_events().count() == 0


def test_it_refuses_an_unknown_kind(case_with_service):
    with pytest.raises(ValueError, match="kind"):
        record("rain", case_with_service)


def test_one_nudge_per_transaction(case_with_service):
    """The test's transaction already holds the nudge of the referral's
    acceptance: three more events add none."""
    with transaction.atomic():
        for n in range(3):
            services.safety_event_record(
                kind=E.DROPOUT, case=case_with_service, facts={}, dedupe_key=f"dropout:test:{n}"
            )
    pending = [entry[1] for entry in connection.run_on_commit]
    assert pending.count(services.nudge_relay) == 1


def test_a_rolled_back_change_leaves_no_notification(case_with_service):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        services.safety_event_record(kind=E.DROPOUT, case=case_with_service, facts={}, dedupe_key="dropout:x")
        raise Boom
    assert not case_events().exists()
    assert not case_deliveries().exists()


@pytest.mark.django_db(transaction=True)
def test_it_must_run_inside_the_callers_transaction(case_with_service):
    assert not connection.in_atomic_block
    with pytest.raises(RuntimeError, match="inside the transaction"):
        services.safety_event_record(kind=E.DROPOUT, case=case_with_service, facts={}, dedupe_key="dropout:y")
    assert not case_events().exists()


# --- risk raised (casework) -------------------------------------------------------


def _reassess(case, by, **answers):
    return case_services.risk_reassess(
        case=case, by=by, instrument=RiskInstrument.objects.get(code="basic-checklist"), answers=answers
    )


def test_a_higher_risk_level_is_an_event(case_with_service, users):
    assert case_with_service.current_risk_level == "high"
    assessment = _reassess(
        case_with_service, users["psychologist"], threat_to_kill=True, strangulation=True, weapon=True, escalation=True
    )
    event = case_events().get()
    assert (event.kind, event.dedupe_key) == ("risk_raised", f"risk_raised:assessment:{assessment.pk}")
    assert event.facts == {"from_level": "high", "to_level": "severe", "assessed_on": timezone.localdate().isoformat()}
    assert event.created_by == users["psychologist"]
    assert set(recipients(event)) == {"Sezim Crisis Centre", "Bishkek City Police, Pervomaisky district"}


def test_the_same_or_a_lower_level_is_not(case_with_service, users):
    _reassess(case_with_service, users["psychologist"], threat_to_kill=True)  # high again
    _reassess(case_with_service, users["psychologist"])  # low
    assert not case_events().exists()
    _reassess(case_with_service, users["psychologist"], threat_to_kill=True)  # low → high
    assert case_events().get().facts["from_level"] == "low"


def test_the_initial_assessment_is_not_a_raise(case_with_service):
    assert not case_events().exists()


# --- enrolment endings and missed sessions (programmes hooks) ---------------------


@pytest.fixture
def enrolment(case_with_service, users):
    template = ProgrammeTemplate.objects.filter(provider=None, country="KG").order_by("id").first()
    return Enrolment.objects.create(
        case=case_with_service,
        template=template,
        provider=case_with_service.provider,
        psychologist=users["psychologist"],
        starts_on=timezone.localdate() - dt.timedelta(days=14),
        enrolled_by=users["psychologist"],
        # Enrolled in time for the sessions below (none at short notice).
        enrolled_at=timezone.now() - dt.timedelta(days=15),
    )


def _session(enrolment, number: int, days_ago: int) -> Session:
    return Session.objects.create(
        provider=enrolment.provider,
        kind=Session.Kind.INDIVIDUAL,
        enrolment=enrolment,
        number=number,
        starts_at=timezone.now() - dt.timedelta(days=days_ago),
        duration_minutes=60,
        facilitator=enrolment.psychologist,
    )


@pytest.mark.parametrize(
    ("status", "kind"),
    [("dropped_out", "dropout"), ("deselected", "dropout"), ("expelled", "expulsion"), ("completed", "completion")],
)
def test_an_ended_enrolment_is_its_event(enrolment, users, status, kind):
    session = _session(enrolment, 1, 7)
    Attendance.objects.create(session=session, enrolment=enrolment, mark="present", recorded_by=users["psychologist"])
    enrolment.status = status
    enrolment.ended_on = timezone.localdate()
    enrolment.save()
    with transaction.atomic():
        event = services.enrolment_ended_notify(enrolment, by=users["psychologist"])
    assert (event.kind, event.dedupe_key) == (kind, f"{kind}:enrolment:{enrolment.pk}")
    assert event.facts == {
        "ended_on": timezone.localdate().isoformat(),
        "ending": status,
        "mandatory": True,
        "sessions_attended": 1,
        # An expulsion says whether it was for new violence (urgent if so).
        **({"for_violence": False} if status == "expelled" else {}),
    }
    with transaction.atomic():
        assert services.enrolment_ended_notify(enrolment) is None  # the sweep finds it again: no second event


def test_a_dropout_discharge_is_recorded_as_the_discharging_users(enrolment, users, contacts):
    """GIVEN a mandatory referral's enrolment WHEN the social worker records
    that he dropped out THEN one dropout event, recorded as hers, reaches the
    survivor service, the police and the provider; a sweep or a second
    discharge adds nothing."""
    social_worker = users["social_worker"]
    programme_services.enrolment_discharge(
        enrolment=enrolment, kind="dropped_out", by=social_worker, on=timezone.localdate(), reason="Stopped coming"
    )
    event = case_events().get()
    assert (event.kind, event.dedupe_key, event.created_by) == (
        "dropout",
        f"dropout:enrolment:{enrolment.pk}",
        social_worker,
    )
    assert event.facts == {
        "ended_on": timezone.localdate().isoformat(),
        "ending": "dropped_out",
        "mandatory": True,
        "sessions_attended": 0,
    }
    assert recipients(event) == {
        SERVICE: ("survivor_service", False),
        POLICE: ("police", False),
        PROVIDER: ("provider", False),
    }

    assert services.dropout_sweep() == 0
    with pytest.raises(ValidationError) as exc:
        programme_services.enrolment_discharge(
            enrolment=enrolment,
            kind="dropped_out",
            by=users["psychologist"],
            on=timezone.localdate(),
            reason="Stopped coming",
        )
    assert exc.value.message_dict == {"__all__": ["This enrolment has already ended."]}
    assert case_events().count() == 1


def test_a_transfer_is_not_a_safety_event(enrolment):
    enrolment.status = "transferred"
    with transaction.atomic():
        assert services.enrolment_ended_notify(enrolment) is None
    assert not case_events().exists()


def test_a_missed_session_inside_the_order_reaches_the_police(enrolment):
    session = _session(enrolment, 3, 1)
    with transaction.atomic():
        event = services.attendance_missed_notify(enrolment=enrolment, session=session)
    referral = enrolment.case.referral
    assert event.kind == "non_compliance"
    assert event.facts == {
        "missed_on": session.local_date.isoformat(),
        "session_number": 3,
        "session_kind": "individual",
        "order_expires_on": referral.order_expires_on.isoformat(),
    }
    assert set(recipients(event)) == {"Bishkek City Police, Pervomaisky district"}


def test_a_missed_session_after_the_order_expired_is_not_non_compliance(enrolment):
    referral = enrolment.case.referral
    referral.order_issued_on = timezone.localdate() - dt.timedelta(days=30)
    referral.order_expires_on = timezone.localdate() - dt.timedelta(days=5)
    referral.save()
    session = _session(enrolment, 3, 1)
    with transaction.atomic():
        assert services.attendance_missed_notify(enrolment=enrolment, session=session) is None


def test_a_missed_session_of_a_voluntary_participant_is_not_non_compliance(enrolment):
    referral = enrolment.case.referral
    referral.order_obliges_programme = False
    referral.save()
    with transaction.atomic():
        assert services.attendance_missed_notify(enrolment=enrolment, session=_session(enrolment, 2, 1)) is None


def _order(enrolment, *, issued: dt.date | None, expires: dt.date):
    referral = enrolment.case.referral
    referral.order_issued_on = issued
    referral.order_expires_on = expires
    referral.save()
    return referral


def _missed(enrolment, session) -> SafetyEvent | None:
    with transaction.atomic():
        return services.attendance_missed_notify(enrolment=enrolment, session=session)


@pytest.mark.parametrize(("expires_after", "recorded"), [(0, True), (-1, False)])
def test_the_expiry_day_is_still_inside_the_order(enrolment, expires_after, recorded):
    """The order runs through its expiry day (as the expiry sweep counts it):
    an absence on that day is non-compliance, one the day after is not."""
    session = _session(enrolment, 2, 3)
    day = session.local_date
    _order(enrolment, issued=day - dt.timedelta(days=30), expires=day + dt.timedelta(days=expires_after))
    event = _missed(enrolment, session)
    assert (event is not None) is recorded
    if recorded:
        assert event.facts["missed_on"] == event.facts["order_expires_on"] == day.isoformat()


@pytest.mark.parametrize(("issued_after", "recorded"), [(1, False), (0, True)])
def test_an_absence_before_the_order_was_issued_is_not_non_compliance(enrolment, issued_after, recorded):
    """The day the order is issued counts; the day before it does not."""
    session = _session(enrolment, 2, 3)
    day = session.local_date
    _order(enrolment, issued=day + dt.timedelta(days=issued_after), expires=day + dt.timedelta(days=30))
    assert (_missed(enrolment, session) is not None) is recorded
    assert case_events().filter(kind="non_compliance").exists() is recorded


def test_an_absence_after_the_original_expiry_counts_within_the_extension(enrolment, users):
    """GIVEN an order that expired five days ago but was extended (before it
    expired) for another month WHEN he missed a session yesterday THEN that
    is non-compliance, and the notice gives the new expiry."""
    today = timezone.localdate()
    referral = _order(enrolment, issued=today - dt.timedelta(days=30), expires=today - dt.timedelta(days=5))
    referral_extend_order(
        referral=referral,
        by=users["police"],
        extended_on=today - dt.timedelta(days=7),
        new_expiry=today + dt.timedelta(days=30),
        obliges_programme=True,
    )
    event = _missed(enrolment, _session(enrolment, 2, 1))
    assert event.kind == "non_compliance"
    assert event.facts["order_expires_on"] == (today + dt.timedelta(days=30)).isoformat()


def test_logging_an_unexcused_absence_tells_the_police(enrolment, users, contacts):
    """Through the attendance logging service: the police get the date, the
    session and the order's expiry, recorded as the facilitator's. (This
    mandatory template's rule makes one unexcused absence a dropout too.)"""
    psychologist = users["psychologist"]
    session = _session(enrolment, 2, 1)
    log(session, psychologist, {enrolment: "unexcused"})
    assert sorted(case_events().values_list("kind", flat=True)) == [
        "dropout",
        "non_compliance",
    ]
    event = case_events().get(kind="non_compliance")
    assert (event.kind, event.case, event.created_by, event.dedupe_key) == (
        "non_compliance",
        enrolment.case,
        psychologist,
        f"non_compliance:enrolment:{enrolment.pk}:session:{session.pk}",
    )
    assert event.facts == {
        "missed_on": session.local_date.isoformat(),
        "session_number": 2,
        "session_kind": "individual",
        "order_expires_on": enrolment.case.referral.order_expires_on.isoformat(),
    }
    assert recipients(event) == {POLICE: ("police", False)}
    assert sorted(
        case_deliveries().filter(event=event).exclude(channel="inbox").values_list("user__username", "channel")
    ) == [("police", "email"), ("police", "sms"), ("police2", "email"), ("police2", "sms")]


def test_an_excused_absence_records_nothing(enrolment, users):
    log(_session(enrolment, 2, 1), users["psychologist"], {enrolment: "excused"})
    assert Attendance.objects.get(enrolment=enrolment).mark == "excused"
    assert not case_events().exists()


def test_logging_the_same_absence_again_records_no_second_event(enrolment, users):
    """Logging the session again, even after correcting the mark to excused
    and back, keeps the one event the first logging recorded."""
    session = _session(enrolment, 2, 1)
    log(session, users["psychologist"], {enrolment: "unexcused"})
    log(session, users["social_worker"], {enrolment: "unexcused"})
    assert case_events().filter(kind="non_compliance").count() == 1
    log(session, users["social_worker"], {enrolment: "excused"})
    log(session, users["social_worker"], {enrolment: "unexcused"})
    event = case_events().get(kind="non_compliance")
    assert event.created_by == users["psychologist"]
    assert case_notices().filter(event=event).count() == 1
    assert case_events().count() == 2  # and the one dropout of this mandatory template's rule


# --- new violence ------------------------------------------------------------------

SUMMARY = "He came to her sister's flat at night and hit her."


@pytest.mark.parametrize("role", ["psychologist", "social_worker", "survivor_worker", "police"])
def test_people_on_the_case_report_new_violence(case_with_service, users, role):
    report = services.new_violence_report(
        case=case_with_service, by=users[role], reported_on=timezone.localdate(), summary=SUMMARY
    )
    assert report.summary == SUMMARY
    event = case_events().get()
    assert (event.kind, event.dedupe_key, event.created_by) == (
        "new_violence",
        f"new_violence:report:{report.pk}",
        users[role],
    )
    assert event.facts["reported_on"] == timezone.localdate().isoformat()
    assert SUMMARY not in str(event.facts)
    assert set(recipients(event)) == {
        "Sezim Crisis Centre",
        "Bishkek City Police, Pervomaisky district",
        "Bishkek Consultation Room",
    }


def test_the_summary_is_encrypted_at_rest(case_with_service, users):
    report = services.new_violence_report(
        case=case_with_service, by=users["survivor_worker"], reported_on=timezone.localdate(), summary=SUMMARY
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT summary FROM notifications_violencereport WHERE id = %s", [report.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("fernet:")
    assert "sister" not in stored


@pytest.mark.parametrize("role", ["manager", "provider_admin", "monitoring", "other_police", "other_psychologist"])
def test_others_may_not_report_violence(case_with_service, users, role):
    with pytest.raises(PermissionDenied):
        services.new_violence_report(
            case=case_with_service, by=users[role], reported_on=timezone.localdate(), summary=SUMMARY
        )
    assert not ViolenceReport.objects.exists()


def test_a_survivor_worker_of_a_service_not_on_the_case_may_not(case, users):
    with pytest.raises(PermissionDenied):
        services.new_violence_report(
            case=case, by=users["survivor_worker"], reported_on=timezone.localdate(), summary=SUMMARY
        )


def test_it_rejects_a_future_date_and_an_empty_summary(case_with_service, users):
    with pytest.raises(ValidationError) as exc:
        services.new_violence_report(
            case=case_with_service,
            by=users["psychologist"],
            reported_on=timezone.localdate() + dt.timedelta(days=1),
            summary="  ",
        )
    assert exc.value.message_dict == {
        "reported_on": ["This date is in the future."],
        "summary": ["Describe what happened."],
    }
    assert not ViolenceReport.objects.exists()
    assert not case_events().exists()


def test_no_survivor_data_in_events_or_logs(case_with_service, users, caplog):
    caplog.set_level("DEBUG")
    services.new_violence_report(
        case=case_with_service, by=users["police"], reported_on=timezone.localdate(), summary=SUMMARY
    )
    text = caplog.text + str(list(case_events().values()))
    for secret in (*SURVIVOR_SECRETS, SUMMARY, case_with_service.referral.person.family_name):
        assert secret not in text
