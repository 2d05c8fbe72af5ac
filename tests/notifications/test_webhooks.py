"""Webhooks to partner systems: a referral's status change writes one
delivery per active webhook of the referring organisation in the same
transaction; the relay posts the event, signed with the webhook's secret,
exactly once per event and webhook, retries, and leaves a failure visible;
the body carries ids, a code and a time, never survivor data; addresses in
private networks are refused."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications import webhooks
from notifications.models import Delivery, WebhookEvent, WebhookSubscription
from notifications.relay import relay_deliveries
from referrals import services as referral_services
from tests import factories as f
from tests.notices import case_deliveries, case_notices
from tests.notifications.conftest import SURVIVOR_SECRETS
from tests.notifications.reminder_support import days, group_starting

SECRET = "s3cret-for-tests-only-0123456789abcdef"


class Receiver:
    """A partner system on the loopback address: records each POST and
    answers with the next status of ``answers`` (200 when none is left)."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                self.send_response(receiver.answers.pop(0) if receiver.answers else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/casework?x=1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def subscribe(org, user, url: str, *, active: bool = True, secret: str = SECRET) -> WebhookSubscription:
    return WebhookSubscription.objects.create(organisation=org, url=url, secret=secret, active=active, created_by=user)


@pytest.fixture
def hooked(orgs, users, receiver):
    """The standing police unit's system listens at the receiver."""
    admin = f.make_user(orgs["police"], "org_admin", "police_admin")
    return subscribe(orgs["police"], admin, receiver.url)


def later(seconds: int = 1) -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=seconds)


def webhook_rows(**filters):
    return case_deliveries().filter(channel="webhook", **filters).order_by("id")


# --- Writing the rows ---------------------------------------------------------


def test_a_status_change_writes_one_delivery_per_active_webhook_of_the_referring_body(orgs, users, hooked):
    other = subscribe(orgs["police"], hooked.created_by, "http://127.0.0.1:9/second")
    subscribe(orgs["police"], hooked.created_by, "http://127.0.0.1:9/off", active=False)
    subscribe(orgs["other_police"], users["other_police"], "http://127.0.0.1:9/theirs")
    referral = f.make_referral(police=users["police"], provider=orgs["provider"], external_id="KG-77")
    assert not webhook_rows().exists()  # entering a referral is not a status change

    f.accept(referral, users["psychologist"])  # screening started, then accepted

    events = list(WebhookEvent.objects.order_by("id"))
    assert [(e.referral_id, e.organisation_id, e.external_id, e.status) for e in events] == [
        (referral.pk, orgs["police"].pk, "KG-77", "screening"),
        (referral.pk, orgs["police"].pk, "KG-77", "accepted"),
    ]
    assert sorted((d.webhook_event_id, d.webhook_id, d.status) for d in webhook_rows()) == sorted(
        (e.pk, w.pk, "pending") for e in events for w in (hooked, other)
    )


def test_the_database_holds_one_delivery_per_event_and_webhook(users, orgs, hooked):
    referral = f.make_referral(police=users["police"], provider=orgs["provider"])
    f.screen_all_met(referral, users["psychologist"])
    row = webhook_rows().get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(channel="webhook", webhook_event_id=row.webhook_event_id, webhook=hooked)


def test_a_rolled_back_change_leaves_no_event_and_no_delivery(users, orgs, hooked):
    referral = f.make_referral(police=users["police"], provider=orgs["provider"])
    with pytest.raises(RuntimeError), transaction.atomic():
        f.screen_all_met(referral, users["psychologist"])
        assert webhook_rows().count() == 1
        raise RuntimeError("the change fails after the status was saved")
    assert not WebhookEvent.objects.exists()
    assert not webhook_rows().exists()


def test_enrolment_and_discharge_are_told_too(users, orgs, hooked):
    from programmes import services as programme_services

    group = group_starting(users, days(1))
    case = f.make_open_case(police=users["police"], provider=orgs["provider"], by=users["psychologist"])
    enrolment = f.enrol_case(case, by=users["psychologist"], template=group.template, group=group)
    programme_services.enrolment_discharge(
        enrolment=enrolment, kind="dropped_out", on=timezone.localdate(), reason="x", by=users["psychologist"]
    )
    assert list(WebhookEvent.objects.order_by("id").values_list("status", flat=True))[-2:] == [
        "enrolled",
        "dropped_out",
    ]


