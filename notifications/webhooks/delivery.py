"""A referral's status change, told to the referring organisation's systems.

``referral_status_changed`` answers ``referrals.status_changed`` inside the
transaction that changed the status: if the referring organisation has
active webhooks, it writes one ``WebhookEvent`` and one ``Delivery`` per
active webhook (``channel`` "webhook"; the database holds one per event and
webhook), and nudges the relay after the commit. A rolled-back change leaves
nothing behind; a committed one always has its rows.

The relay (``notifications.relay``) claims, retries with backoff and gives up
on these rows as on every other delivery; for each attempt it calls
``deliver``, which posts the event's body, signed with the webhook's secret.
The body is built from the event row alone, so every attempt sends the same
bytes with the same ``X-Casework-Event-Id``: a receiver that has seen that id
drops the repeat (a worker that dies between the partner's answer and the
recording makes the relay send it again after the lease).

The body is ids, a status code and a time::

    {"event_id": "…", "type": "referral.status_changed", "referral_id": 12,
     "external_id": "KG-2026-0042", "status": "accepted",
     "occurred_at": "2026-03-10T09:00:00+00:00"}

never a name, a phone number or an address.
"""

from __future__ import annotations

import datetime as dt
import json

from notifications.models import Delivery, WebhookEvent, WebhookSubscription
from notifications.reminders.services import Outgoing

from .transport import post, sign

EVENT_TYPE = "referral.status_changed"


def referral_status_changed(*, referral) -> None:
    """Write the event and its deliveries (subscriber of ``referrals.status_changed``)."""
    from notifications.services import _schedule_nudge

    webhook_ids = list(
        WebhookSubscription.objects.filter(organisation_id=referral.referring_body_id, active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not webhook_ids:
        return None
    event = WebhookEvent.objects.create(
        referral=referral,
        organisation_id=referral.referring_body_id,
        external_id=referral.external_id or "",
        status=referral.status,
        occurred_at=referral.status_changed_at,
    )
    Delivery.objects.bulk_create(
        [Delivery(channel=Delivery.Channel.WEBHOOK, webhook_event=event, webhook_id=pk) for pk in webhook_ids]
    )
    _schedule_nudge()
    return None


def payload(event: WebhookEvent) -> bytes:
    """The body for ``event``: the same bytes at every attempt."""
    return json.dumps(
        {
            "event_id": str(event.uid),
            "type": EVENT_TYPE,
            "referral_id": event.referral_id,
            "external_id": event.external_id,
            "status": event.status,
            "occurred_at": event.occurred_at.astimezone(dt.UTC).isoformat(),
        },
        separators=(",", ":"),
        sort_keys=True,
    ).encode("utf-8")


def deliver(delivery: Delivery) -> Outgoing | None:
    """Post one claimed webhook delivery. ``None`` when the partner answered
    2xx; an ``Outgoing`` that cancels the row when its webhook was switched
    off since; ``WebhookError`` (through the relay's retry) otherwise."""
    row = Delivery.objects.select_related("webhook", "webhook_event").get(pk=delivery.pk)
    webhook, event = row.webhook, row.webhook_event
    if webhook is None or event is None or not webhook.active:
        return Outgoing(cancel="webhook inactive")
    body = payload(event)
    post(
        webhook.url,
        body=body,
        headers={"X-Casework-Event-Id": str(event.uid), "X-Casework-Signature": sign(webhook.secret, body)},
    )
    return None
