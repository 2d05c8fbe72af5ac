"""What the referrals app tells the apps above it (``core.events``).

``STATUS_CHANGED``: a referral's status was set and saved; facts
``referral`` (with its new ``status`` and ``status_changed_at``). Emitted
inside the transaction that changed it, by the referrals services (screening
started, accepted, declined) and by the programmes services (enrolled,
completed, dropped out). The notifications app writes the partner systems'
webhook deliveries in that transaction.

``DECIDED`` (safety: the referring body must be told): the provider accepted
or declined a referral; facts ``referral`` (its new ``status`` and, for a
decline, its ``decline_reason`` code) and ``by``. Emitted inside the
decision's transaction by ``referral_accept`` and ``referral_decline``. The
notifications app writes the referring body's notice (none for a
self-referral).
"""

from core import events

STATUS_CHANGED = events.declare("referrals.status_changed")
DECIDED = events.declare("referrals.decided", safety=True)
