"""Who leads a group follows its template's facilitation rule: a pair (a
woman and a man, both needed), or one facilitator of the sex the template
names (Chance's groups: one woman trainer for women, one man for men), who
may lead alone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from programmes import services
from tests import factories as f
from tests.programmes.conftest import days

CHANCE_WOMEN = "kg-chance-women"  # one woman leads
CHANCE_MEN = "kg-chance-voluntary-men"  # one man leads


def _create(users, orgs, template, psychologist, social_worker, **overrides):
    data = {
        "provider": orgs["provider"],
        "template": template,
        "by": users["manager"],
        "name": "Thursday group",
        "sex": template.sex if template.sex != "any" else "male",
        "capacity": 10,
        "intake": "closed",
        "psychologist": psychologist,
        "social_worker": social_worker,
        "location_kind": "room",
        "location": "Room 3",
        "language": "ru",
        "starts_on": days(7),
        "time_of_day": dt.time(14, 30),
    }
    data.update(overrides)
    return services.group_create(**data)


@pytest.fixture
def woman_psychologist(users):
    users["psychologist"].gender = "female"
    users["psychologist"].save(update_fields=["gender"])
    f.qualify(users["psychologist"])
    return users["psychologist"]


def test_a_single_facilitator_group_opens_with_one_facilitator(users, orgs, woman_psychologist):
    template = f.shipped_template(CHANCE_WOMEN)
    group, warnings = _create(users, orgs, template, woman_psychologist, None)
    assert warnings == []
    assert group.social_worker is None
    assert set(group.sessions.values_list("facilitator_id", "co_facilitator_id")) == {(woman_psychologist.pk, None)}


def test_a_single_facilitator_of_the_wrong_sex_warns(users, orgs, pair):
    template = f.shipped_template(CHANCE_WOMEN)
    _group, warnings = _create(users, orgs, template, pair[0], None)
    assert warnings == ["This programme's groups are led by one woman; the facilitator chosen is not a woman."]


def test_a_mens_single_facilitator_must_be_a_man(users, orgs, woman_psychologist):
    template = f.shipped_template(CHANCE_MEN)
    _group, warnings = _create(users, orgs, template, woman_psychologist, None)
    assert warnings == ["This programme's groups are led by one man; the facilitator chosen is not a man."]


def test_a_single_facilitators_unknown_gender_warns(users, orgs):
    f.qualify(users["psychologist"])
    users["psychologist"].gender = ""
    users["psychologist"].save(update_fields=["gender"])
    _group, warnings = _create(users, orgs, f.shipped_template(CHANCE_WOMEN), users["psychologist"], None)
    assert warnings == ["The facilitator's gender is not recorded, so it cannot be checked that a woman leads."]


def test_a_helper_beside_a_single_facilitator_needs_no_balance_or_qualification(users, orgs, woman_psychologist):
    # The social worker is a woman too, and holds no qualification: the rule
    # asks only of the one who leads.
    users["social_worker"].gender = "female"
    users["social_worker"].save(update_fields=["gender"])
    users["social_worker"].qualifications.all().delete()
    _group, warnings = _create(
        users, orgs, f.shipped_template(CHANCE_WOMEN), woman_psychologist, users["social_worker"]
    )
    assert warnings == []


def test_a_pair_programme_still_needs_the_social_worker(users, orgs, pair, men):
    with pytest.raises(ValidationError) as exc:
        _create(users, orgs, men, pair[0], None, language="ky")
    assert exc.value.message_dict == {"social_worker": ["Choose a social worker of your organisation."]}


def test_a_pair_programme_warns_of_an_unbalanced_pair(users, orgs, pair, men):
    pair[1].gender = "male"
    pair[1].save(update_fields=["gender"])
    _group, warnings = _create(users, orgs, men, *pair, language="ky")
    assert warnings == ["The facilitator pair is not gender-balanced."]


def test_a_running_single_facilitator_group_may_drop_its_social_worker(users, orgs, woman_psychologist):
    group, _warnings = _create(
        users, orgs, f.shipped_template(CHANCE_WOMEN), woman_psychologist, users["social_worker"]
    )
    updated = services.group_update(
        group=group,
        by=users["manager"],
        name=group.name,
        capacity=group.capacity,
        psychologist=woman_psychologist,
        social_worker=None,
        location=group.location,
        time_of_day=group.time_of_day,
    )
    assert updated.warnings == []
    assert updated.group.social_worker is None
    assert not group.sessions.filter(co_facilitator__isnull=False, status="planned").exists()
