"""Alert channels: the Telegram backend against a local fake Bot API, the
relay sending Telegram exactly once, confirmation of a channel, Telegram
linking through getUpdates, and who gets what."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from notifications import alerts
from notifications.channels import ChannelError
from notifications.channels.telegram import HTTPBackend
from notifications.models import (
    AlertChannel,
    SafetyEvent,
    TelegramLinkCode,
    TelegramPollState,
)
from notifications.relay import relay_deliveries
from tests.notices import case_deliveries
from tests.notifications.conftest import SURVIVOR_SECRETS, confirm, notice_of, record

E = SafetyEvent.Kind
T0 = dt.datetime(2026, 3, 10, 20, 0, tzinfo=dt.UTC)  # 02:00 in Bishkek
TOKEN = "123:secret-token"


@pytest.fixture
def bot(settings):
    """A local fake Bot API: records sendMessage calls (once per
    Idempotency-Key, like a relaying proxy would), answers getUpdates from
    ``updates``, with ``status`` and ``delay`` to play failures."""
    state = {"status": 200, "delay": 0.0, "messages": [], "keys": set(), "calls": [], "updates": []}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            method = self.path.rsplit("/", 1)[-1]
            state["calls"].append((self.path, body, dict(self.headers)))
            time.sleep(state["delay"])
            if state["status"] != 200:
                self.send_response(state["status"])
                self.end_headers()
                return
            if method == "sendMessage":
                key = self.headers.get("Idempotency-Key")
                if key not in state["keys"]:
                    state["keys"].add(key)
                    state["messages"].append(body)
                answer = {"ok": True, "result": {"message_id": len(state["messages"])}}
            else:
                offset = body.get("offset", 0)
                answer = {"ok": True, "result": [u for u in state["updates"] if u["update_id"] >= offset]}
            raw = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.TELEGRAM_API_URL = f"http://127.0.0.1:{server.server_address[1]}"
    settings.TELEGRAM_BOT_TOKEN = TOKEN
    settings.TELEGRAM_BACKEND = "notifications.channels.telegram.HTTPBackend"
    settings.TELEGRAM_HTTP_TIMEOUT = 1
    settings.TELEGRAM_BOT_USERNAME = "casework_test_bot"
    yield state
    server.shutdown()
    server.server_close()


# --- the backend -------------------------------------------------------------------


def test_send_message_posts_the_chat_and_text_to_the_bot(bot):
    HTTPBackend().send(to="555", text="A notice is waiting", idempotency_key="7")
    (path, body, headers) = bot["calls"][0]
    assert path == f"/bot{TOKEN}/sendMessage"
    assert body["chat_id"] == "555"
    assert body["text"] == "A notice is waiting"
    assert headers["Idempotency-Key"] == "7"


@pytest.mark.parametrize(("status", "permanent"), [(400, True), (403, True), (429, False), (500, False), (502, False)])
def test_errors_4xx_are_permanent_5xx_and_429_are_retried(bot, status, permanent):
    bot["status"] = status
    with pytest.raises(ChannelError) as exc:
        HTTPBackend().send(to="555", text="x", idempotency_key="1")
    assert exc.value.reason == f"HTTP {status}"
    assert exc.value.permanent is permanent
    assert TOKEN not in str(exc.value)


def test_a_timeout_is_retried(bot):
    bot["delay"] = 1.5
    with pytest.raises(ChannelError) as exc:
        HTTPBackend().send(to="555", text="x", idempotency_key="1")
    assert (exc.value.reason, exc.value.permanent) == ("timeout", False)


# --- through the relay ---------------------------------------------------------------


@pytest.fixture
def telegram_users(contacts, users):
    confirm(users, telegram={"survivor_worker": "9001", "police": "9002"})
    return users


def _telegram_rows(event):
    return case_deliveries().filter(event=event, channel="telegram").order_by("id")


def test_an_urgent_notice_goes_by_telegram_at_night_once(bot, telegram_users, case_with_service, sms_sink, mailoutbox):
    event = record(E.NEW_VIOLENCE, case_with_service, facts={"reported_on": "2026-03-09"}, now=T0)
    rows = list(_telegram_rows(event))
    assert {r.address for r in rows} == {"9001", "9002"}
    assert relay_deliveries(now=T0).sent >= 2
    assert sorted(m["chat_id"] for m in bot["messages"]) == ["9001", "9002"]
    text = " ".join(m["text"] for m in bot["messages"])
    assert case_with_service.number in text
    for secret in SURVIVOR_SECRETS:
        assert secret not in text
    assert relay_deliveries(now=T0 + dt.timedelta(minutes=5)).claimed == 0
    assert len(bot["messages"]) == 2


def test_a_resend_after_a_crash_is_not_delivered_twice(bot, telegram_users, case_with_service, settings):
    settings.NOTIFY_SENDING_LEASE_SECONDS = 120
    event = record(E.NEW_VIOLENCE, case_with_service, now=T0)
    relay_deliveries(now=T0)
    row = _telegram_rows(event).first()
    # The worker died after Telegram answered, before recording "sent".
    case_deliveries().filter(pk=row.pk).update(status="sending", claimed_at=T0)
    relay_deliveries(now=T0 + dt.timedelta(minutes=5))
    assert [m["chat_id"] for m in bot["messages"]].count(row.address) == 1
    keys = [c[2]["Idempotency-Key"] for c in bot["calls"] if c[1].get("chat_id") == row.address]
    assert keys == [str(row.pk), str(row.pk)]


def test_a_5xx_is_retried_with_backoff_and_a_4xx_fails_at_once(bot, telegram_users, case_with_service):
    event = record(E.NEW_VIOLENCE, case_with_service, now=T0)
    bot["status"] = 503
    relay_deliveries(now=T0)
    rows = list(_telegram_rows(event))
    assert {(r.status, r.last_error) for r in rows} == {("pending", "HTTP 503")}
    assert all(r.next_attempt_at > T0 for r in rows)
    bot["status"] = 403
    relay_deliveries(now=T0 + dt.timedelta(hours=2))
    rows = list(_telegram_rows(event))
    assert {(r.status, r.last_error) for r in rows} == {("failed", "HTTP 403")}
    assert notice_of(event, rows[0].notice.organisation).delivery_failed_at is not None


def test_a_429_is_retried(bot, telegram_users, case_with_service):
    event = record(E.NEW_VIOLENCE, case_with_service, now=T0)
    bot["status"] = 429
    relay_deliveries(now=T0)
    assert {r.status for r in _telegram_rows(event)} == {"pending"}
    bot["status"] = 200
    relay_deliveries(now=T0 + dt.timedelta(hours=2))
    assert {r.status for r in _telegram_rows(event)} == {"sent"}


# --- which channels get what ------------------------------------------------------------


def test_an_unconfirmed_channel_gets_nothing(contacts, users, case_with_service):
    AlertChannel.objects.filter(user=users["survivor_worker"], kind="sms").update(confirmed_at=None)
    event = record(E.DROPOUT, case_with_service, now=T0)
    worker = case_deliveries().filter(event=event, user=users["survivor_worker"])
    assert set(worker.values_list("channel", flat=True)) == {"email"}


def test_a_channel_gets_only_the_urgencies_chosen_for_it(contacts, users, case_with_service):
    AlertChannel.objects.filter(user=users["survivor_worker"], kind="sms").update(urgencies=["urgent"])
    dropout = record(E.DROPOUT, case_with_service, now=T0)  # action
    violence = record(E.NEW_VIOLENCE, case_with_service, now=T0)  # urgent
    mine = case_deliveries().filter(user=users["survivor_worker"], channel="sms")
    assert mine.filter(event=dropout).count() == 0
    assert mine.filter(event=violence).count() == 1


def test_an_organisation_with_nobody_reachable_escalates_at_once(contacts, users, orgs, case_with_service):
    AlertChannel.objects.filter(user=users["survivor_worker"]).delete()
    event = record(E.DROPOUT, case_with_service, now=T0)
    notice = notice_of(event, orgs["survivor_service"])
    assert (notice.escalation_level, notice.escalated_at, notice.escalated_because) == (1, T0, "unreachable")
    assert case_deliveries().filter(notice=notice, escalation_level=1).exists()
    police = notice_of(event, orgs["police"]) if event.notices.filter(organisation=orgs["police"]).exists() else None
    if police is not None:
        assert police.escalation_level == 0


def test_reachable_organisations_do_not_escalate_at_once(contacts, orgs, case_with_service):
    event = record(E.DROPOUT, case_with_service, now=T0)
    assert {n.escalation_level for n in event.notices.all()} == {0}


# --- confirmation --------------------------------------------------------------------------


@pytest.fixture
def fresh_sms(users, sms_sink):
    return alerts.channel_save(user=users["police"], kind="sms", address="+996555000777", urgencies=["urgent"])


def _last_code(sms_sink):
    return sms_sink()[-1]["text"].rsplit(" ", 1)[-1]


def test_a_channel_is_confirmed_by_the_code_of_its_test_message(fresh_sms, sms_sink):
    assert fresh_sms.confirmed_at is None
    alerts.channel_send_code(channel=fresh_sms)
    code = _last_code(sms_sink)
    assert len(code) == 6 and code.isdigit()
    fresh_sms.refresh_from_db()
    assert code not in fresh_sms.code_hash
    alerts.channel_confirm(channel=fresh_sms, code=code)
    fresh_sms.refresh_from_db()
    assert fresh_sms.confirmed_at is not None and fresh_sms.code_hash == ""


def test_a_wrong_code_does_not_confirm(fresh_sms, sms_sink):
    alerts.channel_send_code(channel=fresh_sms)
    code = _last_code(sms_sink)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    with pytest.raises(ValidationError) as exc:
        alerts.channel_confirm(channel=fresh_sms, code=wrong)
    assert "not the code" in str(exc.value)
    fresh_sms.refresh_from_db()
    assert fresh_sms.confirmed_at is None and fresh_sms.code_tries == 1


def test_an_expired_code_does_not_confirm(fresh_sms, sms_sink):
    sent = timezone.now()
    alerts.channel_send_code(channel=fresh_sms, now=sent)
    code = _last_code(sms_sink)
    with pytest.raises(ValidationError) as exc:
        alerts.channel_confirm(channel=fresh_sms, code=code, now=sent + dt.timedelta(minutes=16))
    assert "expired" in str(exc.value)


def test_too_many_wrong_tries_spend_the_code(fresh_sms, sms_sink, settings):
    settings.ALERT_CODE_MAX_TRIES = 2
    alerts.channel_send_code(channel=fresh_sms)
    code = _last_code(sms_sink)
    for _ in range(2):
        with pytest.raises(ValidationError):
            alerts.channel_confirm(channel=fresh_sms, code="000000" if code != "000000" else "111111")
    with pytest.raises(ValidationError):
        alerts.channel_confirm(channel=fresh_sms, code=code)


def test_a_new_address_must_be_confirmed_again(fresh_sms, users, sms_sink):
    AlertChannel.objects.filter(pk=fresh_sms.pk).update(confirmed_at=timezone.now())
    changed = alerts.channel_save(user=users["police"], kind="sms", address="+996555000778", urgencies=["urgent"])
    assert changed.pk == fresh_sms.pk and changed.confirmed_at is None


# --- Telegram linking ------------------------------------------------------------------------


def _update(update_id, chat, text):
    return {"update_id": update_id, "message": {"chat": {"id": chat}, "text": text}}


def test_the_bot_links_the_chat_that_sent_the_code(bot, users):
    code, link = alerts.telegram_link_start(user=users["police"])
    assert link == f"https://t.me/casework_test_bot?start={code}"
    assert not TelegramLinkCode.objects.filter(code_hash=code).exists()  # stored hashed
    bot["updates"] = [_update(10, 4242, f"/start {code}"), _update(11, 5555, "hello")]
    assert alerts.telegram_link_poll() == 1
    channel = AlertChannel.objects.get(user=users["police"], kind="telegram")
    assert (channel.address, channel.confirmed_at) == ("4242", None)
    assert TelegramPollState.objects.get().offset == 12
    # Single use: the same code again links nothing.
    bot["updates"].append(_update(12, 6666, f"/start {code}"))
    assert alerts.telegram_link_poll() == 0
    assert AlertChannel.objects.get(user=users["police"], kind="telegram").address == "4242"
    assert bot["calls"][-1][1]["offset"] == 12


def test_an_expired_link_code_links_nothing(bot, users):
    old = timezone.now() - dt.timedelta(minutes=16)
    code, _link = alerts.telegram_link_start(user=users["police"], now=old)
    bot["updates"] = [_update(1, 4242, f"/start {code}")]
    assert alerts.telegram_link_poll() == 0
    assert not AlertChannel.objects.filter(user=users["police"], kind="telegram").exists()


def test_a_linked_chat_is_confirmed_by_a_telegram_test_message(bot, users):
    code, _link = alerts.telegram_link_start(user=users["police"])
    bot["updates"] = [_update(1, 4242, f"/start {code}")]
    alerts.telegram_link_poll()
    channel = AlertChannel.objects.get(user=users["police"], kind="telegram")
    alerts.channel_send_code(channel=channel)
    sent = bot["messages"][-1]
    assert sent["chat_id"] == "4242"
    alerts.channel_confirm(channel=channel, code=sent["text"].rsplit(" ", 1)[-1])
    channel.refresh_from_db()
    assert channel.is_confirmed


# --- what she is told ---------------------------------------------------------------------


def test_the_reach_sentences(users, contacts):
    users["police"].preferred_language = "en"
    confirm(users, telegram={"police": "1"})
    AlertChannel.objects.filter(user=users["police"], kind="email").update(urgencies=["action"])
    AlertChannel.objects.filter(user=users["police"], kind="sms").update(urgencies=["urgent"])
    AlertChannel.objects.filter(user=users["police"], kind="telegram").update(urgencies=["urgent"])
    lines = alerts.reach_sentences(users["police"])
    assert lines == [
        "Urgent notices reach you by SMS and Telegram.",
        "Notices asking for action reach you by Email.",
        "You have no off-line channel for information notices.",
    ]
    AlertChannel.objects.filter(user=users["police"]).delete()
    assert alerts.reach_sentences(users["police"]) == [
        "You will not be alerted away from the screen: add a channel on “My alerts”."
    ]


def test_a_bot_api_url_must_be_http_or_https(settings):
    settings.TELEGRAM_BOT_TOKEN = "123:abc"
    settings.TELEGRAM_API_URL = "file:///etc"
    with pytest.raises(ChannelError) as exc:
        HTTPBackend().send(to="555", text="x", idempotency_key="1")
    assert exc.value.permanent is True
    assert "TELEGRAM_API_URL must be an http" in str(exc.value)
