"""group_create and group_extend_schedule: the sex rule, the facilitator
pair, the template a provider may use, and the planned sessions."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role
from programmes import services
from programmes.models import Group, Session
from tests import factories as f
from tests.programmes.conftest import days


def _create(users, orgs, template, pair, **overrides):
    data = {
        "provider": orgs["provider"],
        "template": template,
        "by": users["manager"],
        "name": "Wednesday men",
        "sex": "male",
        "capacity": 10,
        "intake": "closed",
        "psychologist": pair[0],
        "social_worker": pair[1],
        "location_kind": "mobile",
        "location": "Kara-Balta, Zhaiyl district",
        "language": "ky",
        "starts_on": days(7),
        "time_of_day": dt.time(14, 30),
    }
    data.update(overrides)
    return services.group_create(**data)


def test_it_plans_every_group_session_with_the_pair_place_and_topics(users, orgs, men, pair):
    group, warnings = _create(users, orgs, men, pair)
    assert warnings == []
    sessions = list(group.sessions.order_by("number"))
    assert [s.number for s in sessions] == list(range(1, 25))
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    first = sessions[0].starts_at.astimezone(tz)
    assert (first.date(), first.time()) == (days(7), dt.time(14, 30))
    assert [s.starts_at.astimezone(tz).date() for s in sessions] == [days(7 + 7 * i) for i in range(24)]
    assert {(s.kind, s.duration_minutes, s.location, s.facilitator_id, s.co_facilitator_id) for s in sessions} == {
        (Session.Kind.GROUP, 120, "Kara-Balta, Zhaiyl district", pair[0].pk, pair[1].pk)
    }
    curriculum = men.curriculum
    assert [s.planned_topic for s in sessions[:8]] == curriculum + curriculum[:2]
    assert group.location_kind == "mobile"


def test_it_warns_when_the_pair_is_not_gender_balanced(users, orgs, men, pair):
    pair[1].gender = "male"
    pair[1].save()
    _group, warnings = _create(users, orgs, men, pair)
    assert warnings == ["The facilitator pair is not gender-balanced."]


def test_it_warns_when_a_facilitators_gender_is_unknown(users, orgs, men, pair):
    pair[1].gender = ""
    pair[1].save()
    _group, warnings = _create(users, orgs, men, pair)
    assert warnings == ["The gender of a facilitator is not recorded, so the balance of the pair cannot be checked."]


def test_a_mens_programme_cannot_have_a_womens_group(users, orgs, men, pair):
    with pytest.raises(ValidationError) as exc:
        _create(users, orgs, men, pair, sex="female")
    assert exc.value.message_dict == {"sex": ["This programme is for men only."]}
    assert not Group.objects.exists()


def test_a_womens_programme_cannot_have_a_mens_group(users, orgs, women, pair):
    with pytest.raises(ValidationError) as exc:
        _create(users, orgs, women, pair, sex="male")
    assert exc.value.message_dict == {"sex": ["This programme is for women only."]}


@pytest.mark.parametrize("sex", ["male", "female"])
def test_a_programme_for_either_sex_has_separate_groups_of_either(users, orgs, any_sex, pair, sex):
    group, _warnings = _create(users, orgs, any_sex, pair, sex=sex)
    assert group.sex == sex


def test_it_refuses_a_template_of_another_country(users, orgs, pair):
    with pytest.raises(ValidationError) as exc:
        _create(users, orgs, f.shipped_template("tj-consultation-room"), pair, language="ru")
    assert exc.value.message_dict == {"template": ["This programme template is not available to your organisation."]}


def test_it_refuses_another_providers_copy(users, orgs, men, pair):
    theirs = services.template_copy(template=men, provider=orgs["other_provider"], by=users["other_psychologist"])
    with pytest.raises(ValidationError) as exc:
        _create(users, orgs, theirs, pair)
    assert exc.value.message_dict == {"template": ["This programme template is not available to your organisation."]}


def test_it_refuses_a_draft_template(users, orgs, pair):
    draft = services.template_copy(
        template=f.shipped_template("tm-pilot"), provider=orgs["provider"], by=users["manager"]
    )
    with pytest.raises(ValidationError) as exc:
        _create(users, orgs, draft, pair, language="ru")
    assert exc.value.message_dict == {"template": ["This programme template is not active."]}


def test_it_refuses_a_template_without_group_sessions(users, orgs, pair):
    individual_only = services.template_copy(
        template=f.shipped_template("uz-correctional-work"), provider=orgs["provider"], by=users["manager"]
    )
    with pytest.raises(ValidationError) as exc:
        _create(users, orgs, individual_only, pair, language="ru")
    assert exc.value.message_dict == {"template": ["This programme has no group sessions."]}


def test_it_refuses_facilitators_in_the_wrong_role_or_organisation(users, orgs, men, pair):
    with pytest.raises(ValidationError) as exc:
        _create(users, orgs, men, pair, psychologist=users["social_worker"], social_worker=users["other_psychologist"])
    assert exc.value.message_dict == {
        "psychologist": ["Choose a psychologist of your organisation."],
        "social_worker": ["Choose a social worker of your organisation."],
    }


def test_it_refuses_a_language_the_programme_is_not_offered_in(users, orgs, men, pair):
    with pytest.raises(ValidationError) as exc:
        _create(users, orgs, men, pair, language="tg")
    assert exc.value.message_dict == {"language": ["The programme is not offered in this language."]}


def test_it_refuses_bad_capacity_and_a_blank_place(users, orgs, men, pair):
    with pytest.raises(ValidationError) as exc:
        _create(users, orgs, men, pair, capacity=0, location=" ")
    assert set(exc.value.message_dict) == {"capacity", "location"}


@pytest.mark.parametrize("who", ["police", "survivor_worker", "provider_admin", "other_psychologist"])
def test_group_create_by_others_is_denied(users, orgs, men, pair, who):
    with pytest.raises(PermissionDenied):
        _create(users, orgs, men, pair, by=users[who])


@pytest.mark.parametrize("who", ["psychologist", "social_worker", "manager"])
def test_every_provider_staff_role_may_open_a_group(users, orgs, men, pair, who):
    group, _warnings = _create(users, orgs, men, pair, by=users[who])
    assert group.provider == orgs["provider"]


def test_extending_a_rolling_group_appends_a_cycle(users, orgs, men, pair):
    group, _warnings = _create(users, orgs, men, pair, intake="rolling")
    new = services.group_extend_schedule(group=group, by=users["manager"])
    assert [s.number for s in new] == list(range(25, 49))
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    dates = [s.starts_at.astimezone(tz).date() for s in group.sessions.order_by("number")]
    assert len(dates) == 48
    assert {(b - a).days for a, b in zip(dates, dates[1:], strict=False)} == {7}
    assert new[0].planned_topic == men.curriculum[24 % len(men.curriculum)]


def test_a_closed_group_is_not_extended(users, orgs, men, pair):
    group, _warnings = _create(users, orgs, men, pair, intake="closed")
    with pytest.raises(ValidationError) as exc:
        services.group_extend_schedule(group=group, by=users["manager"])
    assert exc.value.message_dict == {"__all__": ["Only a rolling group's schedule can be extended."]}


def test_a_social_worker_of_another_provider_is_not_a_facilitator(users, orgs, men, pair):
    outsider = f.make_user(orgs["other_provider"], Role.SOCIAL_WORKER)
    with pytest.raises(ValidationError) as exc:
        _create(users, orgs, men, pair, social_worker=outsider)
    assert exc.value.message_dict == {"social_worker": ["Choose a social worker of your organisation."]}
