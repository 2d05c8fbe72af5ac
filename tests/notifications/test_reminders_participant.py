"""The participant's SMS the day before a session: which sessions (tomorrow,
local time), who (actively enrolled, a phone, not opted out), in which
language, sent by the relay through the SMS gateway, never twice, not sent
when the session was cancelled or moved meanwhile, and never saying more
than date, time, place and sender."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from notifications import reminders
from notifications.models import ParticipantReminderSetting, Reminder
from notifications.relay import relay_deliveries
from notifications.reminder_texts import PARTICIPANT_SMS, participant_sms
from notifications.reminders import participant_reminders_set, participant_session_reminders
from notifications.sms import SMSError
from programmes import services as programme_services
from tests.notices import case_deliveries, case_notices
from tests.notifications.conftest import SURVIVOR_SECRETS
from tests.notifications.reminder_support import days, first_session, group_starting, local, person_in, sms_rows


class FailingSMS:
    def send(self, *, to, text, idempotency_key):
        raise SMSError("HTTP 503")


@pytest.fixture(autouse=True)
def _reminder_settings(settings):
    settings.REMIND_PARTICIPANT_SMS = True
    settings.REMIND_PARTICIPANT_FROM_HOUR = 9
    settings.REMIND_PARTICIPANT_UNTIL_HOUR = 20
    settings.REMIND_PARTICIPANT_SMS_WITH_PROVIDER = True
    settings.NOTIFY_MAX_ATTEMPTS = 8
    settings.NOTIFY_RETRY_BASE_SECONDS = 30


@pytest.fixture
def group(users):
    return group_starting(users, days(1))


@pytest.fixture
def enrolment(users, orgs, group):
    return person_in(users, orgs, group, phone="+996555111222", preferred_language="ru")


def morning():
    return local(days(0), 10)


# --- which sessions -------------------------------------------------------------------


def test_it_records_one_sms_for_a_session_tomorrow(enrolment, group, orgs):
    assert participant_session_reminders(now=morning()) == 1
    reminder = Reminder.objects.get()
    session = first_session(group)
    assert (reminder.kind, reminder.session, reminder.enrolment, reminder.due_on) == (
        "session_tomorrow",
        session,
        enrolment,
        days(1),
    )
    assert reminder.organisation == orgs["provider"]
    delivery = sms_rows().get()
    # The number is not copied: it is read from the referral when sent.
    assert (delivery.channel, delivery.user, delivery.address, delivery.language, delivery.status) == (
        "sms",
        None,
        "",
        "ru",
        "pending",
    )
    assert not case_notices().exists()  # not a safety notice


def test_running_the_sweep_twice_records_nothing_new(enrolment):
    assert participant_session_reminders(now=morning()) == 1
    assert participant_session_reminders(now=morning() + dt.timedelta(hours=1)) == 0
    assert (Reminder.objects.count(), sms_rows().count()) == (1, 1)


def test_sessions_today_and_the_day_after_tomorrow_are_not_reminded(users, orgs):
    today = group_starting(users, days(0), at=dt.time(19, 0))
    later = group_starting(users, days(2))
    person_in(users, orgs, today)
    person_in(users, orgs, later)
    assert participant_session_reminders(now=morning()) == 0
    # The next day, the session of "the day after tomorrow" is tomorrow.
    assert participant_session_reminders(now=local(days(1), 10)) == 1
    assert Reminder.objects.get().session == first_session(later)


def test_tomorrow_is_the_local_date_not_the_utc_date(users, orgs, group, enrolment):
    """Bishkek is UTC+6. At 19:30 local, a session at 00:30 local the next
    night is tomorrow (although it is today in UTC), and one at 03:00 local
    the night after is not (although it is tomorrow in UTC)."""
    first = first_session(group)
    second = group.sessions.get(number=2)
    by = users["psychologist"]
    programme_services.session_reschedule(session=first, starts_at=local(days(1), 0, 30), by=by)
    programme_services.session_reschedule(session=second, starts_at=local(days(2), 3, 0), by=by)
    now = local(days(0), 19, 30)
    first.refresh_from_db()
    assert first.starts_at.astimezone(dt.UTC).date() == days(0)
    assert local(days(2), 3).astimezone(dt.UTC).date() == days(1)
    assert participant_session_reminders(now=now) == 1
    assert Reminder.objects.get().session == first
    # Run again later that evening: nothing new.
    assert participant_session_reminders(now=local(days(0), 19, 59)) == 0
    assert Reminder.objects.count() == 1


def test_nothing_is_recorded_outside_the_sms_hours(enrolment):
    assert participant_session_reminders(now=local(days(0), 8, 59)) == 0
    assert participant_session_reminders(now=local(days(0), 20, 0)) == 0
    assert not Reminder.objects.exists()
    assert participant_session_reminders(now=local(days(0), 9, 0)) == 1


def test_switched_off_records_nothing(enrolment, settings):
    settings.REMIND_PARTICIPANT_SMS = False
    assert participant_session_reminders(now=morning()) == 0


def test_a_cancelled_session_is_not_reminded(users, enrolment, group):
    programme_services.session_cancel(session=first_session(group), reason="Room flooded", by=users["psychologist"])
    assert participant_session_reminders(now=morning()) == 0


def test_an_individual_session_tomorrow_is_reminded_without_a_place(users, orgs, sms_sink):
    group = group_starting(users, days(8), code="kg-annex3-mandatory")
    from tests import factories as f

    case = f.make_open_case(
        police=users["police"], provider=orgs["provider"], by=users["psychologist"], preferred_language="en"
    )
    enrolment = f.enrol_case(case, by=users["psychologist"], template=group.template, group=group, starts_on=days(1))
    assert participant_session_reminders(now=morning()) == 1
    reminder = Reminder.objects.get()
    assert (reminder.session.kind, reminder.enrolment) == ("individual", enrolment)
    relay_deliveries(now=morning())
    assert [line["text"] for line in sms_sink()] == [
        f"Bishkek Consultation Room: Reminder: your appointment is tomorrow, {days(1):%d.%m.%Y}, at 10:00."
    ]


# --- who ---------------------------------------------------------------------------


def test_a_person_no_longer_active_gets_nothing(users, enrolment):
    programme_services.enrolment_discharge(
        enrolment=enrolment, kind="dropped_out", by=users["psychologist"], on=days(0), reason="Stopped coming"
    )
    assert participant_session_reminders(now=morning()) == 0


def test_a_person_without_a_phone_gets_nothing(users, orgs, group):
    person_in(users, orgs, group, phone="")
    assert participant_session_reminders(now=morning()) == 0


def test_only_people_in_the_group_by_then_are_reminded(users, orgs, group, enrolment):
    # Joins later: individual sessions 5 days ago and the day after
    # tomorrow, in the group only from day 9.
    from tests import factories as f

    case = f.make_open_case(police=users["police"], provider=orgs["provider"], by=users["psychologist"])
    f.enrol_case(case, by=users["psychologist"], template=group.template, group=group, starts_on=days(-5))
    assert participant_session_reminders(now=morning()) == 1
    assert Reminder.objects.get().enrolment == enrolment


def test_an_opted_out_person_gets_nothing(users, enrolment):
    participant_reminders_set(enrolment=enrolment, enabled=False, by=users["social_worker"])
    assert participant_session_reminders(now=morning()) == 0
    participant_reminders_set(enrolment=enrolment, enabled=True, by=users["social_worker"])
    assert participant_session_reminders(now=morning()) == 1


def test_only_the_providers_staff_change_the_setting(users, enrolment):
    for name in ("survivor_worker", "police", "other_psychologist", "provider_admin"):
        with pytest.raises(PermissionDenied):
            participant_reminders_set(enrolment=enrolment, enabled=False, by=users[name])
    setting = participant_reminders_set(enrolment=enrolment, enabled=False, by=users["manager"])
    assert (setting.sms_enabled, setting.changed_by) == (False, users["manager"])
    assert ParticipantReminderSetting.objects.count() == 1


def test_the_setting_of_an_ended_enrolment_cannot_change(users, enrolment):
    programme_services.enrolment_discharge(
        enrolment=enrolment, kind="dropped_out", by=users["psychologist"], on=days(0), reason="Stopped coming"
    )
    with pytest.raises(ValidationError) as exc:
        participant_reminders_set(enrolment=enrolment, enabled=False, by=users["psychologist"])
    assert exc.value.messages == ["This enrolment has ended; no reminders are sent."]


# --- sending -------------------------------------------------------------------------


def test_the_relay_sends_it_once_through_the_file_gateway(enrolment, sms_sink):
    participant_session_reminders(now=morning())
    delivery = sms_rows().get()
    first = relay_deliveries(now=morning())
    second = relay_deliveries(now=morning() + dt.timedelta(minutes=5))
    assert (first.sent, second.claimed) == (1, 0)
    lines = sms_sink()
    assert [(line["to"], line["idempotency_key"]) for line in lines] == [("+996555111222", str(delivery.pk))]
    assert lines[0]["text"] == (
        f"Bishkek Consultation Room: Напоминание: ваша встреча завтра, {days(1):%d.%m.%Y}, в 15:00. Место: Room 2."
    )
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.sent_at) == ("sent", 1, morning())


def test_the_console_gateway_prints_it(enrolment, settings, capsys):
    settings.SMS_BACKEND = "notifications.sms.ConsoleBackend"
    participant_session_reminders(now=morning())
    relay_deliveries(now=morning())
    out = capsys.readouterr().out
    assert f"to +996555111222: Bishkek Consultation Room: Напоминание: ваша встреча завтра, {days(1):%d.%m.%Y}" in out


def test_the_number_is_read_when_sent(enrolment, sms_sink):
    participant_session_reminders(now=morning())
    person = enrolment.case.referral.person
    person.phone = "+996555333444"
    person.save(update_fields=["phone"])
    relay_deliveries(now=morning())
    assert [line["to"] for line in sms_sink()] == ["+996555333444"]


def test_a_session_cancelled_before_sending_is_not_sent(users, enrolment, group, sms_sink):
    participant_session_reminders(now=morning())
    programme_services.session_cancel(session=first_session(group), reason="Room flooded", by=users["psychologist"])
    result = relay_deliveries(now=morning())
    assert (result.sent, result.cancelled) == (0, 1)
    delivery = sms_rows().get()
    assert (delivery.status, delivery.last_error, delivery.sent_at) == ("cancelled", "session_cancelled", None)
    assert sms_sink() == []


def test_a_session_moved_before_sending_is_reminded_with_the_new_time(users, enrolment, group, sms_sink):
    participant_session_reminders(now=morning())
    session = first_session(group)
    programme_services.session_reschedule(session=session, starts_at=local(days(1), 17, 30), by=users["psychologist"])
    relay_deliveries(now=morning())
    assert sms_rows().get().last_error == "rescheduled"
    assert participant_session_reminders(now=morning() + dt.timedelta(hours=1)) == 1
    relay_deliveries(now=morning() + dt.timedelta(hours=1))
    assert [line["text"].split(", ")[-1] for line in sms_sink()] == ["в 17:30. Место: Room 2."]


def test_an_enrolment_ended_before_sending_is_not_sent(users, enrolment, sms_sink):
    participant_session_reminders(now=morning())
    programme_services.enrolment_discharge(
        enrolment=enrolment, kind="dropped_out", by=users["psychologist"], on=days(0), reason="Stopped coming"
    )
    relay_deliveries(now=morning())
    assert (sms_rows().get().status, sms_rows().get().last_error) == ("cancelled", "not_active")
    assert sms_sink() == []


def test_an_opt_out_before_sending_stops_it(users, enrolment, sms_sink):
    participant_session_reminders(now=morning())
    participant_reminders_set(enrolment=enrolment, enabled=False, by=users["psychologist"])
    relay_deliveries(now=morning())
    assert (sms_rows().get().status, sms_rows().get().last_error) == ("cancelled", "opted_out")
    assert sms_sink() == []


def test_a_phone_removed_before_sending_stops_it(enrolment, sms_sink):
    participant_session_reminders(now=morning())
    person = enrolment.case.referral.person
    person.phone = ""
    person.save(update_fields=["phone"])
    relay_deliveries(now=morning())
    assert sms_rows().get().last_error == "no_phone"
    assert sms_sink() == []


def test_too_late_in_the_evening_it_is_cancelled_not_sent_at_night(enrolment, sms_sink):
    participant_session_reminders(now=local(days(0), 19, 30))
    relay_deliveries(now=local(days(0), 20, 0))
    assert (sms_rows().get().status, sms_rows().get().last_error) == ("cancelled", "too_late")
    assert sms_sink() == []


def test_before_the_sms_hours_it_waits_without_spending_an_attempt(enrolment, settings, sms_sink):
    participant_session_reminders(now=local(days(0), 9, 30))
    settings.REMIND_PARTICIPANT_FROM_HOUR = 12
    result = relay_deliveries(now=local(days(0), 10, 0))
    delivery = sms_rows().get()
    assert (result.deferred, delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        1,
        "pending",
        0,
        local(days(0), 12, 0),
    )
    assert relay_deliveries(now=local(days(0), 11, 59)).claimed == 0
    assert relay_deliveries(now=local(days(0), 12, 0)).sent == 1
    assert len(sms_sink()) == 1


def test_a_gateway_that_stays_down_fails_it_without_escalating(enrolment, settings):
    settings.SMS_BACKEND = "tests.notifications.test_reminders_participant.FailingSMS"
    settings.NOTIFY_MAX_ATTEMPTS = 2
    participant_session_reminders(now=morning())
    relay_deliveries(now=morning())
    delivery = sms_rows().get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 1, "HTTP 503")
    relay_deliveries(now=morning() + dt.timedelta(hours=1))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 2)
    assert case_deliveries().count() == 1  # no escalation rows
    assert not case_notices().exists()


# --- the text ------------------------------------------------------------------------


EXPECTED_BODIES = {
    "ru": "Напоминание: ваша встреча завтра, 05.05.2026, в 15:00. Место: Room 2.",
    "ky": "Эскертме: жолугушууңуз эртең, 05.05.2026, саат 15:00. Орду: Room 2.",
    "tg": "Ёдоварӣ: вохӯрии шумо пагоҳ, 05.05.2026, соати 15:00. Ҷой: Room 2.",
    "uz": "Eslatma: uchrashuvingiz ertaga, 05.05.2026, soat 15:00. Manzil: Room 2.",
    "kk": "Еске салу: кездесуіңіз ертең, 05.05.2026, сағат 15:00. Орны: Room 2.",
    "tk": "Ýatlatma: duşuşygyňyz ertir, 05.05.2026, sagat 15:00. Ýeri: Room 2.",
    "en": "Reminder: your appointment is tomorrow, 05.05.2026, at 15:00. Place: Room 2.",
}


@pytest.mark.parametrize("language", sorted(EXPECTED_BODIES))
def test_each_language_has_its_text(language):
    starts = local(dt.date(2026, 5, 5), 15)
    assert participant_sms(language=language, starts_at=starts, place="Room 2", provider="Sezim") == (
        f"Sezim: {EXPECTED_BODIES[language]}"
    )


def test_the_table_covers_every_participant_language():
    from accounts.models import Language

    assert set(PARTICIPANT_SMS) == set(Language.values)


@pytest.mark.parametrize("language", ["", "xx", None, "de"])
def test_an_unknown_language_falls_back_to_russian(language):
    starts = local(dt.date(2026, 5, 5), 15)
    assert participant_sms(language=language, starts_at=starts, place="Room 2") == EXPECTED_BODIES["ru"]


def test_the_provider_name_can_be_left_out(settings):
    settings.REMIND_PARTICIPANT_SMS_WITH_PROVIDER = False
    starts = local(dt.date(2026, 5, 5), 15)
    assert participant_sms(language="en", starts_at=starts, place="", provider="Sezim") == (
        "Reminder: your appointment is tomorrow, 05.05.2026, at 15:00."
    )


@pytest.mark.parametrize("language", sorted(EXPECTED_BODIES))
def test_the_relay_sends_the_persons_language(users, orgs, group, sms_sink, language):
    person_in(users, orgs, group, preferred_language=language)
    participant_session_reminders(now=morning())
    assert sms_rows().get().language == language
    relay_deliveries(now=morning())
    body = EXPECTED_BODIES[language].replace("05.05.2026", f"{days(1):%d.%m.%Y}")
    assert [line["text"] for line in sms_sink()] == [f"Bishkek Consultation Room: {body}"]


def test_a_language_missing_from_the_table_is_sent_in_russian(users, orgs, group, sms_sink):
    enrolment = person_in(users, orgs, group)
    person = enrolment.case.referral.person
    type(person).objects.filter(pk=person.pk).update(preferred_language="")
    participant_session_reminders(now=morning())
    assert sms_rows().get().language == "ru"
    relay_deliveries(now=morning())
    assert "Напоминание: ваша встреча завтра" in sms_sink()[0]["text"]


FORBIDDEN_WORDS = (
    "violence",
    "violent",
    "perpetrator",
    "abuse",
    "programme",
    "program",
    "police",
    "court",
    "order",
    "насил",
    "программ",
    "агресс",
    "полиц",
    "суд",
    "зордук",
    "зўровар",
    "zo'ravon",
    "zorlyk",
    "зорлық",
)


def test_no_sms_says_what_the_appointment_is_or_names_the_survivor(users, orgs, group, sms_sink):
    """Every language, with a survivor on the case: only date, time, place
    and sender reach the phone."""
    for i, language in enumerate(EXPECTED_BODIES):
        person_in(users, orgs, group, preferred_language=language, phone=f"+9965551000{i:02d}")
    participant_session_reminders(now=morning())
    relay_deliveries(now=morning())
    texts = [line["text"] for line in sms_sink()]
    assert len(texts) == len(EXPECTED_BODIES)
    for text in texts:
        lowered = text.lower()
        assert not any(word in lowered for word in FORBIDDEN_WORDS), text
        assert not any(secret.lower() in lowered for secret in SURVIVOR_SECRETS), text
        assert "Асанов" not in text and "Бакыт" not in text  # not even his own name
    # Nothing personal in the database rows either (the number is read at send time).
    assert set(case_deliveries().values_list("address", flat=True)) == {""}
    assert all(set(r.facts) == {"starts_at"} for r in Reminder.objects.all())


def test_reminder_sweep_runs_a_rule_by_name_and_nudges(enrolment, monkeypatch):
    nudges = []
    monkeypatch.setattr("notifications.services.nudge_relay", lambda: nudges.append(1))
    assert reminders.reminder_sweep("session_tomorrow", now=morning()) == 1
    assert reminders.reminder_sweep("session_tomorrow", now=morning()) == 0
    assert nudges == [1]
    with pytest.raises(ValueError, match="Unknown reminder rule"):
        reminders.reminder_sweep("everything")
