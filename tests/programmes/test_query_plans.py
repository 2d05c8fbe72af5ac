"""The Today page's "not yet logged" list reads the few planned sessions
through an index, not every session ever held (at national scale most of
the sessions table is held sessions: a scan over it grows with the years)."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.db import connection

from accounts.models import User
from accounts.scope import Scope
from programmes import selectors
from programmes.views_sessions import PAGE_SIZE
from tests.query_plans import analyze, plans_of, scans, show

SESSIONS = "programmes_session"
INDEX = "session_planned_by_provider"


@pytest.fixture
def many_sessions(users, orgs, past_group):
    """Six thousand sessions of two providers and eight facilitators, as a
    year or two of a provider looks: nearly all held, one in two hundred
    past ones not yet logged, two hundred planned ahead; stored in no
    particular order of time."""
    others = User.objects.bulk_create(User(username=f"facilitator{n}") for n in range(7))
    facilitators = [users["psychologist"].pk] + [u.pk for u in others]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO programmes_session (kind, group_id, number, starts_at, duration_minutes, location,
                planned_topic, status, cancel_reason, topic_covered, notes, reschedule_reason,
                facilitator_id, provider_id)
            SELECT 'group', %(group)s, 1 + i %% 24,
                now() + (CASE WHEN i <= 200 THEN i ELSE -i END) * interval '3 hours',
                120, '', '', CASE WHEN i <= 200 OR i %% 200 = 0 THEN 'planned' ELSE 'held' END, '', '', '', '',
                (%(facilitators)s::bigint[])[1 + i %% 8], CASE WHEN i %% 8 < 4 THEN %(provider)s ELSE %(other)s END
            FROM generate_series(1, 6000) AS i
            ORDER BY random()
            """,
            {
                "group": past_group.pk,
                "facilitators": facilitators,
                "provider": orgs["provider"].pk,
                "other": orgs["other_provider"].pk,
            },
        )
    analyze(SESSIONS)


def _today_page(queryset):
    """What the Today page asks of its "not yet logged" list: the count and the first page."""
    return lambda: list(Paginator(queryset, PAGE_SIZE).get_page(1))


def _assert_read_through_index(plans):
    assert len(plans) == 2  # the count, the page
    for plan in plans:
        # A bitmap index scan names its index only.
        read = [scan for scan in scans(plan) if scan.table == SESSIONS or scan.index.startswith((SESSIONS, INDEX))]
        assert not [scan for scan in read if scan.node == "Seq Scan"], show(plan)
        assert INDEX in {scan.index for scan in read}, show(plan)


def test_a_facilitators_unlogged_sessions_are_read_through_the_planned_index(users, many_sessions):
    psychologist = users["psychologist"]
    queryset = selectors.unlogged_past_sessions(Scope.for_user(psychologist), psychologist)
    assert queryset.exists()
    _assert_read_through_index(plans_of(_today_page(queryset)))


def test_a_providers_unlogged_sessions_are_read_through_the_planned_index(users, many_sessions):
    queryset = selectors.provider_unlogged_past_sessions(Scope.for_user(users["manager"]))
    _assert_read_through_index(plans_of(_today_page(queryset)))
