"""Reads of an organisation's webhooks, for its administrator's page: each
webhook with what its deliveries show (sent, waiting to be retried, failed
for good, the last error), and its recent deliveries. Outside the
administrator's own organisation a webhook is missing (404)."""

from __future__ import annotations

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery

from accounts.permissions import get_visible_or_404, may_manage_webhooks
from accounts.scope import Scope
from notifications.models import Delivery, WebhookSubscription
from referrals.models import Referral

D = Delivery.Status


def webhooks_visible_to(scope: Scope) -> QuerySet[WebhookSubscription]:
    """The scope's organisation's webhooks, each annotated with ``sent``,
    ``retrying`` (pending after a failed attempt), ``failed`` (given up),
    ``last_sent_at``, and ``last_error`` / ``last_failed_event_at`` of the
    newest delivery that failed for good."""
    organisation_id = scope.organisation_id
    if organisation_id is None or not may_manage_webhooks(scope):
        return WebhookSubscription.objects.none()
    newest_failure = Delivery.objects.filter(webhook=OuterRef("pk"), status=D.FAILED).order_by("-id")
    return (
        WebhookSubscription.objects.filter(organisation_id=organisation_id)
        .annotate(
            sent=Count("deliveries", filter=Q(deliveries__status=D.SENT)),
            retrying=Count("deliveries", filter=Q(deliveries__status=D.PENDING, deliveries__attempts__gt=0)),
            failed=Count("deliveries", filter=Q(deliveries__status=D.FAILED)),
            last_sent_at=Max("deliveries__sent_at"),
            last_error=Subquery(newest_failure.values("last_error")[:1]),
            last_failed_event_at=Subquery(newest_failure.values("webhook_event__occurred_at")[:1]),
        )
        .select_related("created_by")
        .order_by("created_at", "id")
    )


def get_webhook_for_user(scope: Scope, pk) -> WebhookSubscription:
    return get_visible_or_404(webhooks_visible_to(scope), pk=pk)


def webhook_recent_deliveries(webhook: WebhookSubscription, *, limit: int = 20) -> list[Delivery]:
    """The webhook's newest deliveries with their event (ids, status code,
    time); each has ``referral_status``, the event's status in the reader's
    language."""
    labels = dict(Referral.Status.choices)
    rows = list(webhook.deliveries.select_related("webhook_event").order_by("-id")[:limit])
    for row in rows:
        code = row.webhook_event.status if row.webhook_event else ""
        row.referral_status = str(labels.get(code, code))  # type: ignore[attr-defined]
    return rows
