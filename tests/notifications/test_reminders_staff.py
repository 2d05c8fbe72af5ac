"""Staff reminders: unlogged sessions, risk reassessments, safety-plan
reviews and follow-ups that are due. Each once per thing, due date and
recipient; in the inbox and by email as the staff contact settings allow;
never a safety notice; never survivor data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import F
from django.utils import formats, timezone, translation

from accounts.scope import Scope
from casework import services as case_services
from casework.models import Case, RiskAssessment, RiskInstrument
from notifications.models import Delivery, Reminder, StaffContact
from notifications.relay import relay_deliveries
from notifications.reminder_texts import staff_email, staff_summary
from notifications.reminders import (
    risk_reassessment_reminders,
    safety_plan_review_reminders,
    unlogged_session_reminders,
)
from notifications.selectors import notice_list_for, open_counts
from programmes import services as programme_services
from tests import factories as f
from tests.notices import case_deliveries, case_notices
from tests.notifications.conftest import SURVIVOR_SECRETS
from tests.notifications.reminder_support import days, first_session, group_starting, local, person_in

K = Reminder.Kind


@pytest.fixture(autouse=True)
def _reminder_settings(settings):
    settings.REMIND_UNLOGGED_AFTER_HOURS = 24
    settings.REMIND_UNLOGGED_LOOKBACK_DAYS = 14
    settings.REMIND_RISK_DAYS_SEVERE = 14
    settings.REMIND_RISK_DAYS_HIGH = 30
    settings.REMIND_RISK_DAYS_MEDIUM = 60
    settings.REMIND_RISK_DAYS_LOW = 90
    settings.NOTIFY_SITE_URL = ""


def recipients(reminder: Reminder) -> set[tuple[str, str]]:
    return {(d.user.username, d.channel) for d in reminder.deliveries.select_related("user")}


def assert_no_survivor_data(*texts: str) -> None:
    for text in texts:
        for secret in SURVIVOR_SECRETS:
            assert secret.lower() not in text.lower(), (secret, text)


# --- unlogged sessions -------------------------------------------------------------


@pytest.fixture
def past_group(users, orgs, contacts):
    """A men's group whose first session was three days ago, with one man
    whose two individual sessions before it were logged."""
    group = group_starting(users, days(-3))
    enrolment = person_in(users, orgs, group)
    for session in enrolment.individual_sessions.all():
        programme_services.attendance_log(
            session=session, by=users["psychologist"], marks={enrolment.pk: "present"}, topic_covered="Intake"
        )
    return group


def test_an_unlogged_session_reminds_its_facilitators_in_the_inbox_and_by_email(past_group, users):
    session = first_session(past_group)
    now = session.ends_at + dt.timedelta(hours=25)
    assert unlogged_session_reminders(now=now) == 1
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.session, reminder.case, reminder.organisation.name) == (
        "unlogged_session",
        session,
        None,
        "Bishkek Consultation Room",
    )
    assert recipients(reminder) == {
        ("psychologist", "inbox"),
        ("psychologist", "email"),
        ("social_worker", "inbox"),
        ("social_worker", "email"),
    }
    inbox = reminder.deliveries.filter(channel="inbox")
    assert {(d.status, d.sent_at) for d in inbox} == {("sent", now)}
    assert {d.status for d in reminder.deliveries.filter(channel="email")} == {"pending"}


def test_the_n_hours_boundary(past_group):
    session = first_session(past_group)
    assert unlogged_session_reminders(now=session.ends_at + dt.timedelta(hours=24)) == 0
    assert unlogged_session_reminders(now=session.ends_at + dt.timedelta(hours=24, minutes=1)) == 1


def test_the_hours_come_from_the_setting(past_group, settings):
    settings.REMIND_UNLOGGED_AFTER_HOURS = 2
    session = first_session(past_group)
    assert unlogged_session_reminders(now=session.ends_at + dt.timedelta(hours=1, minutes=59)) == 0
    assert unlogged_session_reminders(now=session.ends_at + dt.timedelta(hours=2, minutes=1)) == 1


def test_twice_is_once(past_group):
    now = first_session(past_group).ends_at + dt.timedelta(hours=30)
    assert unlogged_session_reminders(now=now) == 1
    assert unlogged_session_reminders(now=now + dt.timedelta(hours=1)) == 0
    assert (
        Reminder.objects.count(),
        case_deliveries().filter(reminder__isnull=False).count(),
    ) == (1, 4)


def test_logged_or_cancelled_sessions_are_not_reminded(past_group, users):
    session = first_session(past_group)
    second = past_group.sessions.get(number=2)
    enrolment = past_group.enrolments.get()
    programme_services.attendance_log(
        session=session, by=users["psychologist"], marks={enrolment.pk: "present"}, topic_covered="Anger"
    )
    now = second.ends_at + dt.timedelta(hours=30)
    programme_services.session_cancel(session=second, reason="Holiday", by=users["psychologist"])
    assert unlogged_session_reminders(now=now) == 0


def test_sessions_older_than_the_look_back_are_left_alone(past_group):
    session = first_session(past_group)
    # Session 1 became due (24 hours after its end) 15 days ago: too long
    # ago. Sessions 2 and 3 (a week and two weeks later) are reminded.
    unlogged_session_reminders(now=session.ends_at + dt.timedelta(days=16))
    assert sorted(Reminder.objects.values_list("session__number", flat=True)) == [2, 3]
    Reminder.objects.all().delete()
    unlogged_session_reminders(now=session.ends_at + dt.timedelta(days=15))
    assert sorted(Reminder.objects.values_list("session__number", flat=True)) == [1, 2]


def test_email_follows_the_contact_settings(past_group, users):
    StaffContact.objects.filter(user=users["social_worker"]).delete()
    StaffContact.objects.create(user=users["social_worker"], email_enabled=False)
    unlogged_session_reminders(now=first_session(past_group).ends_at + dt.timedelta(hours=30))
    assert recipients(Reminder.objects.get()) == {
        ("psychologist", "inbox"),
        ("psychologist", "email"),
        ("social_worker", "inbox"),
    }


def test_a_facilitator_who_left_is_replaced_by_the_managers(past_group, users):
    for name in ("psychologist", "social_worker"):
        users[name].is_active = False
        users[name].save(update_fields=["is_active"])
    unlogged_session_reminders(now=first_session(past_group).ends_at + dt.timedelta(hours=30))
    assert recipients(Reminder.objects.get()) == {("manager", "inbox"), ("manager", "email")}


def test_the_email_is_sent_by_the_relay_and_says_no_more_than_the_session(past_group, mailoutbox):
    session = first_session(past_group)
    now = session.ends_at + dt.timedelta(hours=30)
    unlogged_session_reminders(now=now)
    result = relay_deliveries(now=now)
    assert result.sent == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["psychologist@example.org", "social_worker@example.org"]
    message = mailoutbox[0]
    # English short date and time as the region writes them, e.g. "19.11.2026 15:00", local time.
    with translation.override("en"):
        when = formats.date_format(timezone.localtime(session.starts_at), "SHORT_DATETIME_FORMAT")
    assert when == f"{timezone.localtime(session.starts_at):%d.%m.%Y} 15:00"
    assert message.subject == "Attendance not logged"
    assert message.body == (
        f"Attendance of group session 1 ({past_group.name}) of {when} is not logged yet. Please sign in."
    )
    assert message.extra_headers["Message-ID"].startswith("<reminder-delivery-")
    assert relay_deliveries(now=now + dt.timedelta(minutes=5)).claimed == 0


def test_a_session_logged_before_the_email_goes_is_not_emailed(past_group, users, mailoutbox):
    session = first_session(past_group)
    now = session.ends_at + dt.timedelta(hours=30)
    unlogged_session_reminders(now=now)
    programme_services.attendance_log(
        session=session, by=users["psychologist"], marks={past_group.enrolments.get().pk: "late"}, topic_covered="X"
    )
    result = relay_deliveries(now=now)
    assert (result.sent, result.cancelled, len(mailoutbox)) == (0, 2, 0)
    assert set(case_deliveries().filter(channel="email").values_list("status", "last_error")) == {("cancelled", "done")}


def test_reminders_are_not_safety_notices(past_group, users):
    unlogged_session_reminders(now=first_session(past_group).ends_at + dt.timedelta(hours=30))
    scope = Scope.for_user(users["psychologist"])
    assert not case_notices().exists()
    assert list(notice_list_for(scope, state="all")) == []
    assert open_counts(scope) == (0, 0)


def test_a_reminder_email_that_keeps_failing_does_not_escalate(past_group, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_reminders_staff.BrokenMail"
    settings.NOTIFY_MAX_ATTEMPTS = 1
    now = first_session(past_group).ends_at + dt.timedelta(hours=30)
    unlogged_session_reminders(now=now)
    result = relay_deliveries(now=now)
    assert (result.failed, result.sent) == (2, 0)
    assert case_deliveries().count() == 4  # nothing added at a higher level
    assert set(case_deliveries().values_list("escalation_level", flat=True)) == {0}


class BrokenMail:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise TimeoutError


# --- risk reassessment ---------------------------------------------------------------


def _age(assessment: RiskAssessment, days_ago: int, level: str | None = None) -> None:
    values = {"assessed_at": local(days(-days_ago), 11)}
    if level:
        values["level"] = level
    RiskAssessment.objects.filter(pk=assessment.pk).update(**values)


@pytest.fixture
def risk_case(case_with_service, contacts):
    return case_with_service


@pytest.mark.parametrize(("level", "interval"), [("severe", 14), ("high", 30), ("medium", 60), ("low", 90)])
def test_a_reassessment_is_due_after_the_interval_of_its_level(risk_case, level, interval):
    assessment = risk_case.risk_assessments.get()
    _age(assessment, interval - 1, level)
    assert risk_reassessment_reminders(now=local(days(0), 12)) == 0
    _age(assessment, interval)
    assert risk_reassessment_reminders(now=local(days(0), 12)) == 1
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.case, reminder.due_on) == ("risk_reassessment", risk_case, days(0))
    assert reminder.facts == {"assessment": assessment.pk, "level": level, "assessed_on": days(-interval).isoformat()}


def test_the_interval_comes_from_the_settings(risk_case, settings):
    settings.REMIND_RISK_DAYS_HIGH = 7
    _age(risk_case.risk_assessments.get(), 7, "high")
    assert risk_reassessment_reminders(now=local(days(0), 12)) == 1


def test_it_goes_to_the_cases_psychologist(risk_case):
    _age(risk_case.risk_assessments.get(), 40, "high")
    risk_reassessment_reminders(now=local(days(0), 12))
    # No enrolment yet: the psychologist who assessed.
    assert recipients(Reminder.objects.get()) == {("psychologist", "inbox"), ("psychologist", "email")}


def test_the_psychologist_of_the_active_enrolment_comes_first(risk_case, users, orgs):
    second = f.make_user(orgs["provider"], "psychologist", "second_psychologist")
    group = group_starting(users, days(14))
    f.enrol_case(risk_case, by=users["psychologist"], template=group.template, group=group, psychologist=second)
    _age(risk_case.risk_assessments.get(), 40, "high")
    risk_reassessment_reminders(now=local(days(0), 12))
    assert recipients(Reminder.objects.get()) == {("second_psychologist", "inbox")}


def test_only_the_latest_assessment_counts(risk_case, users):
    old = risk_case.risk_assessments.get()
    _age(old, 100, "high")
    new = case_services.risk_reassess(
        case=risk_case,
        by=users["psychologist"],
        instrument=RiskInstrument.objects.get(code="basic-checklist"),
        answers={"threat_to_kill": True},
    )
    _age(new, 10, "high")
    assert risk_reassessment_reminders(now=local(days(0), 12)) == 0
    _age(new, 30)
    assert risk_reassessment_reminders(now=local(days(0), 12)) == 1
    assert Reminder.objects.get().facts["assessment"] == new.pk


def test_closed_cases_are_not_reminded(risk_case):
    _age(risk_case.risk_assessments.get(), 40, "high")
    Case.objects.filter(pk=risk_case.pk).update(status=Case.Status.CLOSED)
    assert risk_reassessment_reminders(now=local(days(0), 12)) == 0


def test_a_new_assessment_stops_the_email_and_is_reminded_when_due(risk_case, users, mailoutbox):
    _age(risk_case.risk_assessments.get(), 40, "high")
    now = local(days(0), 12)
    assert risk_reassessment_reminders(now=now) == 1
    assert risk_reassessment_reminders(now=now) == 0
    new = case_services.risk_reassess(
        case=risk_case,
        by=users["psychologist"],
        instrument=RiskInstrument.objects.get(code="basic-checklist"),
        answers={"threat_to_kill": True},
    )
    relay_deliveries(now=now)
    assert mailoutbox == []
    assert case_deliveries().get(reminder__kind="risk_reassessment", channel="email").last_error == "done"
    _age(new, 30)
    assert risk_reassessment_reminders(now=now) == 1
    assert Reminder.objects.filter(kind="risk_reassessment").count() == 2


def test_the_risk_email_names_the_case_only(risk_case, mailoutbox):
    assessment = risk_case.risk_assessments.get()
    _age(assessment, 40, "high")
    now = local(days(0), 12)
    risk_reassessment_reminders(now=now)
    relay_deliveries(now=now)
    (message,) = mailoutbox
    assert message.subject == f"Risk reassessment due on case {risk_case.number}"
    assert message.body == (
        f"A risk reassessment on case {risk_case.number} is due (last assessed on {days(-40):%d.%m.%Y}). "
        "Please sign in."
    )
    assert_no_survivor_data(message.subject, message.body)


# --- safety-plan review --------------------------------------------------------------


@pytest.fixture
def plan(case_with_service, users, contacts):
    survivor = case_with_service.referral.survivors.get()
    return case_services.safety_plan_save(
        case=case_with_service,
        survivor=survivor,
        by=users["survivor_worker"],
        risks="Тайный risk: he knows кв. 3",
        safe_contacts="Sister Айгуль +996700987654",
        safe_places="Асанова's friend, мкр. Тайный 7",
        code_word="Тайный",
        children_safety="School pick-up by Асанова",
        next_review_on=days(7),
    )


def test_a_review_is_due_on_its_date(plan, case_with_service):
    assert safety_plan_review_reminders(now=local(days(6), 12)) == 0
    assert safety_plan_review_reminders(now=local(days(7), 0, 1)) == 1
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.safety_plan, reminder.case, reminder.due_on, reminder.organisation.name) == (
        "safety_plan_review",
        plan,
        case_with_service,
        days(7),
        "Sezim Crisis Centre",
    )
    # The crisis centre's worker, not the programme staff.
    assert recipients(reminder) == {("survivor_worker", "inbox"), ("survivor_worker", "email")}
    assert safety_plan_review_reminders(now=local(days(8), 12)) == 0


def test_a_new_review_date_reminds_again(plan, case_with_service, users):
    assert safety_plan_review_reminders(now=local(days(7), 12)) == 1
    case_services.safety_plan_save(
        case=case_with_service, survivor=plan.survivor, by=users["survivor_worker"], next_review_on=days(30)
    )
    assert safety_plan_review_reminders(now=local(days(29), 12)) == 0
    assert safety_plan_review_reminders(now=local(days(30), 12)) == 1
    assert sorted(Reminder.objects.values_list("due_on", flat=True)) == [days(7), days(30)]


def test_a_plan_reviewed_before_the_email_goes_is_not_emailed(plan, case_with_service, users, mailoutbox):
    now = local(days(7), 12)
    safety_plan_review_reminders(now=now)
    case_services.safety_plan_save(
        case=case_with_service, survivor=plan.survivor, by=users["survivor_worker"], next_review_on=days(40)
    )
    relay_deliveries(now=now)
    assert mailoutbox == []


def test_the_review_email_carries_no_survivor_data(plan, case_with_service, mailoutbox):
    now = local(days(7), 12)
    safety_plan_review_reminders(now=now)
    relay_deliveries(now=now)
    (message,) = mailoutbox
    assert message.to == ["survivor_worker@example.org"]
    assert message.subject == f"Safety-plan review due on case {case_with_service.number}"
    assert message.body == (
        f"A safety-plan review on case {case_with_service.number} is due on {days(7):%d.%m.%Y}. Please sign in."
    )
    assert_no_survivor_data(message.subject, message.body)


def test_without_survivor_workers_the_services_managers_are_reminded(plan, orgs, users):
    users["survivor_worker"].is_active = False
    users["survivor_worker"].save(update_fields=["is_active"])
    f.make_user(orgs["survivor_service"], "programme_manager", "centre_manager")
    safety_plan_review_reminders(now=local(days(7), 12))
    assert recipients(Reminder.objects.get()) == {("centre_manager", "inbox")}


# --- every staff text, with a survivor on the case ---------------------------------------


def test_no_rendered_staff_reminder_carries_survivor_data(past_group, plan, case_with_service, users, settings):
    """Every kind, in both interface languages, with the survivor's name,
    phone, address and safety plan on the case."""
    settings.NOTIFY_SITE_URL = "https://casework.example.org"
    _age(case_with_service.risk_assessments.get(), 40, "high")
    unlogged_session_reminders(now=first_session(past_group).ends_at + dt.timedelta(hours=30))
    risk_reassessment_reminders(now=local(days(0), 12))
    safety_plan_review_reminders(now=local(days(7), 12))
    assert set(Reminder.objects.values_list("kind", flat=True)) == {
        "unlogged_session",
        "risk_reassessment",
        "safety_plan_review",
    }
    for reminder in Reminder.objects.select_related("session", "session__group"):
        for language in ("ru", "en"):
            subject, body = staff_email(reminder, language=language)
            assert body.endswith("https://casework.example.org/notifications/reminders/")
            assert_no_survivor_data(subject, body, staff_summary(reminder))
            assert "Асанов" not in body and "Бакыт" not in body


# --- follow-ups (outcomes) ------------------------------------------------------------


def test_follow_ups_due_remind_the_enrolments_psychologist(users, orgs, contacts, mailoutbox):
    pytest.importorskip("outcomes.selectors")
    from notifications.reminders import follow_up_reminders
    from outcomes.models import FollowUp

    enrolment = person_in(users, orgs, group_starting(users, days(14)))  # starts today: intake point due today
    point = FollowUp.objects.get(enrolment=enrolment, kind="intake")
    assert point.due_on == days(0)
    FollowUp.objects.filter(pk=point.pk).update(due_on=days(1))
    assert follow_up_reminders(now=local(days(0), 12)) == 0
    assert follow_up_reminders(now=local(days(1), 12)) == 1
    assert follow_up_reminders(now=local(days(1), 13)) == 0
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.enrolment, reminder.case_id, reminder.due_on, reminder.facts) == (
        "follow_up",
        enrolment,
        enrolment.case_id,
        days(1),
        {"follow_up": point.pk},
    )
    assert recipients(reminder) == {("psychologist", "inbox"), ("psychologist", "email")}
    relay_deliveries(now=local(days(1), 12))
    (message,) = [m for m in mailoutbox if m.to == [users["psychologist"].email]]
    assert message.body == (
        f"A follow-up on case {enrolment.case.number} is due on {days(1):%d.%m.%Y}. Please sign in."
    )


def test_a_follow_up_done_before_the_email_goes_is_not_emailed(users, orgs, contacts, mailoutbox):
    pytest.importorskip("outcomes.selectors")
    from notifications.reminders import follow_up_reminders
    from outcomes.models import FollowUp

    enrolment = person_in(users, orgs, group_starting(users, days(14)))
    now = local(days(0), 12)
    assert follow_up_reminders(now=now) == 1
    FollowUp.objects.filter(enrolment=enrolment).update(status="done")
    relay_deliveries(now=now)
    # (The police's notice that the referral was accepted, written at the real time of
    # the run, goes too when that is before noon: only the reminder is in question.)
    assert [m.body for m in mailoutbox if "follow-up" in m.body.lower()] == []
    assert [m.to for m in mailoutbox if m.to == [users["psychologist"].email]] == []
    # And a moved due date is a new reminder.
    FollowUp.objects.filter(enrolment=enrolment).update(status="due", due_on=F("due_on") + dt.timedelta(days=3))
    assert follow_up_reminders(now=local(days(3), 12)) == 1


def test_without_outcomes_the_follow_up_rule_does_nothing(monkeypatch):
    import builtins

    from notifications import reminders

    real_import = builtins.__import__

    def no_outcomes(name, *args, **kwargs):
        if name == "outcomes.selectors":
            raise ModuleNotFoundError("No module named 'outcomes.selectors'", name="outcomes.selectors")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_outcomes)
    assert reminders._follow_ups_due() is None
    assert reminders.follow_up_reminders(now=local(days(0), 12)) == 0


def test_a_real_import_error_inside_outcomes_is_not_hidden(monkeypatch):
    import builtins

    from notifications import reminders

    real_import = builtins.__import__

    def broken(name, *args, **kwargs):
        if name == "outcomes.selectors":
            raise ModuleNotFoundError("No module named 'reportlab'", name="reportlab")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", broken)
    with pytest.raises(ModuleNotFoundError):
        reminders._follow_ups_due()


def test_a_follow_up_reminded_by_a_concurrent_sweep_is_skipped_with_its_deliveries(users, orgs, contacts):
    """GIVEN a follow-up point whose reminder another sweep inserted between
    this sweep's read and its insert (the anti-join did not see it)
    WHEN this sweep records its batch THEN ON CONFLICT skips the row: no
    second reminder and no deliveries of this sweep, while a point not
    reminded yet in the same batch is recorded with its deliveries."""
    pytest.importorskip("outcomes.selectors")
    from notifications.reminders.rules import _record_many
    from outcomes.models import FollowUp

    enrolment = person_in(users, orgs, group_starting(users, days(14)))
    point = FollowUp.objects.get(enrolment=enrolment, kind="intake")
    now = local(days(0), 12)
    psychologist = users["psychologist"]

    def reminder(key: str) -> Reminder:
        return Reminder(
            kind="follow_up",
            dedupe_key=key,
            due_on=point.due_on,
            organisation_id=enrolment.case.provider_id,
            created_at=now,
            case_id=enrolment.case_id,
            enrolment=enrolment,
            facts={"follow_up": point.pk},
        )

    earlier = reminder("follow_up:follow_up:concurrent")
    earlier.save()
    assert (
        _record_many([(reminder(earlier.dedupe_key), [psychologist]), (reminder("follow_up:new"), [psychologist])], now)
        == 1
    )
    assert Reminder.objects.filter(dedupe_key=earlier.dedupe_key).count() == 1
    assert not Delivery.objects.filter(reminder=earlier).exists()
    new = Reminder.objects.get(dedupe_key="follow_up:new")
    assert set(Delivery.objects.filter(reminder=new).values_list("user", "channel")) == {
        (psychologist.pk, "inbox"),
        (psychologist.pk, "email"),
    }


def test_a_follow_up_of_a_psychologist_who_left_goes_to_whom_the_full_rule_names(users, orgs, contacts):
    """GIVEN the enrolment's psychologist no longer works for the provider
    WHEN the follow-up is due THEN the reminder goes to whom
    ``case_psychologists`` names, not to him."""
    pytest.importorskip("outcomes.selectors")
    from accounts.models import Membership
    from notifications.reminders import case_psychologists, follow_up_reminders

    enrolment = person_in(users, orgs, group_starting(users, days(14)))
    Membership.objects.filter(user=enrolment.psychologist, organisation=enrolment.case.provider).delete()
    expected = {u.pk for u in case_psychologists(enrolment.case, enrolment=enrolment)}
    assert enrolment.psychologist_id not in expected and expected
    assert follow_up_reminders(now=local(days(0), 12)) == 1
    assert set(Delivery.objects.filter(reminder__kind="follow_up").values_list("user", flat=True)) == expected
