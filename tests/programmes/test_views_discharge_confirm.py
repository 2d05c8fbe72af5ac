"""programmes:discharge asks before it ends a programme: the first valid POST
changes nothing and names who will be told; only the confirmed POST ends it,
and its message names who was told. "Expelled because of new violence"
makes the expulsion's notice urgent."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re

import pytest
from django.db import transaction
from django.urls import reverse

from notifications.services import dropout_rule_notify
from programmes.models import Enrolment
from programmes.selectors import progress
from tests.notices import case_events, case_notices
from tests.programmes.views_sessions_support import attend_everything, days, mandatory_enrolment

POLICE = "Bishkek City Police, Pervomaisky district"
SERVICE = "Sezim Crisis Centre"


@pytest.fixture(autouse=True)
def _deadlines(settings):
    settings.NOTIFY_ACK_HOURS_URGENT = 2
    settings.NOTIFY_ACK_HOURS_ACTION = 24


@pytest.fixture
def enrolment(users, orgs, case_with_service):
    return mandatory_enrolment(users, orgs, case_with_service)[0]


def url(enrolment) -> str:
    return reverse("programmes:discharge", args=[enrolment.pk])


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def hidden(response) -> list[tuple[str, str]]:
    """What the Confirm button posts again."""
    panel = response.content.decode().split('class="alert alert-warning border-warning cw-confirm"', 1)[1]
    panel = panel.split("</section>", 1)[0]
    return [
        (name, html.unescape(value))
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', panel)
        if name != "csrfmiddlewaretoken"
    ]


EXPEL = {"kind": "expelled", "on": days(0).isoformat(), "reason": "Threatened the group", "notes": "Called <twice>."}


def test_the_first_post_changes_nothing_and_names_who_will_be_told(client, login, users, enrolment):
    login(users["psychologist"])
    response = client.post(url(enrolment), EXPEL)
    assert response.status_code == 200
    page = text(response)
    assert f"You are about to end the programme of {enrolment.case.referral.person.full_name}" in page
    assert ": Expelled, last day" in page
    assert "This cannot be undone." in page
    assert f"It tells: {SERVICE} and {POLICE}." in page
    assert hidden(response) == [*EXPEL.items(), ("confirmed", "1")]
    # What was typed is still in the form below.
    assert "Called &lt;twice&gt;.</textarea>" in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE
    assert not case_events().filter(case=enrolment.case).exists()


def test_the_confirmed_post_ends_it_and_says_who_was_told(client, login, users, enrolment):
    login(users["social_worker"])
    response = client.post(url(enrolment), {**EXPEL, "confirmed": "1"}, follow=True)
    assert response.redirect_chain == [(reverse("programmes:enrolment_detail", args=[enrolment.pk]), 302)]
    assert f"The programme ended: Expelled. A notice went to {SERVICE} and {POLICE}." in text(response)
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.end_reason, enrolment.end_notes, enrolment.for_violence) == (
        "expelled",
        "Threatened the group",
        "Called <twice>.",
        False,
    )
    event = case_events().get(case=enrolment.case)
    assert (event.kind, event.facts["for_violence"]) == ("expulsion", False)


@pytest.mark.parametrize(
    ("ticked", "urgency", "hours"),
    [(True, "urgent", 2), (False, "action", 24)],
)
def test_an_expulsion_for_violence_is_urgent(client, login, users, enrolment, ticked, urgency, hours):
    login(users["psychologist"])
    data = {**EXPEL, "confirmed": "1"} | ({"for_violence": "on"} if ticked else {})
    first = client.post(url(enrolment), {k: v for k, v in data.items() if k != "confirmed"})
    assert ("Because of new violence: the notice is urgent." in text(first)) is ticked
    assert client.post(url(enrolment), data).status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.for_violence is ticked
    notices = case_notices().filter(event__case=enrolment.case).select_related("event")
    assert sorted(n.organisation.name for n in notices) == sorted([SERVICE, POLICE])
    for notice in notices:
        assert notice.event.facts["for_violence"] is ticked
        assert notice.urgency == urgency
        assert notice.ack_due_at - notice.created_at == dt.timedelta(hours=hours)


@pytest.mark.parametrize("kind", ["dropped_out", "deselected"])
def test_violence_is_only_for_an_expulsion(client, login, users, enrolment, kind):
    login(users["psychologist"])
    data = {"kind": kind, "on": days(0).isoformat(), "reason": "Stopped coming", "for_violence": "on", "confirmed": "1"}
    response = client.post(url(enrolment), data)
    assert response.status_code == 200
    assert response.context["form"].errors == {"for_violence": ["Only an expulsion can be because of new violence."]}
    assert response.context["confirm"] is None
    assert 'value="Stopped coming"' in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE


def test_invalid_input_shows_field_errors_before_any_confirmation(client, login, users, enrolment):
    login(users["psychologist"])
    response = client.post(url(enrolment), {"kind": "expelled", "on": days(1).isoformat(), "notes": "Kept"})
    assert response.context["form"].errors == {"reason": ["Give the reason."], "on": ["This date is in the future."]}
    assert response.context["confirm"] is None
    assert "Please confirm" not in text(response)
    assert "Kept</textarea>" in response.content.decode()


def test_a_completion_is_for_information(client, login, users, orgs, case_with_service):
    enrolment, group = mandatory_enrolment(users, orgs, case_with_service)
    attend_everything(enrolment, group, users["psychologist"])
    login(users["psychologist"])
    data = {"kind": "completed", "on": days(0).isoformat()}
    assert f"It tells: {SERVICE} and {POLICE}." in text(client.post(url(enrolment), data))
    response = client.post(url(enrolment), {**data, "confirmed": "1"}, follow=True)
    assert f"The programme ended: Completed. A notice went to {SERVICE} and {POLICE}, for information." in text(
        response
    )


def test_a_dropout_already_reported_is_not_told_again(client, login, users, enrolment):
    """The dropout rule told them while he was still enrolled; the later
    discharge as dropped out tells nobody again, and says so."""
    state = dataclasses.replace(progress(enrolment), dropout_total=1, unexcused_total=1)
    with transaction.atomic():
        assert dropout_rule_notify(enrolment=enrolment, state=state, by=users["psychologist"]) is not None
    login(users["psychologist"])
    data = {"kind": "dropped_out", "on": days(0).isoformat(), "reason": "Stopped coming"}
    assert "Nobody is told again: the dropout was reported on" in text(client.post(url(enrolment), data))
    response = client.post(url(enrolment), {**data, "confirmed": "1"}, follow=True)
    page = text(response)
    assert "The programme ended: Dropped out." in page
    assert "A notice went to" not in page
    assert case_events().filter(case=enrolment.case).count() == 1


@pytest.mark.parametrize("who", ["manager", "police", "survivor_worker", "monitoring", "provider_admin"])
def test_wrong_roles_get_403_even_when_confirmed(client, login, users, enrolment, who):
    login(users[who])
    assert client.post(url(enrolment), {**EXPEL, "confirmed": "1"}).status_code == 403
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE


def test_another_provider_gets_404_even_when_confirmed(client, login, users, enrolment):
    login(users["other_psychologist"])
    assert client.post(url(enrolment), EXPEL).status_code == 404
    assert client.post(url(enrolment), {**EXPEL, "confirmed": "1"}).status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE
