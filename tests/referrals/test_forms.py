"""Parsing in the referral forms (the services decide the rest)."""

import datetime as dt

from referrals.forms import PersonForm, ReferralForm, ScreeningForm, SurvivorFormSet
from referrals.models import EligibilityCriterion, Screening
from referrals.selectors import programme_providers


def _person(**overrides):
    data = {
        "person-family_name": "Асанов",
        "person-given_name": "Бакыт",
        "person-sex": "male",
        "person-birth_date": "1985-04-12",
        "person-preferred_language": "ky",
        "person-phone": "0555 123 456",
    }
    data.update(overrides)
    return PersonForm(data, prefix="person", region="KG")


def test_it_reads_a_local_phone_number_as_one_of_the_units_country():
    form = _person()
    assert form.is_valid(), form.errors
    assert form.cleaned_data["phone"] == "+996555123456"
    tajik = PersonForm({**form.data, "person-phone": "93 512 3456"}, prefix="person", region="TJ")
    assert tajik.is_valid() and tajik.cleaned_data["phone"] == "+992935123456"


def test_it_rejects_a_malformed_phone():
    form = _person(**{"person-phone": "12ab"})
    assert form.errors["phone"] == ["Enter a valid phone number, e.g. +996 555 123 456."]


def test_an_empty_phone_is_allowed():
    form = _person(**{"person-phone": ""})
    assert form.is_valid() and form.cleaned_data["phone"] == ""


def test_it_rejects_a_malformed_date():
    form = _person(**{"person-birth_date": "12.04.85x"})
    assert form.errors["birth_date"] == ["Enter a valid date."]


def test_a_line_break_counts_as_one_character():
    form = _person(**{"person-household": "a\r\nb"})
    assert form.is_valid() and form.cleaned_data["household"] == "a\nb"


def _formset(forms: list[dict], total=None):
    data = {
        "survivors-TOTAL_FORMS": str(len(forms) if total is None else total),
        "survivors-INITIAL_FORMS": "0",
        "survivors-MIN_NUM_FORMS": "1",
        "survivors-MAX_NUM_FORMS": "10",
    }
    for i, fields in enumerate(forms):
        data.update({f"survivors-{i}-{k}": v for k, v in fields.items()})
    return SurvivorFormSet(data, prefix="survivors", form_kwargs={"region": "KG"})


SURVIVOR = {"family_name": "A", "given_name": "B", "relationship": "partner", "children_in_household": "0"}


def test_the_survivor_formset_skips_blank_added_forms():
    formset = _formset([SURVIVOR, {"children_in_household": "0"}, {**SURVIVOR, "given_name": "C"}])
    assert formset.is_valid(), formset.errors
    assert [s["given_name"] for s in formset.survivors_data()] == ["B", "C"]
    assert formset.survivors_data()[0]["phone"] == ""


def test_the_survivor_formset_needs_one_survivor():
    formset = _formset([], total=0)
    assert not formset.is_valid()
    assert formset.non_form_errors() == ["Enter at least one survivor."]


def test_the_survivor_formset_refuses_more_than_ten():
    formset = _formset([SURVIVOR] * 11)
    assert not formset.is_valid()
    assert formset.non_form_errors() == ["At most 10 survivors can be entered on one referral."]


def test_the_submission_key_is_required(users, orgs):
    from accounts.scope import Scope

    form = ReferralForm(
        {"provider": orgs["provider"].pk, "source": "police", "incident_description": "x"},
        providers=programme_providers(Scope.for_user(users["police"])),
    )
    assert form.errors["submission_key"] == ["This form has expired. Check the details and submit again."]


def test_the_providers_of_the_units_country_come_first(users, orgs):
    from accounts.scope import Scope

    tajik = list(programme_providers(Scope.for_user(users["other_police"])))
    kyrgyz = list(programme_providers(Scope.for_user(users["police"])))
    assert tajik[0] == orgs["other_provider"]
    assert kyrgyz[0] == orgs["provider"]


def _criteria():
    return [
        EligibilityCriterion(code="a", text_en="A?", text_ru="А?", country="KG"),
        EligibilityCriterion(code="b", text_en="B?", text_ru="Б?", country="KG", effect="basic_therapy_first"),
    ]


def test_the_screening_form_asks_each_criterion_with_earlier_answers():
    screening = Screening(answers={"a": "met"}, notes="Earlier notes")
    form = ScreeningForm(criteria=_criteria(), screening=screening)
    assert list(form.fields)[:2] == ["answer_a", "answer_b"]
    assert form["answer_a"].value() == "met"
    assert form["answer_b"].value() == "unknown"
    assert form["notes"].value() == "Earlier notes"
    assert form.fields["answer_b"].help_text == "If not met: basic therapy first"


def test_the_screening_form_maps_service_error_keys():
    form = ScreeningForm(criteria=_criteria())
    assert form.error_field("answers.b") == "answer_b"
    assert form.error_field("reason") == "reason"
    assert form.error_field("answers.zzz") is None
    assert form.error_field("__all__") is None


def test_the_screening_form_returns_answers_by_code():
    form = ScreeningForm({"answer_a": "not_met", "answer_b": "met"}, criteria=_criteria())
    assert form.is_valid(), form.errors
    assert form.answers() == {"a": "not_met", "b": "met"}


def test_date_inputs_render_iso_dates():
    form = _person(**{"person-birth_date": "1985-04-12"})
    assert 'type="date"' in str(form["birth_date"])
    unbound = PersonForm(prefix="person", initial={"birth_date": dt.date(1985, 4, 12)})
    assert 'value="1985-04-12"' in str(unbound["birth_date"])
