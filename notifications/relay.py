"""The relay: claim due deliveries, send them, record the result.

1. Claim: in a short transaction, ``SELECT ... FOR UPDATE SKIP LOCKED`` the
   due rows (pending and due, or stuck in "sending" longer than the lease
   because a worker died), mark them "sending" with ``claimed_at`` and one
   more attempt, commit. Two relays never claim the same row.
2. Just before each send, renew the claim with a conditional UPDATE (still
   "sending" with our ``claimed_at``?); if another relay took the row over
   after its lease, skip it. The lease then covers one send, not a batch.
3. Send each row (email with a timeout, SMS through the gateway, Telegram
   through the bot), with the delivery id as idempotency key (SMS,
   Telegram) and Message-ID (email). A permanent error (Telegram 4xx)
   fails the row at once.
4. Record the result at once, row by row: "sent"; or back to "pending" with
   exponential backoff and jitter; or after the last attempt "failed", which
   marks the notice "failed — call them" and escalates it to the
   organisation's managers. Recording survives a dropped database
   connection: it reconnects and tries again.

Delivery is at least once: a worker killed between sending and recording
leaves the row "sending"; after the lease it is sent again with the same
idempotency key, which the gateway uses to deliver it once.

Webhook deliveries (``channel`` "webhook", see ``notifications.webhooks``)
go the same way too: the send is a signed POST of the event (a webhook
switched off since is "cancelled", never sent), and after the last attempt
the row is "failed", which the organisation's webhook page shows; nobody is
escalated to.

Reminder deliveries (``reminder`` set, see ``notifications.reminders``) go
the same way, with two differences: just before sending,
``reminders.prepare`` reads what the reminder is about and may cancel the
row (no longer due: status "cancelled", never sent) or put it back until
the SMS hours; and after the last attempt it is "failed" without any
escalation (a reminder is not a safety notice).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import smtplib
import socket
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from notifications import sms
from notifications.channels import ChannelError, telegram
from notifications.models import Delivery, Notice
from notifications.texts import outgoing_message

logger = logging.getLogger(__name__)

D = Delivery.Status
OUTGOING = (Delivery.Channel.EMAIL, Delivery.Channel.SMS, Delivery.Channel.TELEGRAM, Delivery.Channel.WEBHOOK)
DB_RETRIES = 5


@dataclass
class RelayResult:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0  # taken over by another relay after the lease
    cancelled: int = 0  # reminders no longer due
    deferred: int = 0  # reminders put back until the SMS hours


def backoff_seconds(attempts: int, *, rand=random.random) -> float:
    """Seconds before the next attempt after ``attempts`` tries: doubling
    from NOTIFY_RETRY_BASE_SECONDS up to NOTIFY_RETRY_MAX_SECONDS, spread by
    ±25 % so that retries after an outage do not arrive all at once."""
    delay = min(settings.NOTIFY_RETRY_MAX_SECONDS, settings.NOTIFY_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0))
    return delay * (0.75 + 0.5 * rand())


def _due(now: dt.datetime) -> Q:
    lease = dt.timedelta(seconds=settings.NOTIFY_SENDING_LEASE_SECONDS)
    return Q(status=D.PENDING, next_attempt_at__lte=now) | Q(status=D.SENDING, claimed_at__lt=now - lease)


def claim_deliveries(*, batch: int, now: dt.datetime) -> list[Delivery]:
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(_due(now), channel__in=OUTGOING)
            .order_by("next_attempt_at", "id")
            .values_list("pk", flat=True)[:batch]
        )
        if ids:
            Delivery.objects.filter(pk__in=ids).update(status=D.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not ids:
        return []
    return list(
        Delivery.objects.filter(pk__in=ids)
        .annotate(case_ref=F("event__case_id"), referral_ref=F("event__referral_id"))
        .order_by("id")
    )


def _with_db_retry(write):
    """Run ``write`` (its own transaction); if the connection was dropped,
    reconnect and run it again."""
    for attempt in range(DB_RETRIES):
        try:
            return write()
        except (OperationalError, InterfaceError):
            if attempt == DB_RETRIES - 1:
                raise
            logger.warning("Database connection lost while recording a delivery; reconnecting.")
            connection.close()
            time.sleep(0.2 * (attempt + 1))
    return None


def _message_id(delivery: Delivery) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "casework.invalid"
    prefix = "reminder" if delivery.reminder_id else "safety"
    return f"<{prefix}-delivery-{delivery.pk}@{domain}>"


def send_delivery(delivery: Delivery) -> None:
    """Send a safety notice's row: "a notice about case K-… is waiting"."""
    subject, body = outgoing_message(
        case_id=delivery.case_ref, referral_id=getattr(delivery, "referral_ref", None), language=delivery.language
    )
    transmit(delivery, subject=subject, body=body, to=delivery.address)


