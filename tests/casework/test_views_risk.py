import re
import uuid

import pytest
from django.urls import reverse

from casework.models import RiskAssessment, RiskInstrument, RiskItem, RiskThreshold


def _url(case):
    return reverse("casework:risk_reassess", args=[case.pk])


def _basic():
    return RiskInstrument.objects.get(code="basic-checklist")


def _checked(content, name):
    return re.search(rf'<input[^>]*name="{name}"[^>]*\bchecked>', content) is not None


@pytest.mark.parametrize("role", ["psychologist", "social_worker"])
def test_the_page_shows_history_and_ticks_the_last_answers(client, login, users, case, role):
    login(users[role])
    response = client.get(_url(case))
    assert response.status_code == 200
    content = response.content.decode()
    history = list(response.context["history"])
    assert [(a.score, a.level, a.is_initial) for a in history] == [(3, "high", True)]
    assert "Initial assessment notes." in content
    assert _checked(content, "item_threat_to_kill")
    assert not _checked(content, "item_weapon")
    assert "no-store" in response["Cache-Control"]


def test_a_reassessment_changes_the_level(client, login, users, case):
    login(users["social_worker"])
    data = {
        "submission_key": str(uuid.uuid4()),
        "instrument": _basic().pk,
        "item_threat_to_kill": "on",
        "item_strangulation": "on",
        "item_weapon": "on",
        "item_escalation": "on",
        "notes": "He bought a knife.",
    }
    response = client.post(_url(case), data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.current_risk_level == "severe"
    latest = case.risk_assessments.first()
    assert (latest.score, latest.level, latest.is_initial, latest.notes) == (11, "severe", False, "He bought a knife.")
    page = client.get(response["Location"])
    content = page.content.decode()
    assert "Risk reassessed: score 11, level Severe." in content
    assert [a.level for a in page.context["history"]] == ["severe", "high"]


def test_nothing_ticked_is_low(client, login, users, case):
    login(users["psychologist"])
    client.post(_url(case), {"instrument": _basic().pk, "submission_key": str(uuid.uuid4())})
    case.refresh_from_db()
    assert case.current_risk_level == "low"
    assert case.risk_assessments.first().answers == {item.code: False for item in _basic().items.all()}


def test_an_organisations_own_instrument_can_be_chosen(client, login, users, orgs, case):
    own = RiskInstrument.objects.create(code="own", name="Our screening", organisation=orgs["provider"])
    RiskItem.objects.create(instrument=own, code="jealousy", text_en="Extreme jealousy", text_ru="Ревность", weight=5)
    RiskThreshold.objects.create(instrument=own, level="low", min_score=0)
    RiskThreshold.objects.create(instrument=own, level="medium", min_score=5)
    foreign = RiskInstrument.objects.create(code="foreign", name="Theirs", organisation=orgs["other_provider"])
    login(users["psychologist"])
    response = client.get(_url(case), {"instrument": own.pk})
    content = response.content.decode()
    assert "Extreme jealousy" in content
    assert "Theirs" not in content
    client.post(_url(case), {"instrument": own.pk, "item_jealousy": "on", "submission_key": str(uuid.uuid4())})
    assert (case.risk_assessments.first().instrument, case.risk_assessments.first().level) == (own, "medium")
    # Another organisation's instrument is not accepted.
    response = client.post(_url(case), {"instrument": foreign.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["instrument"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert case.risk_assessments.count() == 2


def test_oversized_notes_are_a_field_error_and_nothing_is_saved(client, login, users, case):
    login(users["psychologist"])
    response = client.post(_url(case), {"instrument": _basic().pk, "item_weapon": "on", "notes": "x" * 8001})
    assert response.status_code == 200
    assert response.context["form"].errors["notes"] == ["Ensure this value has at most 8000 characters (it has 8001)."]
    assert _checked(response.content.decode(), "item_weapon")
    assert RiskAssessment.objects.count() == 1


@pytest.mark.parametrize("role", ["manager", "survivor_worker", "police", "monitoring"])
def test_other_roles_get_403(client, login, users, case_with_service, role):
    login(users[role])
    assert client.get(_url(case_with_service)).status_code == 403
    assert client.post(_url(case_with_service), {"instrument": _basic().pk}).status_code == 403
    assert RiskAssessment.objects.count() == 1


def test_another_providers_psychologist_gets_404(client, login, users, case):
    login(users["other_psychologist"])
    assert client.get(_url(case)).status_code == 404
    assert client.post(_url(case), {"instrument": _basic().pk, "submission_key": str(uuid.uuid4())}).status_code == 404
    assert RiskAssessment.objects.count() == 1


def test_a_missing_case_is_404(client, login, users):
    login(users["psychologist"])
    assert client.get(reverse("casework:risk_reassess", args=[999999])).status_code == 404
