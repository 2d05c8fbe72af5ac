"""Sinks for the fault-injection suite: an SMS gateway that can be slow,
and an email "mailbox" that records each message by its delivery id. Both
honour the idempotency key (the delivery id) like a real gateway or a
mailbox that collapses messages with the same Message-ID."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

from notifications.sms import FileBackend, append_once


class SlowFileBackend(FileBackend):
    """Waits FAULTS_SMS_DELAY_MS before the gateway accepts the message."""

    def send(self, *, to: str, text: str, idempotency_key: str) -> None:
        time.sleep(int(os.environ.get("FAULTS_SMS_DELAY_MS", "0")) / 1000)
        super().send(to=to, text=text, idempotency_key=idempotency_key)


class JsonLinesEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            key = message.extra_headers.get("X-Casework-Delivery") or message.extra_headers.get("Message-ID")
            append_once(Path(settings.EMAIL_FILE_PATH), str(key), {"to": message.to[0], "subject": message.subject})
        return len(email_messages)
