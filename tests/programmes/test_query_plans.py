"""The Today page's "not yet logged" list reads the few planned sessions
through an index, not every session ever held (at national scale most of
the sessions table is held sessions: a scan over it grows with the years);
its list of the day's sessions reads the provider's, not every provider's
sessions of the day."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.scope import Scope
from programmes import selectors
from programmes.selectors import local_midnight
from programmes.views_sessions import PAGE_SIZE
from tests.query_plans import analyze, plans_of, scans, show

SESSIONS = "programmes_session"
INDEX = "session_planned_by_provider"
DAY_INDEX = "session_by_provider_start"


def _insert_sessions(group, *, starts_at: str, status: str, facilitator: str, provider: str, **params) -> None:
    """Six thousand sessions of ``group``, for ``i`` from 1 to 6000, stored
    in no particular order of time; the other columns are SQL expressions
    of ``i`` and ``params``."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO programmes_session (kind, group_id, number, starts_at, duration_minutes, location,
                planned_topic, status, cancel_reason, topic_covered, notes, reschedule_reason,
                facilitator_id, provider_id)
            SELECT 'group', %(group)s, 1 + i %% 24, {starts_at}, 120, '', '', {status}, '', '', '', '',
                {facilitator}, {provider}
            FROM generate_series(1, 6000) AS i
            ORDER BY random()
            """,  # noqa: S608 - the expressions are this module's own
            {"group": group.pk, **params},
        )
    analyze(SESSIONS)


@pytest.fixture
def many_sessions(users, orgs, past_group):
    """Six thousand sessions of two providers and eight facilitators, as a
    year or two of a provider looks: nearly all held, one in two hundred
    past ones not yet logged, two hundred planned ahead; stored in no
    particular order of time."""
    others = User.objects.bulk_create(User(username=f"facilitator{n}") for n in range(7))
    _insert_sessions(
        past_group,
        starts_at="now() + (CASE WHEN i <= 200 THEN i ELSE -i END) * interval '3 hours'",
        status="CASE WHEN i <= 200 OR i %% 200 = 0 THEN 'planned' ELSE 'held' END",
        facilitator="(%(facilitators)s::bigint[])[1 + i %% 8]",
        provider="CASE WHEN i %% 8 < 4 THEN %(ours)s ELSE %(other)s END",
        facilitators=[users["psychologist"].pk] + [u.pk for u in others],
        ours=orgs["provider"].pk,
        other=orgs["other_provider"].pk,
    )


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


@pytest.fixture
def a_countrys_days(users, orgs, past_group):
    """Six thousand sessions of thirty providers over forty days up to
    today, five of each provider a day: the psychologist leads our
    provider's, seven other facilitators the rest."""
    providers = Organisation.objects.bulk_create(
        Organisation(name=f"Provider {n}", kind=Organisation.Kind.PROGRAMME_PROVIDER, country="KG", region="Chuy")
        for n in range(29)
    )
    others = User.objects.bulk_create(User(username=f"facilitator{n}") for n in range(7))
    _insert_sessions(
        past_group,
        starts_at="%(midnight)s + (9 + i %% 5) * interval '1 hour' - (i / 150) * interval '1 day'",
        status="CASE WHEN i < 150 THEN 'planned' ELSE 'held' END",
        facilitator="CASE WHEN i %% 30 = 0 THEN %(psychologist)s ELSE (%(others)s::bigint[])[1 + i %% 7] END",
        provider="(%(providers)s::bigint[])[1 + i %% 30]",
        midnight=local_midnight(timezone.localdate()),
        psychologist=users["psychologist"].pk,
        others=[u.pk for u in others],
        providers=[orgs["provider"].pk] + [p.pk for p in providers],
    )


@pytest.mark.parametrize("role", ["psychologist", "manager"])
def test_the_days_sessions_are_read_among_the_providers(users, a_countrys_days, role):
    user = users[role]
    board = selectors.today_for(Scope.for_user(user), user, page=None, per_page=PAGE_SIZE)
    assert len(board.sessions) >= 5  # and the group's own, when it meets today
    plans = plans_of(lambda: selectors.today_for(Scope.for_user(user), user, page=None, per_page=PAGE_SIZE))
    for plan in plans:
        read = [scan for scan in scans(plan) if scan.table == SESSIONS or scan.index.startswith(SESSIONS)]
        assert not [scan for scan in read if scan.node == "Seq Scan"], show(plan)
    assert DAY_INDEX in {scan.index for scan in scans(plans[0])}, show(plans[0])
