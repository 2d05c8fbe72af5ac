"""The reminder pages: a staff member's own reminders, and a participant's
SMS reminder setting on the enrolment."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from notifications.models import ParticipantReminderSetting, Reminder
from notifications.relay import relay_deliveries
from notifications.reminders import (
    _record,
    _staff_deliveries,
    participant_session_reminders,
    safety_plan_review_reminders,
    unlogged_session_reminders,
)
from programmes import services as programme_services
from tests.notifications.conftest import SURVIVOR_SECRETS
from tests.notifications.reminder_support import days, first_session, group_starting, local, person_in


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.REMIND_UNLOGGED_AFTER_HOURS = 24
    settings.REMIND_UNLOGGED_LOOKBACK_DAYS = 14
    settings.REMIND_PARTICIPANT_FROM_HOUR = 9
    settings.REMIND_PARTICIPANT_UNTIL_HOUR = 20


def content(response) -> str:
    return response.content.decode()


# --- the reminder list -----------------------------------------------------------------


@pytest.fixture
def unlogged(users, orgs):
    """A group session three days ago that nobody logged, reminded."""
    group = group_starting(users, days(-3))
    session = first_session(group)
    unlogged_session_reminders(now=session.ends_at + dt.timedelta(hours=30))
    return session


def test_the_facilitator_sees_the_reminder_with_a_link_to_the_log(unlogged, users, login):
    page = content(_get(users, login, "psychologist", reverse("notifications:reminders")))
    assert "Attendance not logged" in page
    assert f"Attendance of group session 1 ({unlogged.group.name})" in page
    assert reverse("programmes:session_log", args=[unlogged.pk]) in page
    assert "nf-reminder-due" in page and "nf-reminder-done" not in page


def _get(users, login, name, url):
    client = login(users[name])
    return client.get(url)


def test_a_reminder_shows_done_once_the_session_is_dealt_with(unlogged, users, login):
    # Nobody was expected, so it is cancelled rather than logged: settled too.
    programme_services.session_cancel(session=unlogged, reason="Nobody came", by=users["psychologist"])
    page = content(_get(users, login, "social_worker", reverse("notifications:reminders")))
    assert "nf-reminder-done" in page and "nf-reminder-due" not in page


def test_others_see_only_their_own_reminders(unlogged, users, login):
    for name in ("manager", "other_psychologist", "survivor_worker", "police"):
        page = content(_get(users, login, name, reverse("notifications:reminders")))
        assert "No reminders." in page, name
        assert "Attendance of group session" not in page


def test_reminders_are_not_in_the_notice_inbox(unlogged, users, login):
    page = content(_get(users, login, "psychologist", reverse("notifications:inbox")))
    assert "Attendance of group session" not in page
    assert "No open notices." in page
    assert reverse("notifications:reminders") in page  # the way to the reminders


def test_the_list_is_paginated(users, orgs, login):
    psychologist = users["psychologist"]
    now = local(days(0), 9)
    for i in range(30):
        _record(
            kind=Reminder.Kind.FOLLOW_UP,
            key=f"test:{i}",
            due_on=days(0),
            organisation_id=orgs["provider"].pk,
            now=now + dt.timedelta(minutes=i),
            deliveries=lambda r: _staff_deliveries(r, [psychologist], now),
        )
    first = content(_get(users, login, "psychologist", reverse("notifications:reminders")))
    second = content(_get(users, login, "psychologist", reverse("notifications:reminders") + "?page=2"))
    assert first.count('class="list-group-item nf-reminder ') == 25
    assert second.count('class="list-group-item nf-reminder ') == 5
    assert "Page 2 of 2" in second


def test_the_survivor_worker_sees_the_review_without_survivor_data(case_with_service, users, login):
    from casework import services as case_services

    survivor = case_with_service.referral.survivors.get()
    plan = case_services.safety_plan_save(
        case=case_with_service,
        survivor=survivor,
        by=users["survivor_worker"],
        risks="Тайный",
        safe_contacts="Айгуль +996700987654",
        safe_places="кв. 3",
        code_word="Тайный",
        children_safety="Асанова",
        next_review_on=days(2),
    )
    safety_plan_review_reminders(now=local(days(2), 10))
    page = content(_get(users, login, "survivor_worker", reverse("notifications:reminders")))
    assert f"A safety-plan review on case {case_with_service.number} is due on" in page
    assert reverse("casework:safety_plan", args=[case_with_service.pk, plan.survivor_id]) in page
    for secret in SURVIVOR_SECRETS:
        assert secret not in page


# --- a participant's SMS reminders ------------------------------------------------------


@pytest.fixture
def enrolment(users, orgs):
    group = group_starting(users, days(1))
    return person_in(users, orgs, group, phone="+996555111222", preferred_language="ky")


def url(enrolment) -> str:
    return reverse("notifications:participant_reminders", args=[enrolment.pk])


def test_staff_see_the_setting_and_the_text_in_the_persons_language(enrolment, users, login):
    page = content(_get(users, login, "psychologist", url(enrolment)))
    assert f"SMS reminders, case {enrolment.case.number}" in page
    assert '<dd class="col-sm-8 nf-reminder-state">On</dd>' in page
    assert "Kyrgyz" in page
    assert f"Bishkek Consultation Room: Эскертме: жолугушууңуз эртең, {days(1):%d.%m.%Y}, саат 15:00." in page
    assert "No SMS reminder yet." in page
    assert 'name="sms_enabled"' in page and "checked" in page


def test_turning_it_off_and_on(enrolment, users, login):
    client = login(users["social_worker"])
    response = client.post(url(enrolment), {}, follow=True)
    assert response.redirect_chain == [(url(enrolment), 302)]
    page = content(response)
    assert "SMS reminders are off. No SMS will be sent, including any waiting." in page
    assert '<dd class="col-sm-8 nf-reminder-state">Off</dd>' in page
    setting = ParticipantReminderSetting.objects.get(enrolment=enrolment)
    assert (setting.sms_enabled, setting.changed_by) == (False, users["social_worker"])
    response = client.post(url(enrolment), {"sms_enabled": "on"}, follow=True)
    assert "SMS reminders are on." in content(response)
    setting.refresh_from_db()
    assert setting.sms_enabled is True


def test_the_page_lists_the_last_sms_and_why_one_was_not_sent(enrolment, users, login, sms_sink):
    participant_session_reminders(now=local(days(0), 10))
    programme_services.session_cancel(
        session=first_session(enrolment.group), reason="Holiday", by=users["psychologist"]
    )
    relay_deliveries(now=local(days(0), 10))
    page = content(_get(users, login, "manager", url(enrolment)))
    assert "Cancelled: the session was cancelled" in page
    assert sms_sink() == []


def test_an_ended_enrolment_cannot_be_changed(enrolment, users, login):
    programme_services.enrolment_discharge(
        enrolment=enrolment, kind="dropped_out", by=users["psychologist"], on=days(0), reason="Stopped coming"
    )
    client = login(users["psychologist"])
    page = content(client.get(url(enrolment)))
    assert "Off: the enrolment has ended" in page
    assert 'name="sms_enabled"' not in page
    response = client.post(url(enrolment), {})
    assert response.status_code == 200
    assert "This enrolment has ended; no reminders are sent." in content(response)
    assert not ParticipantReminderSetting.objects.exists()


def test_no_phone_is_said(users, orgs, login):
    enrolment = person_in(users, orgs, group_starting(users, days(1)), phone="")
    page = content(_get(users, login, "psychologist", url(enrolment)))
    assert "Not sent: no phone number on the referral" in page


def test_an_unknown_language_shows_the_russian_text(enrolment, users, login):
    person = enrolment.case.referral.person
    type(person).objects.filter(pk=person.pk).update(preferred_language="")
    page = content(_get(users, login, "psychologist", url(enrolment)))
    assert "no SMS text in the participant's language yet: Russian is used" in page
    assert "Напоминание: ваша встреча завтра" in page


@pytest.mark.parametrize("name", ["survivor_worker", "police", "provider_admin", "monitoring"])
def test_other_roles_get_403(enrolment, users, login, name):
    client = login(users[name])
    assert client.get(url(enrolment)).status_code == 403
    assert client.post(url(enrolment), {}).status_code == 403
    assert not ParticipantReminderSetting.objects.exists()


def test_another_providers_staff_get_404(enrolment, users, login):
    client = login(users["other_psychologist"])
    assert client.get(url(enrolment)).status_code == 404
    assert client.post(url(enrolment), {}).status_code == 404
    assert not ParticipantReminderSetting.objects.exists()


def test_the_enrolment_page_links_to_it(enrolment, users, login):
    page = content(_get(users, login, "psychologist", reverse("programmes:enrolment_detail", args=[enrolment.pk])))
    assert url(enrolment) in page
    assert "SMS reminders" in page