def transmit(delivery: Delivery, *, subject: str, body: str, to: str) -> None:
    """Email or SMS ``body`` to ``to``, keyed by the delivery id."""
    key = str(delivery.pk)
    if delivery.channel == Delivery.Channel.EMAIL:
        EmailMessage(
            subject=subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
            headers={"Message-ID": _message_id(delivery), "X-Casework-Delivery": key},
        ).send(fail_silently=False)
    elif delivery.channel == Delivery.Channel.SMS:
        sms.send_sms(to=to, text=body, idempotency_key=key)
    elif delivery.channel == Delivery.Channel.TELEGRAM:
        telegram.send_telegram(to=to, text=body, idempotency_key=key)
    else:
        raise ValueError(f"Nothing to send on channel {delivery.channel!r}")


def _reason(exc: BaseException) -> str:
    """Why a send failed, without the address or the text."""
    if isinstance(exc, sms.SMSError | ChannelError):
        return exc.reason
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"SMTP {exc.smtp_code}"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timeout"
    return type(exc).__name__[:100]


def _renew_claim(delivery: Delivery, now: dt.datetime) -> bool:
    """Just before sending: still ours? Then start the lease again, so that
    it has to cover one send, not the whole batch. A row that waited in our
    batch past its lease may have been reclaimed by another relay: then the
    conditional UPDATE changes nothing and we leave the row to it."""

    def write() -> bool:
        changed = Delivery.objects.filter(pk=delivery.pk, status=D.SENDING, claimed_at=delivery.claimed_at).update(
            claimed_at=now
        )
        return changed == 1

    if not _with_db_retry(write):
        return False
    delivery.claimed_at = now
    return True


def _record_sent(delivery: Delivery, now: dt.datetime) -> None:
    def write():
        Delivery.objects.filter(pk=delivery.pk).update(status=D.SENT, sent_at=now, last_error="", claimed_at=None)

    _with_db_retry(write)


def _record_unsent(delivery: Delivery, now: dt.datetime, *, cancel: str = "", defer_until=None) -> str:
    """A reminder not sent now: "cancelled" for good (``cancel``: a reason
    code), or back to "pending" until ``defer_until`` without spending an
    attempt. Only while the claim is still ours."""

    def write() -> str:
        still_ours = Delivery.objects.filter(pk=delivery.pk, status=D.SENDING, claimed_at=delivery.claimed_at)
        if cancel:
            changed = still_ours.update(status=D.CANCELLED, last_error=cancel[:100], claimed_at=None)
            return D.CANCELLED if changed else "lost_claim"
        changed = still_ours.update(
            status=D.PENDING, next_attempt_at=defer_until, attempts=F("attempts") - 1, claimed_at=None
        )
        return "deferred" if changed else "lost_claim"

    return _with_db_retry(write)


def _give_up(row: Delivery, now: dt.datetime) -> None:
    """After the last attempt: the notice shows "failed — call them" and, if
    nobody has acknowledged it yet, it escalates to the next level (inbox,
    email and SMS: the channel that failed may be the only one down). A
    reminder is only marked failed: it never escalates."""
    from notifications.services import escalation_deliveries

    row.status = D.FAILED
    if row.webhook_id is not None:
        # Shown on the organisation's webhook page (the failed rows and
        # their last error); the partner's system is not a person to alert.
        logger.warning("Webhook delivery #%s failed after %d attempts.", row.pk, row.attempts)
        return
    if row.notice_id is None:
        logger.warning("Reminder delivery #%s failed after %d attempts.", row.pk, row.attempts)
        return
    notice = Notice.objects.select_for_update(of=("self",)).select_related("event", "event__case").get(pk=row.notice_id)
    if notice.delivery_failed_at is None:
        notice.delivery_failed_at = now
        notice.save(update_fields=["delivery_failed_at"])
    if notice.status != Notice.Status.OPEN:
        logger.warning(
            "Delivery #%s failed after %d attempts; notice #%s already acknowledged.", row.pk, row.attempts, notice.pk
        )
        return
    escalation_deliveries(notice, min(row.escalation_level + 1, 2), now)
    logger.warning("Delivery #%s failed after %d attempts; notice #%s escalated.", row.pk, row.attempts, notice.pk)


