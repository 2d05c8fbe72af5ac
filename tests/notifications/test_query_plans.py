"""The nav badge (open notices, of which overdue) is counted on every page,
and the inbox lists them: both read the organisation's notices and the
user's personal ones through indexes, not every notice ever sent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import Organisation
from accounts.scope import Scope
from notifications.models import Delivery, Notice
from notifications.selectors import inbox_pages, notice_list_for, notices_visible_to, open_counts
from notifications.views import PAGE_SIZE
from tests.query_plans import analyze, plans_of, scans, show

NOTICES = "notifications_notice"


def _send_notices(organisations: list[Organisation], *, user, referral, personal_every: int) -> None:
    """Six thousand notices, one in four still open, spread over
    ``organisations`` in turn; each in its organisation's inbox, and one in
    ``personal_every`` also sent to ``user`` personally (an escalation)."""
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
                    (%(orgs)s::bigint[])[1 + event.id %% cardinality(%(orgs)s::bigint[])], event.id, '{}',
                    'action', ''
                FROM event
                RETURNING id, event_id
            )
            INSERT INTO notifications_delivery (channel, address, language, status, attempts, next_attempt_at,
                last_error, escalation_level, created_at, user_id, notice_id, event_id)
            SELECT 'inbox', '', 'ru', 'sent', 1, now(), '', level, now(),
                CASE WHEN level = 2 THEN %(user)s END, notice.id, notice.event_id
            FROM notice CROSS JOIN (VALUES (0), (2)) AS escalation (level)
            WHERE level = 0 OR notice.id %% %(personal_every)s = 0
            """,
            {
                "referral": referral.pk,
                "orgs": [org.pk for org in organisations],
                "user": user.pk,
                "personal_every": personal_every,
            },
        )
    analyze(NOTICES, "notifications_delivery")


@pytest.fixture
def many_notices(users, orgs, referral):
    """Six thousand notices to five organisations, one in four still open;
    each in its organisation's inbox, and one in fifty also sent to the
    programme manager personally (an escalation), most of those of other
    organisations."""
    others = [orgs[key] for key in ("police", "survivor_service", "other_provider", "court")]
    _send_notices([orgs["provider"], *others], user=users["manager"], referral=referral, personal_every=50)


@pytest.fixture
def national_notices(users, orgs, referral):
    """The same six thousand notices over forty organisations, as a country
    has them (each inbox holds a small part of the table), one in forty-nine
    also sent to the programme manager personally: of every organisation."""
    more = Organisation.objects.bulk_create(
        Organisation(name=f"Police unit {n}", kind=Organisation.Kind.POLICE_UNIT, country="KG", region="Chuy")
        for n in range(40 - len(orgs))
    )
    _send_notices([*orgs.values(), *more], user=users["manager"], referral=referral, personal_every=49)


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


@pytest.mark.parametrize("state", ["open", "all"])
def test_the_inbox_reads_notices_through_indexes_and_joins_one_page(users, national_notices, state):
    scope = Scope.for_user(users["manager"])
    pages = Paginator(inbox_pages(scope, state=state), PAGE_SIZE)
    plans = plans_of(lambda: list(pages.get_page(2)))
    assert len(plans) == 3  # the count, the page, its sanctions
    for plan in plans[:2]:
        read = [scan for scan in scans(plan) if scan.table == NOTICES or scan.index.startswith(("notice", NOTICES))]
        assert not [scan for scan in read if scan.node == "Seq Scan"], show(plan)
        assert {scan.index for scan in read} & _indexes_led_by_organisation(), show(plan)
    # The page's events, cases and referrals are read by key, not every one joined to be sorted.
    # The page's notices and deliveries by index; a one-row table (the case)
    # may be read whole.
    grown = (NOTICES, "notifications_delivery")
    assert not [s for s in scans(plans[1]) if s.node == "Seq Scan" and s.table in grown], show(plans[1])


@pytest.mark.parametrize("state", ["open", "acknowledged", "all"])
def test_the_inbox_shows_the_organisations_notices_and_the_personal_ones(users, national_notices, state):
    """GIVEN notices of forty organisations, some sent to the manager personally
    WHEN her inbox is read a page at a time
    THEN it shows, in order, exactly her organisation's notices and those
    with a delivery to her (the condition as an EXISTS, as it was written)."""
    manager = users["manager"]
    scope = Scope.for_user(manager)
    personal = Exists(Delivery.objects.filter(notice=OuterRef("pk"), user=manager))
    expected = Notice.objects.filter(Q(organisation=scope.organisation) | Q(personal))
    if state != "all":
        expected = expected.filter(status=state)
    assert expected.exclude(organisation=scope.organisation).exists()  # some are personal only
    pages = Paginator(inbox_pages(scope, state=state), PAGE_SIZE)
    shown = [notice.pk for number in pages.page_range for notice in pages.get_page(number)]
    assert pages.count == expected.count() == len(shown)
    assert set(shown) == set(expected.values_list("pk", flat=True))
    assert shown == [notice.pk for notice in notice_list_for(scope, state=state)]


def _indexes_led_by_organisation() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
            [NOTICES, "%USING btree (organisation_id%"],
        )
        return {name for (name,) in cursor.fetchall()}