# --- Sending ------------------------------------------------------------------


def test_the_body_is_signed_with_the_secret_and_carries_the_event_id(users, orgs, hooked, receiver):
    referral = f.make_referral(police=users["police"], provider=orgs["provider"], external_id="KG-2026-0042")
    f.screen_all_met(referral, users["psychologist"])
    event = WebhookEvent.objects.get()

    result = relay_deliveries(now=later())

    assert (result.sent, result.failed) == (1, 0)
    [request] = receiver.requests
    assert request["path"] == "/hooks/casework?x=1"
    expected = "sha256=" + hmac.new(SECRET.encode(), request["body"], hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request["headers"]["X-Casework-Signature"], expected)
    assert request["headers"]["X-Casework-Event-Id"] == str(event.uid)
    assert request["headers"]["Content-Type"] == "application/json"
    assert json.loads(request["body"]) == {
        "event_id": str(event.uid),
        "type": "referral.status_changed",
        "referral_id": referral.pk,
        "external_id": "KG-2026-0042",
        "status": "screening",
        "occurred_at": event.occurred_at.astimezone(dt.UTC).isoformat(),
    }
    assert webhook_rows().get().status == "sent"


def test_a_wrong_secret_does_not_verify(users, orgs, hooked, receiver):
    referral = f.make_referral(police=users["police"], provider=orgs["provider"])
    f.screen_all_met(referral, users["psychologist"])
    relay_deliveries(now=later())
    [request] = receiver.requests
    forged = "sha256=" + hmac.new(b"another secret", request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-Casework-Signature"] != forged


def test_the_body_has_no_survivor_data_and_no_name(users, orgs, hooked, receiver):
    referral = f.make_referral(police=users["police"], provider=orgs["provider"])
    f.accept(referral, users["psychologist"])
    relay_deliveries(now=later())
    assert len(receiver.requests) == 2
    person = referral.person
    for request in receiver.requests:
        text = request["body"].decode()
        assert set(json.loads(text)) == {"event_id", "type", "referral_id", "external_id", "status", "occurred_at"}
        for secret in (*SURVIVOR_SECRETS, person.family_name, person.given_name, str(person.phone)):
            assert secret not in text


def test_each_event_reaches_each_webhook_once_however_often_the_relay_runs(users, orgs, hooked, receiver):
    referral = f.make_referral(police=users["police"], provider=orgs["provider"])
    f.screen_all_met(referral, users["psychologist"])
    receiver.answers = [503]

    first = relay_deliveries(now=later(1))
    row = webhook_rows().get()
    assert (first.retrying, row.status, row.attempts, row.last_error) == (1, "pending", 1, "HTTP 503")
    assert relay_deliveries(now=later(2)).claimed == 0  # not due yet: backoff

    second = relay_deliveries(now=row.next_attempt_at + dt.timedelta(seconds=1))
    assert second.sent == 1
    for _ in range(3):
        assert relay_deliveries(now=later(7200)).claimed == 0

    assert len(receiver.requests) == 2  # the failed attempt and the one that was answered 200
    assert {r["headers"]["X-Casework-Event-Id"] for r in receiver.requests} == {str(row.webhook_event.uid)}
    assert receiver.requests[0]["body"] == receiver.requests[1]["body"]
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")


def test_a_row_left_sending_by_a_dead_worker_is_sent_again_with_the_same_event_id(
    users, orgs, hooked, receiver, settings
):
    referral = f.make_referral(police=users["police"], provider=orgs["provider"])
    f.screen_all_met(referral, users["psychologist"])
    row = webhook_rows().get()
    t0 = later()
    case_deliveries().filter(pk=row.pk).update(status="sending", claimed_at=t0, attempts=1)

    assert relay_deliveries(now=t0 + dt.timedelta(seconds=10)).claimed == 0  # the lease still holds
    lease = dt.timedelta(seconds=settings.NOTIFY_SENDING_LEASE_SECONDS + 1)
    assert relay_deliveries(now=t0 + lease).sent == 1
    assert [r["headers"]["X-Casework-Event-Id"] for r in receiver.requests] == [str(row.webhook_event.uid)]


def test_after_the_last_attempt_the_failure_stays_on_the_row_and_nobody_is_escalated(
    users, orgs, hooked, receiver, settings
):
    settings.NOTIFY_MAX_ATTEMPTS = 2
    receiver.answers = [500, 500]
    referral = f.make_referral(police=users["police"], provider=orgs["provider"])
    f.screen_all_met(referral, users["psychologist"])

    relay_deliveries(now=later())
    row = webhook_rows().get()
    result = relay_deliveries(now=row.next_attempt_at + dt.timedelta(seconds=1))

    row.refresh_from_db()
    assert (result.failed, row.status, row.attempts, row.last_error) == (1, "failed", 2, "HTTP 500")
    assert relay_deliveries(now=later(7200)).claimed == 0
    assert not case_notices().exists()


def test_a_webhook_switched_off_after_the_change_is_not_posted(users, orgs, hooked, receiver):
    referral = f.make_referral(police=users["police"], provider=orgs["provider"])
    f.screen_all_met(referral, users["psychologist"])
    WebhookSubscription.objects.filter(pk=hooked.pk).update(active=False)

    result = relay_deliveries(now=later())

    row = webhook_rows().get()
    assert (result.cancelled, row.status, receiver.requests) == (1, "cancelled", [])


def test_a_private_address_is_refused_at_sending_time_without_a_request(users, orgs, hooked, receiver, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    referral = f.make_referral(police=users["police"], provider=orgs["provider"])
    f.screen_all_met(referral, users["psychologist"])

    result = relay_deliveries(now=later())

    row = webhook_rows().get()
    assert (result.failed, row.status, row.attempts, row.last_error) == (1, "failed", 1, "address refused")
    assert receiver.requests == []


# --- Which addresses ----------------------------------------------------------


@pytest.fixture
def production_rules(settings):
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.216.34/hook",
        "ftp://93.184.216.34/hook",
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10:8443/hook",
        "https://172.16.5.5/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://0.0.0.0/hook",
        "https://localhost/hook",
        "https://partner.internal/hook",
        "https://user:pass@93.184.216.34/hook",
        "https:///hook",
    ],
)
def test_production_refuses_plain_private_and_local_addresses(production_rules, url):
    assert webhooks.url_problem(url) is not None


