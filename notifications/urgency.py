"""How urgent a safety event is, and what follows from that.

Every notice has an urgency, worked out from its event's kind and facts:

- **urgent**: new violence reported, risk raised to high or severe, an
  expulsion for violence. Acknowledge within ``NOTIFY_ACK_HOURS_URGENT``
  (default 2 h); sent at once by every off-line channel the recipient has,
  day and night.
- **action**: a dropout, non-compliance while an order runs, an order about
  to expire, any other expulsion, a risk rise below high. Acknowledge within
  ``NOTIFY_ACK_HOURS_ACTION`` (default 24 h).
- **information**: a completion; the provider's acceptance or decline of a
  referral. No acknowledgement deadline; it never escalates.

Reminders are not safety notices; they keep the quiet hours.

This module has no models and no database access: the rules in one place,
for the services that record events, the sweeps that escalate them, the
inbox that sorts them and the reach report that checks who will hear of
them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Urgency(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    ACTION = "action", _("Action needed")
    INFORMATION = "information", _("Information")


# Most urgent first: the inbox sorts by this.
URGENCY_RANK = {Urgency.URGENT: 0, Urgency.ACTION: 1, Urgency.INFORMATION: 2}

# Risk levels that make a raised risk urgent.
URGENT_RISK_LEVELS = frozenset({"high", "severe"})

# The event kinds (``SafetyEvent.Kind`` values), spelled out here so that this
# module does not import the models.
_ALWAYS = {
    "new_violence": Urgency.URGENT,
    "dropout": Urgency.ACTION,
    "non_compliance": Urgency.ACTION,
    "order_expiring": Urgency.ACTION,
    "completion": Urgency.INFORMATION,
    "referral_accepted": Urgency.INFORMATION,
    "referral_declined": Urgency.INFORMATION,
}


def urgency_for(kind: str, facts: Mapping[str, Any] | None = None) -> Urgency:
    """The urgency of an event of ``kind`` with these ``facts``."""
    facts = facts or {}
    if kind in _ALWAYS:
        return _ALWAYS[kind]
    if kind == "risk_raised":
        return Urgency.URGENT if facts.get("to_level") in URGENT_RISK_LEVELS else Urgency.ACTION
    if kind == "expulsion":
        return Urgency.URGENT if facts.get("for_violence") is True else Urgency.ACTION
    raise ValueError(f"Unknown safety event kind {kind!r}")


def kinds_of(urgency: str) -> list[str]:
    """The event kinds that can have this urgency (for the reach report)."""
    possible = {
        "new_violence": {Urgency.URGENT},
        "risk_raised": {Urgency.URGENT, Urgency.ACTION},
        "expulsion": {Urgency.URGENT, Urgency.ACTION},
        "dropout": {Urgency.ACTION},
        "non_compliance": {Urgency.ACTION},
        "order_expiring": {Urgency.ACTION},
        "completion": {Urgency.INFORMATION},
        "referral_accepted": {Urgency.INFORMATION},
        "referral_declined": {Urgency.INFORMATION},
    }
    return [kind for kind, urgencies in possible.items() if urgency in urgencies]


def ack_deadline(urgency: str) -> dt.timedelta | None:
    """How long a notice of this urgency may stay unacknowledged before it
    escalates; None: it never escalates."""
    hours = {
        Urgency.URGENT: settings.NOTIFY_ACK_HOURS_URGENT,
        Urgency.ACTION: settings.NOTIFY_ACK_HOURS_ACTION,
        Urgency.INFORMATION: None,
    }[Urgency(urgency)]
    return None if hours is None else dt.timedelta(hours=hours)


def keeps_quiet_hours(urgency: str | None) -> bool:
    """Whether an off-line message of this urgency waits for the day.
    ``None`` is a reminder. Safety notices never wait: the quiet hours are
    for reminders only."""
    return urgency is None
