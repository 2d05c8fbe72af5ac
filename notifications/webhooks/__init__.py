"""Webhooks: partner systems told of status changes of their own referrals.

- ``transport``: which addresses may be posted to (SSRF), the signature, the POST;
- ``delivery``: the event and delivery rows written with the status change,
  and the relay's send of one row;
- ``services``: the administrator's writes (add, switch off and on, new secret, remove);
- ``selectors``: the administrator's page's reads.

Callers import from the package.
"""

from .delivery import EVENT_TYPE, deliver, payload, referral_status_changed
from .selectors import get_webhook_for_user, webhook_recent_deliveries, webhooks_visible_to
from .services import (
    MAX_WEBHOOKS,
    webhook_create,
    webhook_delete,
    webhook_secret_renew,
    webhook_set_active,
)
from .transport import WebhookError, post, sign, url_problem

__all__ = [
    "EVENT_TYPE",
    "MAX_WEBHOOKS",
    "WebhookError",
    "deliver",
    "get_webhook_for_user",
    "payload",
    "post",
    "referral_status_changed",
    "sign",
    "url_problem",
    "webhook_create",
    "webhook_delete",
    "webhook_recent_deliveries",
    "webhook_secret_renew",
    "webhook_set_active",
    "webhooks_visible_to",
]
