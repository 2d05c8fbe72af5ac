"""A contact log entry or a risk reassessment sent twice by accident (a
double click, a resend of the page) is recorded once; a reassessment that
raises the level notifies once. The second answer is the same success as
the first."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse

from casework import timeline as K
from casework.models import RiskAssessment, RiskInstrument, SurvivorContact
from casework.services import risk_reassess, survivor_contact_log
from core.models import TimelineEntry
from tests.casework.test_views_survivors import _contact_data
from tests.notices import case_deliveries, case_events, case_notices

EXPIRED = "This form has expired. Check the details and submit again."
SEVERE = {"item_threat_to_kill": "on", "item_strangulation": "on", "item_weapon": "on", "item_escalation": "on"}


def _contact_url(case, survivor) -> str:
    return reverse("casework:survivor_contact", args=[case.pk, survivor.pk])


def _risk_url(case) -> str:
    return reverse("casework:risk_reassess", args=[case.pk])


def _basic() -> RiskInstrument:
    return RiskInstrument.objects.get(code="basic-checklist")


def _entries(kind) -> int:
    return TimelineEntry.objects.filter(kind=kind).count()


# --- survivor contact ---------------------------------------------------------


@pytest.mark.parametrize("role", ["psychologist", "survivor_worker"])
def test_the_same_contact_page_sent_twice_logs_once(client, login, users, case_with_service, role):
    survivor = case_with_service.referral.survivors.get()
    login(users[role])
    data = _contact_data()
    first = client.post(_contact_url(case_with_service, survivor), data, follow=True)
    second = client.post(_contact_url(case_with_service, survivor), data, follow=True)
    assert SurvivorContact.objects.count() == 1
    assert _entries(K.SURVIVOR_CONTACTED) == 1
    assert second.redirect_chain == first.redirect_chain
    assert [str(m) for m in second.context["messages"]] == ["Contact logged."]


def test_two_contact_pages_log_twice(client, login, users, case):
    survivor = case.referral.survivors.get()
    login(users["psychologist"])
    for _ in range(2):
        assert client.post(_contact_url(case, survivor), _contact_data()).status_code == 302
    assert SurvivorContact.objects.count() == 2


@pytest.mark.parametrize("sent", ["", "garbled"])
def test_a_contact_without_a_readable_key_is_refused_with_a_fresh_one(client, login, users, case, sent):
    survivor = case.referral.survivors.get()
    login(users["psychologist"])
    response = client.post(_contact_url(case, survivor), _contact_data(submission_key=sent))
    assert response.context["form"].errors == {"submission_key": [EXPIRED]}
    content = response.content.decode()
    assert EXPIRED in content
    assert "She is staying with her sister." in content
    assert not SurvivorContact.objects.exists()
    fresh = response.context["form"]["submission_key"].value()
    assert f'name="submission_key" value="{fresh}"' in content
    assert client.post(_contact_url(case, survivor), _contact_data(submission_key=fresh)).status_code == 302
    assert SurvivorContact.objects.count() == 1


def test_the_contact_service_keeps_keys_to_their_author(users, case_with_service):
    survivor = case_with_service.referral.survivors.get()
    key = uuid.uuid4()
    common = {"case": case_with_service, "survivor": survivor, "method": "phone", "outcome": "reached"}
    day = dt.date.today()
    first = survivor_contact_log(**common, by=users["psychologist"], contacted_on=day, submission_key=key)
    again = survivor_contact_log(**common, by=users["psychologist"], contacted_on=day, submission_key=key)
    other = survivor_contact_log(**common, by=users["survivor_worker"], contacted_on=day, submission_key=key)
    assert again.pk == first.pk
    assert other.pk != first.pk and other.submission_key is None
    assert SurvivorContact.objects.count() == 2


# --- risk reassessment --------------------------------------------------------


def test_a_raising_reassessment_sent_twice_records_and_notifies_once(client, login, users, case_with_service):
    login(users["psychologist"])
    data = {"instrument": _basic().pk, "submission_key": str(uuid.uuid4()), **SEVERE}
    first = client.post(_risk_url(case_with_service), data, follow=True)
    counts = (
        case_events().count(),
        case_notices().count(),
        case_deliveries().count(),
    )
    assert counts[0] == 1 and counts[1] >= 2
    second = client.post(_risk_url(case_with_service), data, follow=True)
    assert RiskAssessment.objects.filter(is_initial=False).count() == 1
    assert (
        case_events().count(),
        case_notices().count(),
        case_deliveries().count(),
    ) == counts
    assert _entries(K.RISK_ASSESSED) == 2  # the initial one and this one
    assert second.redirect_chain == first.redirect_chain
    assert [str(m) for m in second.context["messages"]] == ["Risk reassessed: score 11, level Severe."]


def test_two_reassessment_pages_record_twice(client, login, users, case):
    login(users["psychologist"])
    for _ in range(2):
        data = {"instrument": _basic().pk, "submission_key": str(uuid.uuid4())}
        assert client.post(_risk_url(case), data).status_code == 302
    assert RiskAssessment.objects.filter(is_initial=False).count() == 2


@pytest.mark.parametrize("sent", [None, "garbled"])
def test_a_reassessment_without_a_readable_key_is_refused_with_a_fresh_one(client, login, users, case, sent):
    login(users["psychologist"])
    data = {"instrument": _basic().pk, "notes": "Typed notes.", **SEVERE}
    if sent is not None:
        data["submission_key"] = sent
    response = client.post(_risk_url(case), data)
    assert response.status_code == 200
    assert response.context["form"].errors == {"submission_key": [EXPIRED]}
    assert EXPIRED in response.content.decode()
    assert "Typed notes." in response.content.decode()
    assert not RiskAssessment.objects.filter(is_initial=False).exists()
    assert not case_events().exists()


def test_the_risk_service_returns_the_first_for_a_known_key(users, case):
    key = uuid.uuid4()
    first = risk_reassess(case=case, by=users["psychologist"], instrument=_basic(), answers={}, submission_key=key)
    again = risk_reassess(
        case=case, by=users["psychologist"], instrument=_basic(), answers={"weapon": True}, submission_key=key
    )
    assert again.pk == first.pk
    case.refresh_from_db()
    assert case.current_risk_level == first.level


def test_the_intake_risk_form_needs_no_key(db):
    """The intake's risk form is part of the intake, which happens once."""
    from casework.forms import RiskAssessmentForm

    assert (
        "submission_key" not in RiskAssessmentForm(instrument=_basic(), instruments=RiskInstrument.objects.all()).fields
    )
