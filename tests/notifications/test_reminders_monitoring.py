"""The monitoring bodies' reminders: a meeting after the programme coming due
(or overdue) reminds the body's members who monitor, once per meeting and
due date; it names the case and the date, never the person; a meeting
recorded before the email goes is not emailed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Organisation, Role
from notifications.models import Reminder
from notifications.relay import relay_deliveries
from notifications.reminder_texts import staff_summary
from notifications.reminders import RULES, monitoring_meeting_reminders
from outcomes.models import MonitoringMeeting
from outcomes.monitoring_services import monitoring_body_assign, monitoring_meeting_record
from tests import factories as f
from tests.notifications.reminder_support import days, local
from tests.outcomes.conftest import bare_enrolment


@pytest.fixture(autouse=True)
def _reminder_settings(settings):
    settings.REMIND_MONITORING_DAYS_BEFORE = 7
    settings.NOTIFY_SITE_URL = ""


@pytest.fixture
def named(users, orgs, case, contacts):
    """Completed Chance's programme; its +3 months meeting is due in 10 days."""
    enrolment = bare_enrolment(case, f.shipped_template("kg-chance-mandatory-men"), users["psychologist"],
                               status="completed", starts_on=days(-200), ended_on=days(-100))  # fmt: skip
    monitoring_body_assign(enrolment=enrolment, body_kind=Organisation.Kind.SOCIAL_DEVELOPMENT,
                           organisation=orgs["social_development"], by=users["manager"])  # fmt: skip
    MonitoringMeeting.objects.filter(enrolment=enrolment, months=3).update(due_on=days(10))
    return enrolment


def test_the_rule_is_run_by_beat(settings):
    assert "monitoring_meeting" in RULES
    assert any(entry.get("args") == ["monitoring_meeting"] for entry in settings.CELERY_BEAT_SCHEDULE.values())


def test_a_meeting_coming_due_reminds_the_bodys_monitoring_officers(users, orgs, named, mailoutbox):
    f.make_user(orgs["social_development"], Role.ORG_ADMIN, "sd_admin")  # not one who monitors
    assert monitoring_meeting_reminders(now=local(days(2), 12)) == 0
    assert monitoring_meeting_reminders(now=local(days(3), 12)) == 1
    assert monitoring_meeting_reminders(now=local(days(4), 12)) == 0
    reminder = Reminder.objects.get()
    meeting = MonitoringMeeting.objects.get(enrolment=named, months=3)
    assert (reminder.kind, reminder.organisation, reminder.case_id, reminder.due_on, reminder.facts) == (
        "monitoring_meeting", orgs["social_development"], named.case_id, days(10), {"monitoring_meeting": meeting.pk},
    )  # fmt: skip
    assert {(d.user.username, d.channel) for d in reminder.deliveries.select_related("user")} == {
        ("monitoring_officer", "inbox"), ("monitoring_officer", "email"),
    }  # fmt: skip
    relay_deliveries(now=local(days(3), 12))
    (message,) = mailoutbox
    assert message.subject == f"Monitoring meeting due on case {named.case.number}"
    assert message.body == (
        f"A monitoring meeting on case {named.case.number} is due on {days(10):%d.%m.%Y}. Please sign in."
    )
    person = named.case.referral.person
    assert person.family_name not in message.body and person.family_name not in staff_summary(reminder)


def test_the_reminder_list_links_to_the_meeting(login, users, named):
    monitoring_meeting_reminders(now=local(days(3), 12))
    meeting = MonitoringMeeting.objects.get(enrolment=named, months=3)
    page = login(users["monitoring_officer"]).get(reverse("notifications:reminders")).content.decode()
    assert reverse("outcomes:monitoring_meeting", args=[meeting.pk]) in page


def test_an_overdue_meeting_is_reminded_too(named):
    MonitoringMeeting.objects.filter(enrolment=named, months=3).update(due_on=days(-5))
    assert monitoring_meeting_reminders(now=local(days(0), 12)) == 1


def test_a_meeting_recorded_before_the_email_goes_is_not_emailed(users, named, mailoutbox):
    now = local(days(3), 12)
    assert monitoring_meeting_reminders(now=now) == 1
    monitoring_meeting_record(meeting=MonitoringMeeting.objects.get(enrolment=named, months=3),
                              by=users["monitoring_officer"], met_on=days(0), contact_made=True,
                              new_violence=False)  # fmt: skip
    relay_deliveries(now=now)
    assert mailoutbox == []


def test_a_meeting_moved_to_another_body_is_a_new_reminder(users, orgs, named, mailoutbox):
    assert monitoring_meeting_reminders(now=local(days(3), 12)) == 1
    other = f.make_org(Organisation.Kind.SOCIAL_DEVELOPMENT, name="Social Development, Osh")
    officer = f.make_user(other, Role.MONITORING_OFFICER, "osh_officer")
    monitoring_body_assign(enrolment=named, body_kind=Organisation.Kind.SOCIAL_DEVELOPMENT, organisation=other,
                           by=users["manager"])  # fmt: skip
    assert monitoring_meeting_reminders(now=local(days(3), 13)) == 1
    latest = Reminder.objects.order_by("-id").first()
    assert latest is not None and latest.organisation == other
    assert {d.user for d in latest.deliveries.all()} == {officer}
