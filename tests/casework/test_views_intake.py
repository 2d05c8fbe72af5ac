import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from casework import views
from casework.models import Case, Consent, IntakeInterview, RiskAssessment, RiskInstrument
from tests.casework.conftest import assert_no_survivor_details


def _url(referral):
    return reverse("casework:intake", args=[referral.pk])


def _post_data(referral, **overrides):
    survivor = referral.survivors.get()
    data = {
        "interview-interviewed_on": dt.date.today().isoformat(),
        "interview-language": "ky",
        "interview-acknowledges_violence": "partly",
        "interview-violence_within_family_only": "on",
        "interview-substance_use": "none",
        "interview-motivation": "medium",
        "interview-violence_history": "Hit her twice last year.",
        "interview-notes": "Calm, talks about stress.",
        "consents-person_release": "given",
        f"consents-survivor_{survivor.pk}_survivor_contact": "given",
        f"consents-survivor_{survivor.pk}_survivor_sharing": "given",
        "risk-instrument": str(RiskInstrument.objects.get(code="basic-checklist").pk),
        "risk-item_threat_to_kill": "on",
        "risk-item_escalation": "on",
        "risk-notes": "Weapon at home unclear.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _checked(content, name, value=None):
    """Whether the input called ``name`` (with ``value``) is rendered checked."""
    value_part = f'[^>]*value="{value}"' if value is not None else ""
    return re.search(rf'<input[^>]*name="{name}"{value_part}[^>]*\bchecked>', content) is not None


def _nothing_saved():
    assert Case.objects.count() == 0
    assert IntakeInterview.objects.count() == 0
    assert Consent.objects.count() == 0
    assert RiskAssessment.objects.count() == 0


@pytest.mark.parametrize("role", ["psychologist", "social_worker"])
def test_the_form_is_prefilled_from_the_referral(client, login, users, accepted_referral, role):
    login(users[role])
    response = client.get(_url(accepted_referral))
    assert response.status_code == 200
    content = response.content.decode()
    survivor = accepted_referral.survivors.get()
    assert accepted_referral.person.full_name in content
    # Threat to kill was flagged by the police: its item is ticked, the others are not.
    assert _checked(content, "risk-item_threat_to_kill")
    assert not _checked(content, "risk-item_strangulation")
    # She agreed to contact when the police asked: pre-filled "given"; sharing was not asked.
    assert _checked(content, f"consents-survivor_{survivor.pk}_survivor_contact", "given")
    assert _checked(content, f"consents-survivor_{survivor.pk}_survivor_sharing", "")
    assert not _checked(content, f"consents-survivor_{survivor.pk}_survivor_sharing", "given")
    assert "Survivor 1 — Partner / spouse: agrees to be contacted" in content
    assert 'value="ky" selected' in content
    assert_no_survivor_details(content)
    assert "no-store" in response["Cache-Control"]


def test_completing_intake_opens_the_case(client, login, users, accepted_referral):
    login(users["social_worker"])
    response = client.post(_url(accepted_referral), _post_data(accepted_referral))
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("casework:case_detail", args=[case.pk])
    assert case.referral == accepted_referral
    assert case.intake.notes == "Calm, talks about stress."
    assert case.intake.interviewer == users["social_worker"]
    assessment = case.risk_assessments.get()
    assert assessment.answers["threat_to_kill"] is True
    assert assessment.answers["escalation"] is True
    assert assessment.answers["weapon"] is False
    assert (assessment.score, assessment.level, assessment.notes) == (5, "high", "Weapon at home unclear.")
    assert set(case.consents.values_list("kind", "decision")) == {
        ("person_release", "given"),
        ("survivor_contact", "given"),
        ("survivor_sharing", "given"),
    }
    follow = client.get(response["Location"])
    assert f"Intake recorded: case {case.number} is open." in follow.content.decode()


def test_survivor_consents_left_unasked_are_not_recorded(client, login, users, accepted_referral):
    survivor = accepted_referral.survivors.get()
    login(users["psychologist"])
    data = _post_data(
        accepted_referral,
        **{
            f"consents-survivor_{survivor.pk}_survivor_contact": "",
            f"consents-survivor_{survivor.pk}_survivor_sharing": "refused",
        },
    )
    assert client.post(_url(accepted_referral), data).status_code == 302
    assert set(Consent.objects.values_list("kind", "decision")) == {
        ("person_release", "given"),
        ("survivor_sharing", "refused"),
    }


def test_bad_input_gives_field_errors_keeps_the_input_and_saves_nothing(client, login, users, accepted_referral):
    login(users["psychologist"])
    future = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    data = _post_data(
        accepted_referral,
        **{
            "interview-interviewed_on": future,
            "interview-motivation": "sky-high",
            "consents-person_release": None,
            "risk-notes": "x" * 8001,
        },
    )
    response = client.post(_url(accepted_referral), data)
    assert response.status_code == 200
    errors = {
        "interview": response.context["interview_form"].errors,
        "consents": response.context["consent_form"].errors,
        "risk": response.context["risk_form"].errors,
    }
    assert errors["interview"]["interviewed_on"] == ["This date is in the future."]
    assert errors["interview"]["motivation"] == ["Select a valid choice. sky-high is not one of the available choices."]
    assert errors["consents"]["person_release"] == ["This field is required."]
    assert errors["risk"]["notes"] == ["Ensure this value has at most 8000 characters (it has 8001)."]
    content = response.content.decode()
    assert "Hit her twice last year." in content
    _nothing_saved()


def test_service_errors_land_on_the_matching_fields(client, login, users, accepted_referral, monkeypatch):
    survivor = accepted_referral.survivors.get()

    def refuse(**kwargs):
        raise ValidationError(
            {
                "interview.notes": ["Bad notes."],
                f"survivor_consents.{survivor.pk}.survivor_contact": ["Choose given or refused."],
                "risk.answers": ["Unknown items: bogus."],
                "__all__": ["Something changed meanwhile."],
            }
        )

    monkeypatch.setattr(views.services, "intake_complete", refuse)
    login(users["psychologist"])
    response = client.post(_url(accepted_referral), _post_data(accepted_referral))
    assert response.status_code == 200
    assert response.context["interview_form"].errors["notes"] == ["Bad notes."]
    assert response.context["consent_form"].errors[f"survivor_{survivor.pk}_survivor_contact"] == [
        "Choose given or refused."
    ]
    assert response.context["risk_form"].non_field_errors() == ["Unknown items: bogus."]
    assert response.context["page_errors"] == ["Something changed meanwhile."]
    assert "Something changed meanwhile." in response.content.decode()


def test_a_referral_with_a_case_redirects_to_the_case(client, login, users, case):
    login(users["psychologist"])
    response = client.get(_url(case.referral), follow=True)
    assert response.redirect_chain[-1][0] == reverse("casework:case_detail", args=[case.pk])
    assert "Intake has already been done for this referral." in response.content.decode()
    response = client.post(_url(case.referral), _post_data(case.referral))
    assert response.status_code == 302
    assert Case.objects.count() == 1


def test_a_referral_not_yet_accepted_cannot_go_to_intake(client, login, users, referral):
    login(users["psychologist"])
    response = client.post(_url(referral), _post_data(referral))
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:incoming")
    _nothing_saved()


@pytest.mark.parametrize("role", ["manager", "survivor_worker", "police", "monitoring", "provider_admin"])
def test_other_roles_get_403(client, login, users, accepted_referral, role):
    login(users[role])
    assert client.get(_url(accepted_referral)).status_code == 403
    assert client.post(_url(accepted_referral), _post_data(accepted_referral)).status_code == 403
    _nothing_saved()


def test_another_providers_psychologist_gets_404(client, login, users, accepted_referral):
    login(users["other_psychologist"])
    assert client.get(_url(accepted_referral)).status_code == 404
    assert client.post(_url(accepted_referral), _post_data(accepted_referral)).status_code == 404
    _nothing_saved()
