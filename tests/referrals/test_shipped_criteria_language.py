"""The country's shipped eligibility criteria read in the reader's language;
a provider's own wording reads as typed."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

from referrals.models import EligibilityCriterion

GAMBLING_KY = (
    "Алкоголго, баңгизаттык же психотроптук заттарга же кумар оюндарына көз карандылыгы жок "
    "(болбосо адегенде негизги терапия)"
)


def test_the_criteria_page_shows_the_defaults_in_kyrgyz(client, login, users):
    users["manager"].preferred_language = "ky"
    users["manager"].save(update_fields=["preferred_language"])
    login(users["manager"])

    content = client.get(reverse("referrals:criteria")).content.decode()

    assert GAMBLING_KY in content
    assert "No addiction to alcohol" not in content


def test_a_criterion_reads_in_every_language(db):
    criterion = EligibilityCriterion.objects.get(organisation=None, country="TJ", code="aware_of_violence")
    expected = {
        "ru": "Осознаёт, что применял(а) насилие",
        "tg": "Дарк мекунад, ки зӯроварӣ кардааст",
        "uz": "Zoʻravonlik qilganini anglaydi",
        "en": "Aware of having been violent",
    }
    for language, text in expected.items():
        with translation.override(language):
            assert criterion.text == text


def test_a_providers_own_criterion_reads_as_typed(users, orgs):
    own = EligibilityCriterion.objects.create(
        organisation=orgs["provider"],
        country="KG",
        code="own",
        text_en="Aware of having been violent, mostly",
        text_ru="Своё",
    )
    with translation.override("kk"):
        assert own.text == "Aware of having been violent, mostly"