def test_a_name_that_resolves_to_a_private_address_is_refused(production_rules, monkeypatch):
    monkeypatch.setattr(webhooks.transport, "_resolve", lambda host, port: ["93.184.216.34", "10.0.0.7"])
    assert webhooks.url_problem("https://partner.example.org/hook") == (
        "The address must be on the internet, not in a private or local network."
    )
    monkeypatch.setattr(webhooks.transport, "_resolve", lambda host, port: ["93.184.216.34"])
    assert webhooks.url_problem("https://partner.example.org/hook") is None


def test_a_name_that_does_not_resolve_is_refused(production_rules, monkeypatch):
    def fail(host, port):
        raise OSError("no such name")

    monkeypatch.setattr(webhooks.transport, "_resolve", fail)
    assert webhooks.url_problem("https://nowhere.example.org/hook") == "This address cannot be found. Check the name."


def test_a_public_https_address_is_accepted(production_rules):
    assert webhooks.url_problem("https://93.184.216.34:8443/hooks/casework") is None


def test_tests_and_development_may_use_http_on_the_loopback_address():
    assert webhooks.url_problem("http://127.0.0.1:8080/hook") is None


def test_the_signature_is_hmac_sha256_of_the_body():
    body = b'{"a":1}'
    assert webhooks.sign("k", body) == "sha256=" + hmac.new(b"k", body, hashlib.sha256).hexdigest()


def test_an_organisation_without_a_webhook_gets_no_rows(users, orgs):
    referral = f.make_referral(police=users["police"], provider=orgs["provider"])
    referral_services.referral_decline(referral=referral, by=users["psychologist"], reason="no_capacity")
    assert not WebhookEvent.objects.exists()
    assert not webhook_rows().exists()
