"""administration_record: who may record which questionnaire, validation,
encrypted answers, stored scores, and follow-up points completed."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from outcomes.models import Administration, FollowUp, ScaleScore, ScoringSettings
from outcomes.services import scoring_settings_set
from tests import factories as f
from tests.outcomes.conftest import days, sheet


def score(administration, scale, perspective="self"):
    row = administration.scores.get(scale__code=scale, perspective=perspective)
    return row.prevalence, row.ever, row.annual_frequency


def test_a_psychologist_records_the_persons_intake_questionnaire(users, case, record):
    GIVEN = sheet(0, i7=6, i21=7, i8=3)
    administration = record(case, users["psychologist"], GIVEN)
    assert (administration.respondent, administration.occasion) == ("person", "intake")
    assert (administration.items_answered, administration.items_missing) == (78, 0)
    assert administration.organisation == users["psychologist"].membership.organisation
    assert administration.scores.count() == 30
    assert score(administration, "physical-assault-minor") == (True, True, 25)
    assert score(administration, "physical-assault-severe") == (False, True, 0)
    assert score(administration, "physical-assault") == (True, True, 25)
    assert score(administration, "physical-assault", "partner") == (True, True, 4)
    assert score(administration, "negotiation") == (False, False, 0)
    assert Administration.objects.get(pk=administration.pk).answer_map() == GIVEN


def test_the_answers_are_encrypted_at_rest(users, case, record):
    administration = record(case, users["psychologist"], sheet(0, i7=6))
    with connection.cursor() as cursor:
        cursor.execute("SELECT answers FROM outcomes_administration WHERE id = %s", [administration.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("fernet:")
    assert '"7": 6' not in stored


def test_missing_and_blank_answers_are_stored_as_no_answer(users, case, record):
    administration = record(case, users["social_worker"], {1: 2, 2: "", 3: None})
    answers = administration.answer_map()
    assert (answers[1], answers[2], answers[3], answers[78]) == (2, None, None, None)
    assert (administration.items_answered, administration.items_missing) == (1, 77)
    assert score(administration, "negotiation-emotional") == (True, True, None)
    row = administration.scores.get(scale__code="negotiation-emotional", perspective="self")
    assert row.items_missing == 2


@pytest.mark.parametrize("role", ["manager", "survivor_worker", "police", "other_psychologist", "monitoring"])
def test_only_the_providers_clinical_staff_record_the_persons_questionnaire(users, case_with_service, record, role):
    with pytest.raises(PermissionDenied):
        record(case_with_service, users[role], sheet(0))
    assert not Administration.objects.exists()


def test_bad_input_is_refused_with_field_errors(users, case, record):
    with pytest.raises(ValidationError) as exc:
        record(case, users["psychologist"], {5: 8, 6: "x", 90: 1}, on=days(1))
    assert exc.value.message_dict == {
        "answers": ["Unknown item: 90."],
        "answers.5": ["Choose one of the answers."],
        "answers.6": ["Choose one of the answers."],
        "administered_on": ["This date is in the future."],
    }
    with pytest.raises(ValidationError) as exc:
        record(case, users["psychologist"], {}, on=None)
    assert exc.value.message_dict == {
        "answers": ["No item is answered. Enter at least one answer."],
        "administered_on": ["Enter the date."],
    }
    assert not Administration.objects.exists()


def test_a_close_relation_needs_the_relationship_and_her_agreement(users, case, record):
    with pytest.raises(ValidationError) as exc:
        record(case, users["psychologist"], sheet(0), respondent="close_relation", occasion="other")
    assert exc.value.message_dict == {
        "respondent_consented": ["Confirm that the respondent agreed to answer."],
        "relation": ["Choose the relationship to the referred person."],
    }
    administration = record(
        case,
        users["psychologist"],
        sheet(0),
        respondent="close_relation",
        occasion="other",
        relation="parent",
        respondent_consented=True,
    )
    assert (administration.relation, administration.respondent_consented) == ("parent", True)


def test_the_survivor_service_records_her_questionnaire_with_her_consent(users, case_with_service, record):
    survivor = case_with_service.referral.survivors.get()
    administration = record(
        case_with_service,
        users["survivor_worker"],
        sheet(0, i8=4),
        respondent="survivor",
        survivor=survivor,
        respondent_consented=True,
    )
    assert (administration.survivor, administration.organisation.name) == (survivor, "Sezim Crisis Centre")
    # Item 8 is what her partner (the referred person) did.
    assert score(administration, "physical-assault", "partner") == (True, True, 8)


def test_her_questionnaire_is_refused_without_her_consent(users, orgs, record):
    case = f.open_case(f.make_referral(police=users["police"], provider=orgs["provider"]), users["psychologist"])
    from casework.models import Consent
    from casework.services import consent_record, survivor_service_refer

    survivor = case.referral.survivors.get()
    survivor_service_refer(case=case, organisation=orgs["survivor_service"], by=users["psychologist"])
    consent_record(
        case=case, by=users["survivor_worker"], kind=Consent.Kind.SURVIVOR_CONTACT, decision="withdrawn",
        survivor=survivor,
    )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        record(case, users["survivor_worker"], sheet(0), respondent="survivor", survivor=survivor,
               respondent_consented=True)  # fmt: skip
    assert exc.value.messages == ["She has not agreed to be contacted: record her consent first."]
    with pytest.raises(ValidationError) as exc:
        record(case, users["survivor_worker"], sheet(0), respondent="survivor", survivor=survivor)
    assert exc.value.messages == ["She has not agreed to be contacted: record her consent first."]


@pytest.mark.parametrize("role", ["psychologist", "other_survivor_worker"])
def test_nobody_else_records_hers(users, case_with_service, record, role):
    survivor = case_with_service.referral.survivors.get()
    with pytest.raises(PermissionDenied):
        record(case_with_service, users[role], sheet(0), respondent="survivor", survivor=survivor,
               respondent_consented=True)  # fmt: skip


def test_an_intake_questionnaire_completes_the_open_intake_point(users, case, record, cts2):
    from tests.programmes.views_sessions_support import mandatory_enrolment

    enrolment, _group = mandatory_enrolment(users, {"provider": case.provider}, case)
    point = enrolment.follow_ups.get(kind="intake")
    assert point.status == "due"
    administration = record(case, users["psychologist"], sheet(0))
    point.refresh_from_db()
    assert (point.status, point.administration) == ("done", administration)


def test_a_questionnaire_for_a_follow_up_point(users, case, record):
    from programmes.services import enrolment_discharge
    from tests.programmes.views_sessions_support import mandatory_enrolment

    enrolment, _group = mandatory_enrolment(users, {"provider": case.provider}, case)
    enrolment_discharge(enrolment=enrolment, kind="dropped_out", reason="Stopped coming", by=users["psychologist"],
                        on=days(0))  # fmt: skip
    end = enrolment.follow_ups.get(kind="end")
    administration = record(case, users["psychologist"], sheet(0), follow_up=end, occasion="other")
    end.refresh_from_db()
    assert (administration.occasion, end.status, end.administration) == ("end", "done", administration)
    with pytest.raises(ValidationError) as exc:
        record(case, users["psychologist"], sheet(0), follow_up=end)
    assert exc.value.message_dict == {"follow_up": ["A questionnaire is already recorded for this follow-up point."]}


def test_a_point_of_another_case_or_respondent_is_refused(users, case, new_case, record):
    from tests.programmes.views_sessions_support import mandatory_enrolment

    enrolment, _group = mandatory_enrolment(users, {"provider": case.provider}, case)
    point = enrolment.follow_ups.get(kind="intake")
    with pytest.raises(ValidationError) as exc:
        record(new_case(), users["psychologist"], sheet(0), follow_up=point)
    assert exc.value.message_dict == {"follow_up": ["This follow-up point belongs to another case."]}
    with pytest.raises(ValidationError) as exc:
        record(case, users["psychologist"], sheet(0), follow_up=point, respondent="close_relation", relation="parent",
               respondent_consented=True)  # fmt: skip
    assert exc.value.message_dict == {"respondent": ["This follow-up point is for: Referred person."]}
    assert FollowUp.objects.get(pk=point.pk).status == "due"
    assert not ScaleScore.objects.exists()


# --- The provider's rule for unanswered items -------------------------------------


def test_the_cts2_is_scored_by_the_providers_rule_for_unanswered_items(case, users, record):
    psy = users["psychologist"]
    answers = sheet(0, i7=3, i17=4, i9=None)
    conservative = record(case, psy, answers).scores.get(scale__code="physical-assault-minor", perspective="self")
    assert (conservative.annual_frequency, conservative.value, conservative.prorated) == (None, None, False)

    scoring_settings_set(organisation=case.provider, by=users["manager"], prorate_missing=True)
    assert ScoringSettings.objects.get(organisation=case.provider).prorate_missing is True
    prorated = record(case, psy, answers).scores.get(scale__code="physical-assault-minor", perspective="self")
    assert (prorated.annual_frequency, prorated.value, prorated.prorated) == (15, 15.0, True)
    # The first questionnaire keeps the rule it was scored by.
    conservative.refresh_from_db()
    assert conservative.prorated is False


def test_only_the_providers_manager_chooses_the_rule(case, users):
    for role in ("psychologist", "provider_admin", "other_psychologist"):
        with pytest.raises(PermissionDenied, match="Only the provider's programme managers do this."):
            scoring_settings_set(organisation=case.provider, by=users[role], prorate_missing=True)
