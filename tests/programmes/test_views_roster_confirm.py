"""The roster says, before saving, which safety notices the save sets off
and who will be told; it saves only once the practitioner confirms, and
then names what went to whom. Short-notice absences are flagged and count
only when confirmed on the page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.services import survivor_service_refer
from programmes import services
from programmes.models import Attendance, Session
from tests.notices import case_events

SERVICE = "Sezim Crisis Centre"
POLICE = "Bishkek City Police, Pervomaisky district"


def url(session) -> str:
    return reverse("programmes:session_log", args=[session.pk])


@pytest.fixture
def two_missed(users, orgs, past_group, men, new_case, enrol):
    """A man in the past group, with the crisis centre on his case, who
    missed sessions 1 and 2 without excuse; session 3 is not logged yet."""
    a = enrol(new_case(), men, past_group)
    survivor_service_refer(case=a.case, organisation=orgs["survivor_service"], by=users["social_worker"])
    for number in (1, 2):
        services.attendance_log(
            session=past_group.sessions.get(number=number),
            by=users["psychologist"],
            marks={a.pk: "unexcused"},
            topic_covered="",
        )
    return a, past_group.sessions.get(number=3)


def test_the_third_absence_is_announced_and_nothing_is_saved_before_confirming(client, login, users, two_missed):
    a, session = two_missed
    login(users["psychologist"])
    name = a.case.referral.person.full_name

    response = client.post(url(session), {f"mark-{a.pk}": "unexcused", "topic": "", "notes": "He did not come."})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Before you save: this log sets off safety notices" in html
    assert f"{name}: this makes 3 unexcused absences in a row." in html
    assert "The programme&#x27;s rule records a dropout and tells" in html
    assert SERVICE in html and POLICE in html
    assert "Confirm and save" in html
    # What was typed is still there, and nothing was written.
    assert "He did not come." in html
    assert re.search(rf'name="mark-{a.pk}" value="unexcused"[^>]*checked', html)
    assert not case_events().filter(kind="dropout").exists()
    assert not Attendance.objects.filter(session=session).exists()
    session.refresh_from_db()
    assert session.status == Session.Status.PLANNED


def test_confirming_saves_and_names_what_went_to_whom(client, login, users, two_missed):
    a, session = two_missed
    login(users["psychologist"])
    name = a.case.referral.person.full_name
    data = {f"mark-{a.pk}": "unexcused", "topic": "", "notes": ""}
    first = client.post(url(session), data)
    expect = first.context["form"]["expect"].value()
    assert expect

    response = client.post(url(session), {**data, "expect": expect}, follow=True)

    event = case_events().get(kind="dropout")
    assert event.case == a.case
    told = sorted(n.organisation.name for n in event.notices.all())
    assert SERVICE in told
    messages = [str(m) for m in response.context["messages"]]
    assert any(m.startswith("Session saved: 1 person marked.") for m in messages)
    assert any(m.startswith(f"A dropout notice about {name} went to") and SERVICE in m for m in messages)
    session.refresh_from_db()
    assert session.status == Session.Status.NOT_HELD


def test_a_stale_confirmation_asks_again(client, login, users, two_missed):
    a, session = two_missed
    login(users["psychologist"])
    data = {f"mark-{a.pk}": "unexcused", "topic": "", "notes": "", "expect": "dropout:1:Somewhere else"}
    response = client.post(url(session), data)
    assert response.status_code == 200
    assert "Before you save" in response.content.decode()
    assert not case_events().filter(kind="dropout").exists()


def test_a_save_that_sets_off_nothing_needs_no_confirmation(client, login, users, two_missed):
    a, session = two_missed
    login(users["psychologist"])
    response = client.post(url(session), {f"mark-{a.pk}": "present", "topic": session.planned_topic, "notes": ""})
    assert response.status_code == 302
    assert Attendance.objects.get(session=session).mark == "present"


def test_a_short_notice_session_is_flagged_and_its_absence_counts_only_when_ticked(
    client, login, users, past_group, men, new_case, enrol
):
    a = enrol(new_case(), men, past_group)
    session = a.individual_sessions.order_by("number").first()
    # The time was set 3 hours before the session began.
    Session.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=1), planned_at=timezone.now() - dt.timedelta(hours=4)
    )
    login(users["psychologist"])

    page = client.get(url(session)).content.decode()
    assert "Short notice" in page
    assert "does not count towards the dropout rule or non-compliance unless you confirm it" in page
    assert f'name="confirm-{a.pk}"' in page

    response = client.post(url(session), {f"mark-{a.pk}": "unexcused", "topic": "", "notes": ""})
    assert response.status_code == 302
    mark = Attendance.objects.get(session=session)
    assert (mark.short_notice, mark.absence_confirmed) == (True, False)

    response = client.post(url(session), {f"mark-{a.pk}": "unexcused", f"confirm-{a.pk}": "on", "topic": ""})
    assert response.status_code in (200, 302)
    if response.status_code == 200:  # a notice would follow: confirm it
        expect = response.context["form"]["expect"].value()
        client.post(url(session), {f"mark-{a.pk}": "unexcused", f"confirm-{a.pk}": "on", "topic": "", "expect": expect})
    mark.refresh_from_db()
    assert mark.absence_confirmed is True


def test_a_programme_manager_sees_no_roster_form_and_cannot_post(client, login, users, two_missed):
    a, session = two_missed
    login(users["manager"])
    assert client.post(url(session), {f"mark-{a.pk}": "unexcused"}).status_code == 403
    assert not case_events().filter(kind="dropout").exists()


def test_another_providers_psychologist_gets_404(client, login, users, two_missed):
    a, session = two_missed
    login(users["other_psychologist"])
    assert client.post(url(session), {f"mark-{a.pk}": "unexcused"}).status_code == 404
