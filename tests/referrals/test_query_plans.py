"""The duplicate warnings (the incoming list's flag, a referral's page)
find the same person by name and birth date or by phone through indexes,
not by reading every person ever referred; the incoming list reads the
referrals still to decide, not every referral the provider ever had."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.db import connection

from accounts.scope import Scope
from referrals.selectors import duplicate_referral_ids, possible_duplicates, referral_list_for
from tests.query_plans import analyze, plans_of, scans, show

PERSONS = "referrals_person"
REFERRALS = "referrals_referral"
INDEX = "person_phone"


def _referred_persons(users, orgs, *, still_open: int) -> None:
    """Six thousand referred persons, each with a referral to the provider,
    an hour apart: two in three with a phone, none the phone or the name of
    the ``referral`` fixture's person. The newest ``still_open`` are still
    to decide, the others accepted or declined."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH person AS (
                INSERT INTO referrals_person (family_name, given_name, patronymic, sex, birth_date, phone,
                    address, preferred_language, household, match_key)
                SELECT 'Family' || i, 'Given', '', 'male', date '1980-01-01' + i,
                    CASE WHEN i %% 3 = 0 THEN '' ELSE '+99670' || lpad(i::text, 7, '0') END,
                    '', 'ky', '', 'family' || i || '|given|' || (date '1980-01-01' + i)
                FROM generate_series(1, 6000) AS i
                RETURNING id
            )
            INSERT INTO referrals_referral (source, incident_description, risk_flags, order_number,
                order_issuing_authority, order_obliges_programme, status, status_changed_at, decline_reason,
                decline_explanation, created_at, external_id, court_decision_number, created_by_id, person_id,
                referring_body_id, provider_id)
            SELECT 'police', '', '{}', '', '', false,
                CASE WHEN person.id - (SELECT min(id) FROM person) < %(still_open)s THEN 'received'
                    WHEN person.id %% 7 = 0 THEN 'declined' ELSE 'accepted' END,
                now(), '', '', now() - person.id * interval '1 hour', '', '',
                %(police)s, person.id, %(police_unit)s, %(provider)s
            FROM person
            """,
            {
                "police": users["police"].pk,
                "police_unit": orgs["police"].pk,
                "provider": orgs["provider"].pk,
                "still_open": still_open,
            },
        )
    analyze(PERSONS, REFERRALS)


@pytest.fixture
def many_referrals(users, orgs, referral):
    """Six thousand referred persons, each with a referral still to decide:
    two in three with a phone, none the phone or the name of ``referral``'s
    person."""
    _referred_persons(users, orgs, still_open=6000)


@pytest.fixture
def years_of_referrals(users, orgs, referral):
    """The same six thousand as years of a provider's work: the newest
    hundred and twenty still to decide, the others accepted or declined."""
    _referred_persons(users, orgs, still_open=120)


def _assert_persons_read_through_index(plans):
    assert plans
    for plan in plans:
        # A bitmap index scan names its index only.
        read = [scan for scan in scans(plan) if scan.table == PERSONS or scan.index.startswith((PERSONS, INDEX))]
        assert not [scan for scan in read if scan.node == "Seq Scan"], show(plan)
        assert INDEX in {scan.index for scan in read}, show(plan)


def test_the_incoming_lists_duplicate_flags_read_persons_through_the_phone_index(referral, many_referrals):
    assert duplicate_referral_ids([referral]) == set()
    _assert_persons_read_through_index(plans_of(lambda: duplicate_referral_ids([referral])))


def test_a_referrals_possible_duplicates_read_persons_through_the_phone_index(referral, many_referrals):
    _assert_persons_read_through_index(plans_of(lambda: list(possible_duplicates(referral))))


def test_the_incoming_list_reads_the_referrals_still_to_decide_through_their_index(users, years_of_referrals):
    scope = Scope.for_user(users["manager"])
    rows = referral_list_for(scope, open_only=True)
    # The tests before this one in the same database leave their rolled-back
    # rows in the index until a vacuum, which makes the planner's choice at
    # this size depend on the order tests run in: the question is whether the
    # index serves the list, so the planner avoids a sequential scan if any
    # index can (without this index it still scans every referral).
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plans = plans_of(lambda: list(Paginator(rows, 25).get_page(1)))
    assert len(plans) == 3  # the count, the page, its order extensions
    for plan in plans[:2]:
        read = [scan for scan in scans(plan) if scan.table == REFERRALS or scan.index.startswith(REFERRALS)]
        assert not [scan for scan in read if scan.node == "Seq Scan"], show(plan)
        assert "referral_incoming" in {scan.index for scan in read}, show(plan)
