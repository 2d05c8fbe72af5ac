import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from casework import services
from casework import timeline as K
from casework.models import (
    Case,
    Consent,
    IntakeInterview,
    RiskAssessment,
    RiskInstrument,
    RiskItem,
    RiskLevel,
    SafetyPlan,
    SurvivorContact,
    SurvivorServiceReferral,
)
from referrals.models import Referral
from tests import factories as f
from tests.casework.conftest import plan_data


@pytest.fixture
def basic(db):
    return RiskInstrument.objects.get(code="basic-checklist")


def _intake(referral, by, **overrides):
    kwargs = {
        "referral": referral,
        "by": by,
        "interview": f.interview_data(),
        "person_release": "given",
        "survivor_consents": {
            s.pk: {Consent.Kind.SURVIVOR_CONTACT: "given", Consent.Kind.SURVIVOR_SHARING: "refused"}
            for s in referral.survivors.all()
        },
        "instrument": RiskInstrument.objects.get(code="basic-checklist"),
        "risk_answers": {"threat_to_kill": True},
        "risk_notes": "Initial notes.",
    }
    kwargs.update(overrides)
    return services.intake_complete(**kwargs)


def _nothing_saved():
    assert Case.objects.count() == 0
    assert IntakeInterview.objects.count() == 0
    assert Consent.objects.count() == 0
    assert RiskAssessment.objects.count() == 0


# --- intake_complete ---------------------------------------------------------


def test_intake_opens_the_case_with_interview_consents_and_initial_risk(accepted_referral, users):
    case = _intake(accepted_referral, users["psychologist"])
    survivor = accepted_referral.survivors.get()
    assert case.provider == accepted_referral.provider
    assert case.intake.notes == "Came on time; blames stress at work."
    assert case.intake.interviewer == users["psychologist"]
    decisions = {(c.kind, c.survivor_id, c.decision) for c in case.consents.all()}
    assert decisions == {
        (Consent.Kind.PERSON_RELEASE, None, "given"),
        (Consent.Kind.SURVIVOR_CONTACT, survivor.pk, "given"),
        (Consent.Kind.SURVIVOR_SHARING, survivor.pk, "refused"),
    }
    assessment = case.risk_assessments.get()
    assert assessment.is_initial
    assert (assessment.score, assessment.level) == (3, RiskLevel.HIGH)
    assert case.current_risk_level == RiskLevel.HIGH
    kinds = list(accepted_referral.timeline.values_list("kind", flat=True))
    assert kinds[-4:] == [K.CASE_OPENED, K.INTAKE_RECORDED, K.CONSENT_RECORDED, K.RISK_ASSESSED]


def test_intake_refuses_a_referral_that_is_not_accepted(referral, users):
    with pytest.raises(ValidationError) as exc:
        _intake(referral, users["psychologist"])
    assert exc.value.message_dict == {"__all__": ["Only an accepted referral can go to intake."]}
    _nothing_saved()


def test_intake_refuses_a_second_intake(accepted_referral, users):
    _intake(accepted_referral, users["psychologist"])
    with pytest.raises(ValidationError) as exc:
        _intake(accepted_referral, users["social_worker"])
    assert exc.value.message_dict == {"__all__": ["Intake has already been done for this referral."]}
    assert Case.objects.count() == 1


def test_intake_refuses_bad_interview_data_and_saves_nothing(accepted_referral, users):
    with pytest.raises(ValidationError) as exc:
        _intake(
            accepted_referral,
            users["psychologist"],
            interview=f.interview_data(acknowledges_violence="maybe", notes="x" * 8001),
        )
    errors = exc.value.message_dict
    assert errors["interview.acknowledges_violence"] == ["Value 'maybe' is not a valid choice."]
    assert errors["interview.notes"] == ["Ensure this value has at most 8000 characters (it has 8001)."]
    _nothing_saved()
    assert Referral.objects.get(pk=accepted_referral.pk).status == Referral.Status.ACCEPTED


def test_intake_refuses_an_unknown_risk_item(accepted_referral, users):
    with pytest.raises(ValidationError) as exc:
        _intake(accepted_referral, users["psychologist"], risk_answers={"threat_to_kill": True, "bogus": True})
    assert exc.value.message_dict == {"risk.answers": ["Unknown items: bogus."]}
    _nothing_saved()


def test_intake_refuses_a_missing_release_decision_and_an_unknown_survivor(accepted_referral, users):
    with pytest.raises(ValidationError) as exc:
        _intake(
            accepted_referral,
            users["psychologist"],
            person_release="",
            survivor_consents={999999: {Consent.Kind.SURVIVOR_CONTACT: "given"}},
        )
    errors = exc.value.message_dict
    assert errors["person_release"] == ["Record whether the person consents to the release of information."]
    assert errors["survivor_consents"] == ["Unknown survivor."]
    _nothing_saved()


@pytest.mark.parametrize("role", ["manager", "survivor_worker", "other_psychologist"])
def test_intake_is_for_the_providers_clinical_staff_only(accepted_referral, users, role):
    with pytest.raises(PermissionDenied):
        _intake(accepted_referral, users[role])
    _nothing_saved()


# --- risk_score --------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({}, (0, RiskLevel.LOW)),
        ({"stalking": True, "pregnancy": True}, (2, RiskLevel.LOW)),
        ({"escalation": True, "stalking": True}, (3, RiskLevel.MEDIUM)),
        ({"escalation": True, "earlier_orders": True, "order_breach": True}, (6, RiskLevel.HIGH)),
        (
            {"escalation": True, "earlier_orders": True, "order_breach": True, "separation": True, "stalking": True},
            (9, RiskLevel.HIGH),
        ),
        (
            {
                "escalation": True,
                "earlier_orders": True,
                "order_breach": True,
                "separation": True,
                "stalking": True,
                "pregnancy": True,
            },
            (10, RiskLevel.SEVERE),
        ),
    ],
)
def test_risk_score_follows_the_thresholds(basic, answers, expected):
    assert services.risk_score(basic, answers) == expected


