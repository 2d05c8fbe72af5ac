"""The duplicate warnings (the incoming list's flag, a referral's page)
find the same person by name and birth date or by phone through indexes,
not by reading every person ever referred."""

from __future__ import annotations

import pytest
from django.db import connection

from referrals.selectors import duplicate_referral_ids, possible_duplicates
from tests.query_plans import analyze, plans_of, scans, show

PERSONS = "referrals_person"
INDEX = "person_phone"


@pytest.fixture
def many_referrals(users, orgs, referral):
    """Six thousand referred persons, each with a referral: two in three
    with a phone, none the phone or the name of ``referral``'s person."""
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
            SELECT 'police', '', '{}', '', '', false, 'received', now(), '', '', now(), '', '',
                %(police)s, person.id, %(police_unit)s, %(provider)s
            FROM person
            """,
            {"police": users["police"].pk, "police_unit": orgs["police"].pk, "provider": orgs["provider"].pk},
        )
    analyze(PERSONS, "referrals_referral")


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
