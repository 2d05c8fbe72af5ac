"""The nav badge (open notices, of which overdue) is counted on every page:
it reads the organisation's open notices and the user's personal ones
through indexes, not every notice ever sent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from accounts.scope import Scope
from notifications.selectors import notices_visible_to, open_counts
from tests.query_plans import analyze, plans_of, scans, show

NOTICES = "notifications_notice"


@pytest.fixture
def many_notices(users, orgs, referral):
    """Six thousand notices to five organisations, one in four still open;
    each in its organisation's inbox, and one in fifty also sent to the
    programme manager personally (an escalation), most of those of other
    organisations."""
    others = [orgs[key] for key in ("police", "survivor_service", "other_provider", "court")]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH event AS (
                INSERT INTO notifications_safetyevent (kind, occurred_at, created_at, dedupe_key, facts,
                    referral_id)
                SELECT 'referral_accepted', now(), now(), 'plan-test-' || i, '{}', %(referral)s
                FROM generate_series(1, 6000) AS i
                RETURNING id
            ), notice AS (
                INSERT INTO notifications_notice (role_hint, no_survivor_service, status, created_at,
                    ack_due_at, ack_note, escalation_level, organisation_id, event_id, actions, urgency,
                    escalated_because)
                SELECT 'provider', false, CASE WHEN event.id %% 4 = 0 THEN 'open' ELSE 'acknowledged' END,
                    now() - event.id * interval '1 hour', now() - (event.id %% 3 - 1) * interval '1 day', '', 0,
                    (%(orgs)s::bigint[])[1 + event.id %% 5], event.id, '{}', 'action', ''
                FROM event
                RETURNING id, event_id
            )
            INSERT INTO notifications_delivery (channel, address, language, status, attempts, next_attempt_at,
                last_error, escalation_level, created_at, user_id, notice_id, event_id)
            SELECT 'inbox', '', 'ru', 'sent', 1, now(), '', level, now(),
                CASE WHEN level = 2 THEN %(user)s END, notice.id, notice.event_id
            FROM notice CROSS JOIN (VALUES (0), (2)) AS escalation (level)
            WHERE level = 0 OR notice.id %% 50 = 0
            """,
            {
                "referral": referral.pk,
                "orgs": [orgs["provider"].pk] + [org.pk for org in others],
                "user": users["manager"].pk,
            },
        )
    analyze(NOTICES, "notifications_delivery")


def test_the_nav_badge_counts_through_indexes(users, many_notices):
    scope = Scope.for_user(users["manager"])
    now = timezone.now() + dt.timedelta(minutes=1)
    visible = notices_visible_to(scope).filter(status="open")
    assert open_counts(scope, now) == (visible.count(), visible.filter(ack_due_at__lte=now).count())
    [plan] = plans_of(lambda: open_counts(scope, now))
    # A bitmap index scan names its index only.
    read = [scan for scan in scans(plan) if scan.table == NOTICES or scan.index.startswith(("notice", NOTICES))]
    assert not [scan for scan in read if scan.node == "Seq Scan"], show(plan)
    # The organisation's own notices are found by organisation (the inbox
    # index or its foreign key's), not among every organisation's.
    assert {scan.index for scan in read} & _indexes_led_by_organisation(), show(plan)


def _indexes_led_by_organisation() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
            [NOTICES, "%USING btree (organisation_id%"],
        )
        return {name for (name,) in cursor.fetchall()}
