"""The relay: claims due deliveries with SKIP LOCKED, sends, records the
result, retries with backoff, gives up into a visible "failed — call them"
state that escalates, reclaims rows whose worker died, never sends twice."""

from __future__ import annotations

import datetime as dt
import threading
import time
from types import SimpleNamespace

import pytest
from django.db import OperationalError, close_old_connections, connection, transaction
from django.db.models.query import QuerySet

from notifications import relay
from notifications.models import Delivery, SafetyEvent
from notifications.relay import backoff_seconds, claim_deliveries, relay_deliveries, send_claimed
from notifications.sms import SMSError
from tests.notices import case_deliveries, case_notices
from tests.notifications.conftest import notice_of, record

E = SafetyEvent.Kind
T0 = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
SEC = dt.timedelta(seconds=1)


class FailingSMS:
    """A gateway that is down."""

    def send(self, *, to, text, idempotency_key):
        raise SMSError("HTTP 503")


@pytest.fixture(autouse=True)
def _timing(settings):
    settings.NOTIFY_RETRY_BASE_SECONDS = 30
    settings.NOTIFY_RETRY_MAX_SECONDS = 3600
    settings.NOTIFY_MAX_ATTEMPTS = 8
    settings.NOTIFY_SENDING_LEASE_SECONDS = 120


@pytest.fixture
def dropout(case_with_service, contacts, sms_sink):
    return record(E.DROPOUT, case_with_service, now=T0)


def _outgoing(event):
    return case_deliveries().filter(event=event).exclude(channel="inbox").order_by("id")


def test_it_sends_every_email_and_sms_once_and_records_it(dropout, mailoutbox, sms_sink):
    result = relay_deliveries(now=T0)
    assert (result.claimed, result.sent, result.retrying, result.failed) == (8, 8, 0, 0)
    rows = list(_outgoing(dropout))
    assert {(d.status, d.attempts, d.sent_at, d.claimed_at) for d in rows} == {("sent", 1, T0, None)}
    emails = {d.pk: d for d in rows if d.channel == "email"}
    assert sorted(m.to[0] for m in mailoutbox) == sorted(d.address for d in emails.values())
    assert {int(m.extra_headers["X-Casework-Delivery"]) for m in mailoutbox} == set(emails)
    assert all(m.extra_headers["Message-ID"].startswith("<safety-delivery-") for m in mailoutbox)
    texts = {line["idempotency_key"]: line for line in sms_sink()}
    assert set(texts) == {str(d.pk) for d in rows if d.channel == "sms"}
    assert {line["to"] for line in texts.values()} == {
        "+996555000001",
        "+996555000002",
        "+996555000003",
        "+996555000004",
    }


def test_a_second_run_sends_nothing_again(dropout, mailoutbox, sms_sink):
    relay_deliveries(now=T0)
    again = relay_deliveries(now=T0 + dt.timedelta(hours=1))
    assert again.claimed == 0
    assert len(mailoutbox) == 4
    assert len(sms_sink()) == 4


def test_a_row_not_yet_due_is_not_sent(dropout, mailoutbox):
    case_deliveries().filter(event=dropout).update(next_attempt_at=T0 + 5 * SEC)
    assert relay_deliveries(now=T0).claimed == 0
    assert relay_deliveries(now=T0 + 5 * SEC).sent == 8


def test_a_failed_send_is_retried_with_growing_backoff(dropout, settings, mailoutbox):
    settings.SMS_BACKEND = "tests.notifications.test_relay.FailingSMS"
    result = relay_deliveries(now=T0)
    assert (result.sent, result.retrying) == (4, 4)
    sms = _outgoing(dropout).filter(channel="sms")
    for d in sms:
        assert (d.status, d.attempts, d.last_error, d.claimed_at) == ("pending", 1, "HTTP 503", None)
        assert T0 + 22.5 * SEC <= d.next_attempt_at <= T0 + 37.5 * SEC
    assert relay_deliveries(now=T0 + 20 * SEC).claimed == 0  # not due yet
    second = T0 + 40 * SEC
    assert relay_deliveries(now=second).retrying == 4
    for d in sms.all():
        assert d.attempts == 2
        assert second + 45 * SEC <= d.next_attempt_at <= second + 75 * SEC
    assert len(mailoutbox) == 4  # the emails went on the first run and only then