def test_one_lethality_item_forces_at_least_high(basic):
    assert services.risk_score(basic, {"strangulation": True}) == (3, RiskLevel.HIGH)
    assert services.risk_score(basic, {"weapon": True, "children_present": False}) == (3, RiskLevel.HIGH)


def test_a_forced_level_never_lowers_a_higher_score(basic):
    answers = {"threat_to_kill": True, "strangulation": True, "weapon": True, "stalking": True}
    assert services.risk_score(basic, answers) == (10, RiskLevel.SEVERE)


def test_a_forced_level_can_be_severe(basic):
    RiskItem.objects.filter(instrument=basic, code="pregnancy").update(forces_level=RiskLevel.SEVERE)
    basic = RiskInstrument.objects.get(pk=basic.pk)
    assert services.risk_score(basic, {"pregnancy": True}) == (1, RiskLevel.SEVERE)


def test_risk_reassess_records_a_new_level(case, users, basic):
    assessment = services.risk_reassess(case=case, by=users["social_worker"], instrument=basic, answers={})
    case.refresh_from_db()
    assert (assessment.score, assessment.level, assessment.is_initial) == (0, RiskLevel.LOW, False)
    assert case.current_risk_level == RiskLevel.LOW


# --- survivor contact --------------------------------------------------------


def test_survivor_contact_without_her_consent_is_refused(refused_case, users):
    survivor = refused_case.referral.survivors.get()
    with pytest.raises(ValidationError) as exc:
        services.survivor_contact_log(
            case=refused_case,
            survivor=survivor,
            by=users["psychologist"],
            contacted_on=dt.date.today(),
            method="phone",
            outcome="reached",
        )
    assert exc.value.message_dict == {"__all__": ["She has not agreed to be contacted: record her consent first."]}
    assert SurvivorContact.objects.count() == 0


def test_survivor_contact_after_her_consent_is_logged_on_the_survivor_side(refused_case, users):
    survivor = refused_case.referral.survivors.get()
    services.consent_record(
        case=refused_case, by=users["psychologist"], kind="survivor_contact", decision="given", survivor=survivor
    )
    contact = services.survivor_contact_log(
        case=refused_case,
        survivor=survivor,
        by=users["psychologist"],
        contacted_on=dt.date.today(),
        method="phone",
        outcome="reached",
        notes="Told her about the programme.",
    )
    assert contact.notes == "Told her about the programme."
    entry = refused_case.referral.timeline.last()
    assert (entry.kind, entry.survivor_side) == (K.SURVIVOR_CONTACTED, True)


# --- survivor_service_refer --------------------------------------------------


def test_referral_to_a_survivor_service_needs_her_sharing_consent(refused_case, users, orgs):
    with pytest.raises(ValidationError) as exc:
        services.survivor_service_refer(
            case=refused_case, organisation=orgs["survivor_service"], by=users["psychologist"]
        )
    assert exc.value.message_dict == {"__all__": ["No survivor has agreed that her details go to a survivor service."]}
    assert SurvivorServiceReferral.objects.count() == 0


@pytest.mark.parametrize("org", ["provider", "police", "monitoring"])
def test_referral_to_an_organisation_that_is_not_a_survivor_service_is_refused(case, users, orgs, org):
    with pytest.raises(ValidationError) as exc:
        services.survivor_service_refer(case=case, organisation=orgs[org], by=users["psychologist"])
    assert exc.value.message_dict == {"organisation": ["Choose a survivor service from the list."]}
    assert SurvivorServiceReferral.objects.count() == 0


def test_referral_to_a_survivor_service_makes_it_a_party(case, users, orgs):
    link = services.survivor_service_refer(case=case, organisation=orgs["survivor_service"], by=users["psychologist"])
    assert link.referred_by == users["psychologist"]
    assert case.referral.timeline.last().detail_text == "Sezim Crisis Centre"


# --- safety_plan_save --------------------------------------------------------


@pytest.mark.parametrize("role", ["other_survivor_worker", "psychologist", "manager"])
def test_safety_plan_by_a_non_party_is_refused(case_with_service, users, role):
    survivor = case_with_service.referral.survivors.get()
    with pytest.raises(PermissionDenied):
        services.safety_plan_save(case=case_with_service, survivor=survivor, by=users[role], **plan_data())
    assert SafetyPlan.objects.count() == 0


def test_safety_plan_with_a_past_review_date_is_refused(case_with_service, users):
    survivor = case_with_service.referral.survivors.get()
    with pytest.raises(ValidationError) as exc:
        services.safety_plan_save(
            case=case_with_service,
            survivor=survivor,
            by=users["survivor_worker"],
            **plan_data(next_review_on=dt.date.today() - dt.timedelta(days=1)),
        )
    assert exc.value.message_dict == {"next_review_on": ["The next review cannot be in the past."]}
    assert SafetyPlan.objects.count() == 0


def test_safety_plan_is_saved_and_updated_in_place(case_with_service, users):
    survivor = case_with_service.referral.survivors.get()
    first = services.safety_plan_save(
        case=case_with_service, survivor=survivor, by=users["survivor_worker"], **plan_data()
    )
    second = services.safety_plan_save(
        case=case_with_service, survivor=survivor, by=users["survivor_worker"], **plan_data(code_word="lemon")
    )
    assert first.pk == second.pk
    assert SafetyPlan.objects.get().code_word == "lemon"