def _record_failure(delivery: Delivery, reason: str, now: dt.datetime, *, permanent: bool = False) -> str:
    """Back to "pending" with backoff, or "failed" after the last attempt
    or a permanent error (a wrong chat or number: retrying cannot help)."""

    def write() -> str:
        with transaction.atomic():
            row = Delivery.objects.select_for_update().get(pk=delivery.pk)
            if row.status != D.SENDING or row.claimed_at != delivery.claimed_at:
                return "lost_claim"  # reclaimed by another relay after the lease
            row.last_error = reason
            row.claimed_at = None
            if permanent or row.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
                _give_up(row, now)
            else:
                row.status = D.PENDING
                row.next_attempt_at = now + dt.timedelta(seconds=backoff_seconds(row.attempts))
            row.save(update_fields=["status", "last_error", "claimed_at", "next_attempt_at"])
            return row.status

    return _with_db_retry(write)


def _send_one(delivery: Delivery, now: dt.datetime) -> str:
    """Send one claimed row and record the result; returns the new status."""
    outgoing = None
    try:
        if delivery.channel == Delivery.Channel.WEBHOOK:
            from notifications.webhooks import deliver

            outgoing = deliver(delivery)
        else:
            if delivery.reminder_id is not None:
                from notifications.reminders import prepare

                outgoing = prepare(delivery, now)
            if outgoing is None:
                send_delivery(delivery)
            elif not outgoing.held:
                transmit(delivery, subject=outgoing.subject, body=outgoing.body, to=outgoing.to)
    except Exception as exc:  # noqa: BLE001 - any failure is retried, then escalated
        reason = _reason(exc)
        logger.warning("Delivery #%s (%s) failed: %s.", delivery.pk, delivery.channel, reason)
        return _record_failure(delivery, reason, now, permanent=getattr(exc, "permanent", False))
    if outgoing is not None and outgoing.held:
        return _record_unsent(delivery, now, cancel=outgoing.cancel, defer_until=outgoing.defer_until)
    _record_sent(delivery, now)
    return D.SENT


def send_claimed(rows: list[Delivery], *, now: dt.datetime | None = None, result: RelayResult | None = None):
    """Send the rows of one claim, one by one, recording each result."""
    result = result or RelayResult()
    for delivery in rows:
        if not _renew_claim(delivery, now or timezone.now()):
            result.skipped += 1
            continue
        if delivery.attempts > settings.NOTIFY_MAX_ATTEMPTS:
            # Reclaimed after its last attempt (a worker died): give up.
            outcome = _record_failure(delivery, "worker lost", now or timezone.now())
        else:
            outcome = _send_one(delivery, now or timezone.now())
        if outcome == D.SENT:
            result.sent += 1
        elif outcome == D.FAILED:
            result.failed += 1
        elif outcome == D.PENDING:
            result.retrying += 1
        elif outcome == D.CANCELLED:
            result.cancelled += 1
        elif outcome == "deferred":
            result.deferred += 1
    return result


def relay_deliveries(
    *, batch: int = 50, now: dt.datetime | None = None, time_budget: float | None = None
) -> RelayResult:
    """Send what is due, batch after batch, until nothing is due or the
    time budget (seconds) is spent. ``now`` fixes the clock (tests)."""
    result = RelayResult()
    started = time.monotonic()
    while True:
        rows = claim_deliveries(batch=batch, now=now or timezone.now())
        result.claimed += len(rows)
        send_claimed(rows, now=now, result=result)
        if len(rows) < batch or (time_budget is not None and time.monotonic() - started > time_budget):
            return result