def test_the_backoff_doubles_up_to_the_cap_with_jitter():
    assert [backoff_seconds(n, rand=lambda: 0.5) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff_seconds(20, rand=lambda: 0.5) == 3600
    assert backoff_seconds(1, rand=lambda: 0.0) == 22.5
    assert backoff_seconds(1, rand=lambda: 0.9999) < 37.5


def test_after_the_last_attempt_it_fails_visibly_and_escalates(dropout, settings, orgs, users, mailoutbox):
    settings.SMS_BACKEND = "tests.notifications.test_relay.FailingSMS"
    settings.NOTIFY_MAX_ATTEMPTS = 3
    when = T0
    for _ in range(3):
        relay_deliveries(now=when)
        when += dt.timedelta(hours=1)
    sms = list(_outgoing(dropout).filter(channel="sms", escalation_level=0))
    assert {(d.status, d.attempts, d.last_error) for d in sms} == {("failed", 3, "HTTP 503")}
    notice = notice_of(dropout, orgs["survivor_service"])
    assert notice.delivery_failed_at == T0 + dt.timedelta(hours=2)
    # The survivor service has no managers: its failure goes to the provider's
    # programme manager, one level up, by every channel (the one that failed
    # may be the only one down).
    escalated = case_deliveries().get(notice=notice, channel="inbox", user__isnull=False)
    assert (escalated.user, escalated.escalation_level, escalated.status) == (users["manager"], 1, "sent")
    outgoing = case_deliveries().filter(event=dropout, user=users["manager"], escalation_level=1)
    outgoing = outgoing.exclude(channel="inbox")
    assert sorted(outgoing.values_list("channel", flat=True)) == ["email", "sms"]
    mailoutbox.clear()
    relay_deliveries(now=when + dt.timedelta(days=1))
    assert [users["manager"].email] in [m.to for m in mailoutbox]
    assert case_notices().filter(delivery_failed_at__isnull=False).count() == 3  # each organisation's SMS failed


def test_a_failure_on_an_acknowledged_notice_does_not_escalate(dropout, settings, orgs, users, mailoutbox):
    from notifications.services import notice_acknowledge

    settings.SMS_BACKEND = "tests.notifications.test_relay.FailingSMS"
    settings.NOTIFY_MAX_ATTEMPTS = 2
    notice = notice_of(dropout, orgs["survivor_service"])
    notice_acknowledge(notice=notice, by=users["survivor_worker"], actions=["survivor_called"], now=T0)
    relay_deliveries(now=T0)
    relay_deliveries(now=T0 + dt.timedelta(hours=1))
    notice.refresh_from_db()
    assert notice.delivery_failed_at == T0 + dt.timedelta(hours=1)  # still shown as failed
    assert not case_deliveries().filter(notice=notice, escalation_level__gt=0).exists()


def test_a_row_left_sending_by_a_dead_worker_is_reclaimed_after_the_lease(dropout, mailoutbox):
    rows = list(_outgoing(dropout))
    stuck, fresh = rows[0], rows[1]
    case_deliveries().filter(pk=stuck.pk).update(status="sending", claimed_at=T0 - 121 * SEC, attempts=1)
    case_deliveries().filter(pk=fresh.pk).update(status="sending", claimed_at=T0 - 60 * SEC, attempts=1)
    relay_deliveries(now=T0)
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert (stuck.status, stuck.attempts) == ("sent", 2)
    assert (fresh.status, fresh.attempts) == ("sending", 1)  # its worker may still be sending
    relay_deliveries(now=T0 + 61 * SEC)
    fresh.refresh_from_db()
    assert fresh.status == "sent"


def test_a_row_taken_over_by_another_relay_is_not_sent_twice(dropout, mailoutbox, sms_sink):
    """A row that waited in a slow batch past its lease was reclaimed by
    another relay: the first relay skips it when its turn comes."""
    rows = claim_deliveries(batch=100, now=T0)
    taken = rows[-1]
    case_deliveries().filter(pk=taken.pk).update(claimed_at=T0 + 121 * SEC, attempts=2)  # the other relay's claim
    result = send_claimed(rows, now=T0 + 121 * SEC)
    assert (result.sent, result.skipped) == (7, 1)
    taken.refresh_from_db()
    assert (taken.status, taken.claimed_at) == ("sending", T0 + 121 * SEC)  # still the other relay's
    assert len(mailoutbox) + len(sms_sink()) == 7


def test_each_send_renews_the_lease(dropout, mailoutbox, monkeypatch):
    seen = []
    real_send = relay.send_delivery

    def spy(delivery):
        seen.append(case_deliveries().get(pk=delivery.pk).claimed_at)
        real_send(delivery)

    monkeypatch.setattr(relay, "send_delivery", spy)
    rows = claim_deliveries(batch=100, now=T0)
    send_claimed(rows[:1], now=T0 + 100 * SEC)
    assert seen == [T0 + 100 * SEC]


def test_a_row_reclaimed_after_its_last_attempt_fails_without_sending(dropout, settings, mailoutbox):
    settings.NOTIFY_MAX_ATTEMPTS = 2
    email = _outgoing(dropout).filter(channel="email").first()
    case_deliveries().filter(pk=email.pk).update(status="sending", claimed_at=T0 - 1000 * SEC, attempts=2)
    relay_deliveries(now=T0)
    email.refresh_from_db()
    assert (email.status, email.last_error) == ("failed", "worker lost")
    assert email.address not in [m.to[0] for m in mailoutbox]
    assert case_notices().get(pk=email.notice_id).delivery_failed_at == T0


def test_recording_survives_a_dropped_connection(dropout, monkeypatch, sms_sink, mailoutbox):
    """The send succeeded, then the database connection was lost: the relay
    reconnects and records "sent" instead of sending again later."""
    real_update = QuerySet.update
    failures = {"left": 2}

    def flaky_update(self, **kwargs):
        if self.model is Delivery and kwargs.get("status") == "sent" and failures["left"]:
            failures["left"] -= 1
            raise OperationalError("server closed the connection unexpectedly")
        return real_update(self, **kwargs)

    closed = []
    monkeypatch.setattr(QuerySet, "update", flaky_update)
    monkeypatch.setattr(relay, "connection", SimpleNamespace(close=lambda: closed.append(1)))
    monkeypatch.setattr(relay.time, "sleep", lambda s: None)
    result = relay_deliveries(now=T0)
    assert result.sent == 8
    assert len(closed) == 2
    assert set(_outgoing(dropout).values_list("status", flat=True)) == {"sent"}
    assert len(sms_sink()) == 4
    assert len(mailoutbox) == 4


def test_it_does_not_send_inbox_rows(dropout):
    inbox = case_deliveries().filter(event=dropout, channel="inbox")
    assert set(inbox.values_list("status", flat=True)) == {"sent"}
    assert all(d.channel != "inbox" for d in claim_deliveries(batch=100, now=T0))


# --- SKIP LOCKED: two claimers never get the same row ------------------------------


def _many_deliveries(case, n_events: int) -> list[int]:
    for n in range(n_events):
        with transaction.atomic():
            from notifications.services import safety_event_record

            safety_event_record(kind=E.EXPULSION, case=case, facts={}, dedupe_key=f"expulsion:t:{n}", now=T0)
    return list(case_deliveries().exclude(channel="inbox").values_list("pk", flat=True))


@pytest.mark.django_db(transaction=True)
def test_a_row_locked_by_one_claimer_is_skipped_by_another(case_with_service, contacts):
    ids = _many_deliveries(case_with_service, 2)
    held = sorted(ids)[:3]
    locked, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                list(Delivery.objects.select_for_update().filter(pk__in=held))
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert locked.wait(10)
        claimed = {d.pk for d in claim_deliveries(batch=100, now=T0)}
    finally:
        release.set()
        thread.join(10)
    assert claimed == set(ids) - set(held)
    assert {d.pk for d in claim_deliveries(batch=100, now=T0)} == set(held)


@pytest.mark.django_db(transaction=True)
def test_concurrent_claimers_split_the_rows_without_overlap(case_with_service, contacts):
    ids = _many_deliveries(case_with_service, 10)  # 10 × 6 email/SMS
    assert len(ids) == 60
    start = threading.Barrier(4)
    claims: list[list[int]] = [[] for _ in range(4)]

    def claimer(n: int):
        try:
            start.wait(10)
            while rows := claim_deliveries(batch=3, now=T0):
                claims[n].extend(d.pk for d in rows)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=claimer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    every = [pk for claim in claims for pk in claim]
    assert sorted(every) == sorted(ids)  # each row claimed exactly once
    assert sum(1 for claim in claims if claim) >= 2  # and the work was shared
    assert set(case_deliveries().filter(pk__in=ids).values_list("status", "attempts")) == {("sending", 1)}


# --- the relay loop in the worker (no broker needed) -------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_worker_loop_relays_without_the_broker(case_with_service, contacts, settings, sms_sink, mailoutbox):
    from notifications import worker

    settings.NOTIFY_RELAY_EVERY_SECONDS = 1
    event = record(E.DROPOUT, case_with_service)
    thread = worker.start()
    try:
        assert thread is not None and worker.start() is None  # one loop per process
        deadline = time.monotonic() + 10
        while _outgoing(event).exclude(status="sent").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        worker.stop()
    assert set(_outgoing(event).values_list("status", flat=True)) == {"sent"}
    assert len(sms_sink()) == 4 and len(mailoutbox) == 4
    assert not thread.is_alive()


def test_the_worker_loop_can_be_switched_off(settings):
    from notifications import worker

    settings.NOTIFY_RELAY_IN_WORKER = False
    assert worker.start() is None
