"""Safety events, notices and deliveries other than the provider's decisions
on referrals: every referral a test accepts tells its referring body
(``referral_accepted``), which tests of other events leave aside."""

from __future__ import annotations

from django.db.models import QuerySet

from notifications.models import DECISION_KINDS, Delivery, Notice, SafetyEvent


def case_events() -> QuerySet[SafetyEvent]:
    return SafetyEvent.objects.exclude(kind__in=DECISION_KINDS)


def case_notices() -> QuerySet[Notice]:
    return Notice.objects.exclude(event__kind__in=DECISION_KINDS)


def case_deliveries() -> QuerySet[Delivery]:
    """Reminders' and webhooks' deliveries too (they have no event)."""
    return Delivery.objects.exclude(event__kind__in=DECISION_KINDS)
