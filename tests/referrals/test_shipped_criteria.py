"""The eligibility criteria shipped for Kyrgyzstan say what Decree No. 390,
Annex 3 says (seed 001): addiction to alcohol, narcotics, psychotropic
substances or gambling, or a mental disorder, means basic therapy first."""

import pytest
from django.utils import translation

from accounts.models import Organisation
from referrals.models import EligibilityCriterion
from referrals.selectors import criteria_for_provider
from tests import factories as f


@pytest.mark.django_db
def test_the_kyrgyz_addiction_criterion_names_every_addiction_of_annex_3():
    criterion = EligibilityCriterion.objects.get(organisation=None, country="KG", code="no_addiction")
    assert criterion.effect == EligibilityCriterion.Effect.BASIC_THERAPY_FIRST
    for word in ("alcohol", "narcotics", "psychotropic substances", "gambling"):
        assert word in criterion.text_en
    for word in ("алкоголя", "наркотических", "психотропных", "азартных игр"):
        assert word in criterion.text_ru


@pytest.mark.django_db
def test_a_kyrgyz_provider_screens_for_gambling_in_its_readers_language():
    provider = f.make_org(Organisation.Kind.PROGRAMME_PROVIDER, country="KG")
    criteria = {c.code: c for c in criteria_for_provider(provider)}
    assert [c.effect for c in criteria.values()] == ["basic_therapy_first", "basic_therapy_first"]
    with translation.override("ru"):
        assert "азартных игр" in criteria["no_addiction"].text
    with translation.override("en"):
        assert "gambling" in criteria["no_addiction"].text


@pytest.mark.django_db
def test_the_tajik_criteria_are_left_as_the_seed_gives_them():
    criterion = EligibilityCriterion.objects.get(organisation=None, country="TJ", code="no_addiction")
    assert criterion.text_en == "Not addicted to alcohol or drugs"
