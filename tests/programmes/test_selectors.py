"""Reads: who sees which templates, groups, enrolments and sessions, and the
facilitator's day (today, not yet logged, calendar)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.scope import Scope
from casework.services import survivor_service_refer
from programmes import selectors, services
from programmes.models import ProgrammeTemplate
from tests import factories as f
from tests.programmes.conftest import days, group_session, log


def scope(user) -> Scope:
    return Scope.for_user(user)


# --- Templates -----------------------------------------------------------------


def test_a_provider_sees_its_countrys_shipped_templates_and_its_own(users, orgs, men):
    copy = services.template_copy(template=men, provider=orgs["provider"], by=users["manager"])
    theirs = services.template_copy(template=men, provider=orgs["other_provider"], by=users["other_psychologist"])
    codes = list(selectors.templates_for(scope(users["psychologist"])).values_list("code", flat=True))
    assert codes[0] == copy.code  # own first
    assert set(codes) == {copy.code} | set(
        ProgrammeTemplate.objects.filter(provider=None, country="KG").values_list("code", flat=True)
    )
    assert theirs.code not in codes
    with pytest.raises(Http404):
        selectors.get_template_for_user(scope(users["psychologist"]), theirs.pk)
    with pytest.raises(Http404):
        selectors.get_template_for_user(scope(users["psychologist"]), f.shipped_template("tj-consultation-room").pk)


def test_only_the_current_version_is_listed_unless_asked(users, orgs, men, group_of):
    copy = services.template_copy(template=men, provider=orgs["provider"], by=users["manager"])
    group_of(copy)
    v2 = services.template_update(template=copy, by=users["manager"], name="Version two")
    current = selectors.templates_for(scope(users["manager"]))
    assert v2 in current and copy not in current
    every = list(selectors.templates_for(scope(users["manager"]), current_only=False).filter(code=copy.code))
    assert every == [v2, copy]
    assert selectors.get_template_for_user(scope(users["manager"]), copy.pk) == copy


def test_other_organisations_see_every_shipped_template_and_no_copies(users, orgs, men):
    services.template_copy(template=men, provider=orgs["provider"], by=users["manager"])
    for who in ("police", "monitoring", "survivor_worker"):
        visible = selectors.templates_for(scope(users[who]))
        assert visible.count() == ProgrammeTemplate.objects.filter(provider=None).count() == 15
    assert not selectors.templates_for(Scope(None, None, None)).exists()


def test_usable_templates_are_the_active_ones_of_the_country_and_own(users, orgs):
    usable = set(selectors.usable_templates(orgs["provider"]).values_list("code", flat=True))
    assert usable == {
        "kg-annex3-mandatory",
        "kg-annex3-voluntary-men",
        "kg-annex3-voluntary-women",
        "kg-chance-mandatory-men",
        "kg-chance-voluntary-men",
        "kg-chance-women",
        "kg-chance-voluntary-women",
        "kg-ayalzat-mandatory",
        "kg-ayalzat-voluntary",
    }


# --- Groups and enrolments -----------------------------------------------------


def test_groups_are_seen_by_their_providers_staff_only(users, past_group, men, case, enrol):
    enrol(case, men, past_group)
    for who in ("psychologist", "social_worker", "manager"):
        group = selectors.get_group_for_user(scope(users[who]), past_group.pk)
        assert group.active_count == 1
    for who in ("other_psychologist", "police", "survivor_worker", "provider_admin"):
        with pytest.raises(Http404):
            selectors.get_group_for_user(scope(users[who]), past_group.pk)


def test_groups_choosable_are_of_the_programme_and_the_persons_sex(users, any_sex, men, group_of, case):
    mens = group_of(any_sex, sex="male", starts_on=days(7), name="Men A")
    group_of(any_sex, sex="female", starts_on=days(7), name="Women A")
    group_of(men, starts_on=days(7), name="Other programme")
    assert list(selectors.groups_choosable(case, any_sex)) == [mens]


def test_enrolments_are_seen_by_the_provider_and_the_survivor_service_on_the_case(
    users, orgs, past_group, men, case_with_service, enrol
):
    enrolment = enrol(case_with_service, men, past_group)
    for who in ("psychologist", "manager", "survivor_worker"):
        assert selectors.get_enrolment_for_user(scope(users[who]), enrolment.pk) == enrolment
    for who in ("other_psychologist", "other_survivor_worker", "police", "monitoring"):
        with pytest.raises(Http404):
            selectors.get_enrolment_for_user(scope(users[who]), enrolment.pk)


def test_after_a_transfer_both_providers_see_the_old_enrolment(users, orgs, past_group, men, case, enrol):
    enrolment = enrol(case, men, past_group)
    services.enrolment_transfer(
        enrolment=enrolment, provider=orgs["other_provider"], by=users["manager"], reason="Moved"
    )
    for who in ("psychologist", "other_psychologist"):
        assert selectors.get_enrolment_for_user(scope(users[who]), enrolment.pk) == enrolment


def test_a_survivor_service_not_on_the_case_sees_no_enrolment(users, orgs, past_group, men, case, enrol):
    enrolment = enrol(case, men, past_group)
    with pytest.raises(Http404):
        selectors.get_enrolment_for_user(scope(users["survivor_worker"]), enrolment.pk)
    survivor_service_refer(case=case, organisation=orgs["survivor_service"], by=users["psychologist"])
    assert selectors.get_enrolment_for_user(scope(users["survivor_worker"]), enrolment.pk) == enrolment


def test_enrolment_sessions_list_the_persons_plan_with_marks(users, past_group, men, case, enrol):
    person = enrol(case, men, past_group)
    log(group_session(past_group, 1), users["psychologist"], {person: "late"})
    plan = selectors.enrolment_sessions(person)
    assert len(plan) == 2 + 24
    assert [s.kind for s in plan[:3]] == ["individual", "individual", "group"]
    assert plan[2].mark == "late" and plan[3].mark == ""


def test_roster_lists_everyone_expected_with_their_marks(users, past_group, men, new_case, enrol):
    people = [enrol(new_case(family_name=name), men, past_group) for name in ("Усенов", "Абдыев")]
    session = group_session(past_group, 1)
    log(session, users["psychologist"], {people[0]: "present", people[1]: "excused"})
    rows = selectors.roster_for(session)
    assert [(r.enrolment.case.referral.person.family_name, r.mark) for r in rows] == [
        ("Абдыев", "excused"),
        ("Усенов", "present"),
    ]


# --- The facilitator's day -----------------------------------------------------


@pytest.fixture
def today_group(group_of, men):
    """A group meeting today (its third session)."""
    return group_of(men, starts_on=days(-14), name="Today's men")


def _queries_for_today(user) -> int:
    with CaptureQueriesContext(connection) as ctx:
        sessions = selectors.sessions_today(scope(user), user)
        shown = []
        for s in sessions:
            shown += [e.case.referral.person.full_name for e in s.expected]
            shown.append(s.group.name if s.group else s.enrolment.case.referral.person.full_name)
    return len(ctx.captured_queries)


def test_sessions_today_shows_who_is_expected_without_extra_queries(users, today_group, men, new_case, enrol):
    first = [enrol(new_case(), men, today_group) for _ in range(2)]
    individual_today = enrol(new_case(), men, today_group, starts_on=days(0))  # individual session today
    sessions = selectors.sessions_today(scope(users["psychologist"]), users["psychologist"])
    assert [s.kind for s in sessions] == ["individual", "group"]
    individual, group = sessions
    assert individual.expected == [individual_today]
    assert {e.pk for e in group.expected} == {e.pk for e in first}
    assert (group.expected_count, group.marked_count) == (2, 0)
    # The social worker co-leads the group session only.
    assert [s.kind for s in selectors.sessions_today(scope(users["social_worker"]), users["social_worker"])] == [
        "group"
    ]

    small = _queries_for_today(users["psychologist"])
    for _ in range(4):
        enrol(new_case(), men, today_group)
    assert _queries_for_today(users["psychologist"]) == small


def test_sessions_today_is_empty_for_other_roles(users, today_group):
    assert selectors.sessions_today(scope(users["police"]), users["police"]) == []


def test_unlogged_past_sessions_leave_out_held_cancelled_and_today(users, past_group, men, case, enrol):
    person = enrol(case, men, past_group)
    log(group_session(past_group, 1), users["psychologist"], {person: "present"})
    services.session_cancel(session=group_session(past_group, 2), reason="Holiday", by=users["manager"])
    unlogged = list(selectors.unlogged_past_sessions(scope(users["psychologist"]), users["psychologist"]))
    group_numbers = [s.number for s in unlogged if s.kind == "group"]
    assert group_numbers == [3, 4, 5, 6, 7, 8]  # session 9 is today
    assert [s.number for s in unlogged if s.kind == "individual"] == [1, 2]
    assert unlogged == sorted(unlogged, key=lambda s: s.starts_at)
    other = selectors.unlogged_past_sessions(scope(users["other_psychologist"]), users["other_psychologist"])
    assert not other.exists()


def test_sessions_for_calendar_are_the_users_in_the_range(users, past_group):
    start = timezone.now()
    end = start + dt.timedelta(days=15)
    sessions = list(selectors.sessions_for_calendar(users["social_worker"], start, end))
    assert 2 <= len(sessions) <= 3
    assert all(start <= s.starts_at < end for s in sessions)
    assert not selectors.sessions_for_calendar(users["manager"], start, end).exists()
    assert not selectors.sessions_for_calendar(users["police"], start, end).exists()
