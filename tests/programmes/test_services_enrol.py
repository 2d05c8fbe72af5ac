"""enrol: who may be enrolled where, the plan it creates, and the legal
obligation window shown beside it."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from programmes import selectors, services
from programmes import timeline as programmes_timeline
from programmes.models import Enrolment, Session
from referrals.models import Referral
from referrals.services import referral_extend_order
from tests import factories as f
from tests.programmes.conftest import days


def _enrol(users, case, template, group=None, **overrides):
    data = {
        "case": case,
        "template": template,
        "group": group,
        "psychologist": users["psychologist"],
        "starts_on": group.starts_on - dt.timedelta(days=template.first_group_offset()) if group else days(0),
        "by": users["psychologist"],
    }
    data.update(overrides)
    return services.enrol(**data)


def test_it_enrols_and_plans_the_individual_sessions(users, case, men, group_of):
    group = group_of(men, starts_on=days(14))
    # Enrolled yesterday at 08:00: today 10:00 is the first slot a day ahead.
    yesterday = timezone.make_aware(dt.datetime.combine(days(-1), dt.time(8, 0)))
    enrolment = _enrol(users, case, men, group, now=yesterday)
    assert enrolment.enrolled_at == yesterday
    assert (enrolment.status, enrolment.provider, enrolment.group, enrolment.starts_on) == (
        "active",
        case.provider,
        group,
        days(0),
    )
    assert enrolment.group_from == days(14)
    sessions = list(enrolment.individual_sessions.order_by("number"))
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    assert [(s.number, s.starts_at.astimezone(tz)) for s in sessions] == [
        (1, dt.datetime.combine(days(0), dt.time(10, 0), tzinfo=tz)),
        (2, dt.datetime.combine(days(7), dt.time(10, 0), tzinfo=tz)),
    ]
    assert {(s.kind, s.facilitator_id, s.duration_minutes) for s in sessions} == {
        (Session.Kind.INDIVIDUAL, users["psychologist"].pk, 60)
    }
    assert [s.planned_topic for s in sessions] == men.curriculum[:2]
    referral = Referral.objects.get(pk=case.referral_id)
    assert referral.status == Referral.Status.ENROLLED
    entry = referral.timeline.last()
    assert (entry.kind, entry.detail_text) == (
        programmes_timeline.ENROLLED,
        f"{men.name} (version 1), group {group.name}",
    )


def test_a_programme_without_group_sessions_needs_no_group(users, orgs):
    template = services.template_copy(
        template=f.shipped_template("uz-correctional-work"), provider=orgs["provider"], by=users["manager"]
    )
    case = f.make_open_case(police=users["police"], provider=orgs["provider"], by=users["psychologist"])
    enrolment = _enrol(users, case, template)
    assert enrolment.group is None and enrolment.group_from is None
    assert enrolment.individual_sessions.count() == 4


def test_a_man_cannot_join_a_womens_programme(users, case, women):
    with pytest.raises(ValidationError) as exc:
        _enrol(users, case, women, group=None)
    assert exc.value.message_dict["template"] == ["This programme is for women only."]
    assert not Enrolment.objects.exists()


def test_a_woman_cannot_join_a_mens_programme(users, new_case, men, past_group):
    with pytest.raises(ValidationError) as exc:
        _enrol(users, new_case(sex="female"), men, past_group)
    assert exc.value.message_dict == {
        "template": ["This programme is for men only."],
        "group": ["Men and women are never in one group."],
    }


def test_a_woman_cannot_join_a_mens_group_of_a_mixed_programme(users, new_case, any_sex, group_of):
    mens_group = group_of(any_sex, sex="male", starts_on=days(7))
    with pytest.raises(ValidationError) as exc:
        _enrol(users, new_case(sex="female"), any_sex, mens_group)
    assert exc.value.message_dict == {"group": ["Men and women are never in one group."]}


def test_a_man_cannot_join_a_womens_group_of_a_mixed_programme(users, case, any_sex, group_of):
    womens_group = group_of(any_sex, sex="female", starts_on=days(7))
    with pytest.raises(ValidationError) as exc:
        _enrol(users, case, any_sex, womens_group)
    assert exc.value.message_dict == {"group": ["Men and women are never in one group."]}


def test_a_woman_joins_a_womens_group_of_a_mixed_programme(users, new_case, any_sex, group_of):
    womens_group = group_of(any_sex, sex="female", starts_on=days(7))
    enrolment = _enrol(users, new_case(sex="female"), any_sex, womens_group)
    assert enrolment.group == womens_group


def test_a_full_group_takes_nobody_else(users, case, new_case, men, group_of):
    group = group_of(men, capacity=1, starts_on=days(14))
    _enrol(users, new_case(), men, group)
    with pytest.raises(ValidationError) as exc:
        _enrol(users, case, men, group)
    assert exc.value.message_dict == {"group": ["The group is full."]}


def test_a_closed_group_that_has_started_takes_nobody_else(users, case, men, group_of):
    group = group_of(men, intake="closed", starts_on=days(-7))
    with pytest.raises(ValidationError) as exc:
        _enrol(users, case, men, group)
    assert exc.value.message_dict == {"group": ["The group has closed intake and has already started."]}


def test_a_closed_group_needs_the_person_there_from_its_first_session(users, case, men, group_of):
    group = group_of(men, intake="closed", starts_on=days(20))
    with pytest.raises(ValidationError) as exc:
        _enrol(users, case, men, group, starts_on=days(10))
    assert exc.value.message_dict == {
        "starts_on": [
            f"The group has closed intake: start by {days(6):%d.%m.%Y} so that the person is there "
            "from its first session."
        ]
    }


def test_a_rolling_group_that_has_started_takes_people(users, case, men, past_group):
    enrolment = _enrol(users, case, men, past_group, starts_on=days(0))
    assert enrolment.group_from == days(14)


def test_a_programme_with_group_sessions_needs_a_group(users, case, men):
    with pytest.raises(ValidationError) as exc:
        _enrol(users, case, men, group=None)
    assert exc.value.message_dict == {"group": ["Choose a group."]}


def test_a_group_of_another_programme_is_refused(users, case, men, any_sex, group_of):
    other = group_of(any_sex, starts_on=days(7))
    with pytest.raises(ValidationError) as exc:
        _enrol(users, case, men, other, starts_on=days(0))
    assert exc.value.message_dict == {"group": ["This group runs another programme."]}


def test_a_group_of_another_provider_is_refused(users, orgs, case, men):
    theirs_template = services.template_copy(
        template=men, provider=orgs["other_provider"], by=users["other_psychologist"]
    )
    other_sw = f.make_user(orgs["other_provider"], "social_worker")
    their_group, _w = services.group_create(
        provider=orgs["other_provider"],
        template=theirs_template,
        by=users["other_psychologist"],
        name="Khujand men",
        sex="male",
        capacity=10,
        psychologist=users["other_psychologist"],
        social_worker=other_sw,
        location="Room 1",
        language="ru",
        starts_on=days(14),
    )
    with pytest.raises(ValidationError) as exc:
        _enrol(users, case, men, their_group)
    assert exc.value.message_dict == {"group": ["Choose a group of your organisation."]}


def test_a_template_of_another_country_is_refused(users, case):
    with pytest.raises(ValidationError) as exc:
        _enrol(users, case, f.shipped_template("uz-oydin-nur"), group=None)
    assert exc.value.message_dict["template"] == ["This programme template is not available to your organisation."]


def test_the_psychologist_must_be_a_psychologist_of_the_provider(users, case, men, past_group):
    with pytest.raises(ValidationError) as exc:
        _enrol(users, case, men, past_group, psychologist=users["social_worker"])
    assert exc.value.message_dict == {"psychologist": ["Choose a psychologist of your organisation."]}


def test_a_start_far_in_the_past_is_refused(users, case, men, past_group):
    with pytest.raises(ValidationError) as exc:
        _enrol(users, case, men, past_group, starts_on=days(-200))
    assert exc.value.message_dict == {"starts_on": ["Choose a date within the last 90 days or the next year."]}


def test_a_person_cannot_be_enrolled_twice(users, case, men, past_group):
    _enrol(users, case, men, past_group)
    with pytest.raises(ValidationError) as exc:
        _enrol(users, case, men, past_group)
    assert exc.value.message_dict == {"__all__": ["The person is already enrolled in a programme."]}


def test_a_closed_case_is_not_enrolled(users, case, men, past_group):
    case.status = "closed"
    case.save()
    with pytest.raises(ValidationError) as exc:
        _enrol(users, case, men, past_group)
    assert exc.value.message_dict == {"__all__": ["This case is closed."]}


def test_a_referral_that_ended_is_not_enrolled_again(users, case, men, past_group):
    Referral.objects.filter(pk=case.referral_id).update(status=Referral.Status.DROPPED_OUT)
    with pytest.raises(ValidationError) as exc:
        _enrol(users, case, men, past_group)
    assert exc.value.message_dict == {"__all__": ["Only an accepted referral can be enrolled."]}


@pytest.mark.parametrize("who", ["manager", "police", "survivor_worker", "other_psychologist", "provider_admin"])
def test_only_the_providers_clinical_staff_enrol(users, case, men, past_group, who):
    with pytest.raises(PermissionDenied):
        _enrol(users, case, men, past_group, by=users[who])
    assert not Enrolment.objects.exists()


def test_a_social_worker_may_enrol(users, case, men, past_group):
    assert _enrol(users, case, men, past_group, by=users["social_worker"]).enrolled_by == users["social_worker"]


# --- legal_window -------------------------------------------------------------


def test_legal_window_sets_the_order_against_the_proposed_programme(case, men):
    referral = case.referral
    # The factory's order: issued two days ago, expiring in 28 days.
    issued, expires = referral.order_issued_on, referral.order_expires_on
    window = selectors.legal_window(case, template=men, starts_on=days(0))
    assert (window["order_issued_on"], window["order_expires_on"]) == (issued, expires)
    assert window["obliges_programme"] is True
    assert window["obligation_days"] == 31
    assert window["days_remaining"] == (expires - days(0)).days
    assert window["programme_ends_on"] == days(182)
    assert window["obligation_ends_before_programme"] is True
    assert window["days_without_obligation"] == (days(182) - expires).days


def test_legal_window_counts_extensions_and_the_active_enrolment(users, case, any_sex, group_of):
    group = group_of(any_sex, starts_on=days(7))
    _enrol(users, case, any_sex, group)
    referral_extend_order(
        referral=case.referral, by=users["police"], extended_on=days(0), new_expiry=days(40), obliges_programme=True
    )
    window = selectors.legal_window(case)
    assert window["order_expires_on"] == days(40)
    assert window["programme_ends_on"] == days(28)
    assert window["obligation_ends_before_programme"] is False
    assert window["days_without_obligation"] == 0


def test_legal_window_without_an_order(users, orgs, men):
    referral = f.make_referral(
        police=users["police"],
        provider=orgs["provider"],
        order=f.order_data(
            order_number="",
            order_issued_on=None,
            order_expires_on=None,
            order_obliges_programme=False,
            order_issuing_authority="",
        ),
    )
    case = f.open_case(referral, users["psychologist"])
    window = selectors.legal_window(case, template=men, starts_on=days(0))
    assert (window["order_expires_on"], window["days_remaining"], window["obliges_programme"]) == (None, None, False)
    assert window["obligation_ends_before_programme"] is True
    assert window["days_without_obligation"] == 182
