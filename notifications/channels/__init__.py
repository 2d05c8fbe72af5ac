"""Off-line alert channels: how a notice reaches a person away from the screen.

Every channel is a backend class with one method::

    send(*, to: str, text: str, idempotency_key: str) -> None

``to`` is the address (an email address, an E.164 phone number, a Telegram
chat id), ``text`` the message (built by ``notifications.texts``: never a
name, never survivor data), ``idempotency_key`` the delivery id. A backend
raises ``ChannelError(reason, permanent=...)``: ``reason`` is short and never
contains the address or the text; ``permanent`` errors (a 4xx other than 409
and 429: the chat or number is wrong) are not retried, the others (timeouts,
5xx, 429) go back to the relay's backoff.

Backends, by channel (``get_backend(channel)``):
- ``sms``: ``settings.SMS_BACKEND`` (``notifications.sms``);
- ``telegram``: ``settings.TELEGRAM_BACKEND`` (``notifications.channels.telegram``);
- ``email``: Django's email backend (``settings.EMAIL_BACKEND``), sent by the relay.
"""

from __future__ import annotations


class ChannelError(Exception):
    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason[:80]
        self.permanent = permanent


class BaseBackend:
    def send(self, *, to: str, text: str, idempotency_key: str) -> None:
        raise NotImplementedError
