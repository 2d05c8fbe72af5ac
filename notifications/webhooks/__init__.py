"""Webhooks: partner systems told of status changes of their own referrals.

- ``transport``: which addresses may be posted to (SSRF), the signature, the POST;
- ``delivery``: the event and delivery rows written with the status change,
  and the relay's send of one row.

Callers import from the package.
"""

from .delivery import EVENT_TYPE, deliver, payload, referral_status_changed
from .transport import WebhookError, post, sign, url_problem

__all__ = [
    "EVENT_TYPE",
    "WebhookError",
    "deliver",
    "payload",
    "post",
    "referral_status_changed",
    "sign",
    "url_problem",
]
