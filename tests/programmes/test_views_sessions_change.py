"""programmes:session_reschedule and programmes:session_cancel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes.models import Attendance, Session
from tests.programmes.views_sessions_support import days, log_all, men_group_today

NEVER_AN_ABSENCE = "A session cancelled by the programme is never counted as an absence."


@pytest.fixture
def group_today(users, orgs):
    return men_group_today(users, orgs, size=2)


def reschedule_url(session) -> str:
    return reverse("programmes:session_reschedule", args=[session.pk])


def cancel_url(session) -> str:
    return reverse("programmes:session_cancel", args=[session.pk])


# --- reschedule ------------------------------------------------------------------


def test_the_reschedule_form_is_filled_with_the_current_time(client, login, users, group_today):
    group, _people, _today = group_today
    session = group.sessions.get(number=2)
    login(users["psychologist"])
    response = client.get(reschedule_url(session))
    assert response.status_code == 200
    html = response.content.decode()
    local = timezone.localtime(session.starts_at)
    assert f'value="{local:%Y-%m-%d}"' in html
    assert f'value="{local:%H:%M}"' in html
    assert NEVER_AN_ABSENCE in html
    assert "A group session moves for everyone in the group." in html


@pytest.mark.parametrize("who", ["psychologist", "social_worker", "manager"])
def test_provider_staff_move_a_session(client, login, users, group_today, who):
    group, _people, _today = group_today
    session = group.sessions.get(number=2)
    original = session.starts_at
    login(users[who])
    new_day = days(9)
    response = client.post(
        reschedule_url(session),
        {"day": new_day.isoformat(), "time": "17:30", "duration_minutes": "90", "reason": "Room is being painted"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:today")
    session.refresh_from_db()
    assert timezone.localtime(session.starts_at).replace(tzinfo=None) == dt.datetime.combine(new_day, dt.time(17, 30))
    assert (session.duration_minutes, session.reschedule_reason, session.rescheduled_from) == (
        90,
        "Room is being painted",
        original,
    )


def test_after_moving_it_goes_back_to_the_page_it_came_from(client, login, users, group_today):
    group, people, _today = group_today
    session = people[0].individual_sessions.get(number=2)
    session.starts_at = timezone.now() + dt.timedelta(days=3)
    session.save()
    back = reverse("programmes:enrolment_detail", args=[people[0].pk])
    login(users["psychologist"])
    response = client.post(
        reschedule_url(session),
        {"day": days(4).isoformat(), "time": "11:00", "reason": "He works that day", "next": back},
    )
    assert response["Location"] == back
    response = client.post(
        reschedule_url(session),
        {"day": days(5).isoformat(), "time": "11:00", "reason": "Again", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("programmes:today")


def test_rescheduling_needs_a_date_a_time_and_a_reason(client, login, users, group_today):
    group, _people, _today = group_today
    session = group.sessions.get(number=2)
    before = session.starts_at
    login(users["psychologist"])
    response = client.post(reschedule_url(session), {"day": "", "time": "25:00", "reason": ""})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["day"] == ["This field is required."]
    assert errors["time"] == ["Enter a valid time."]
    assert errors["reason"] == ["This field is required."]
    response = client.post(
        reschedule_url(session), {"day": days(3).isoformat(), "time": "10:00", "duration_minutes": "5", "reason": "x"}
    )
    assert response.context["form"].errors == {
        "duration_minutes": ["Ensure this value is greater than or equal to 15."]
    }
    assert 'value="x"' in response.content.decode()
    session.refresh_from_db()
    assert session.starts_at == before


def test_a_held_session_cannot_be_moved(client, login, users, group_today):
    group, people, today = group_today
    log_all(today, users["psychologist"], people)
    login(users["psychologist"])
    html = client.get(reschedule_url(today)).content.decode()
    assert "Only a planned session can be rescheduled." in html
    response = client.post(reschedule_url(today), {"day": days(2).isoformat(), "time": "10:00", "reason": "x"})
    assert response.context["form"].non_field_errors() == ["Only a planned session can be rescheduled."]
    today.refresh_from_db()
    assert today.local_date == days(0)


# --- cancel ----------------------------------------------------------------------


def test_the_cancel_page_says_it_is_never_an_absence(client, login, users, group_today):
    _group, _people, session = group_today
    login(users["social_worker"])
    html = client.get(cancel_url(session)).content.decode()
    assert NEVER_AN_ABSENCE in html
    assert "Reason for cancelling" in html


@pytest.mark.parametrize("who", ["psychologist", "social_worker", "manager"])
def test_provider_staff_cancel_a_session(client, login, users, group_today, who):
    _group, _people, session = group_today
    login(users[who])
    response = client.post(cancel_url(session), {"reason": "Facilitator ill"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.status, session.cancel_reason) == ("cancelled", "Facilitator ill")
    assert not Attendance.objects.filter(session=session).exists()


def test_cancelling_needs_a_reason(client, login, users, group_today):
    _group, _people, session = group_today
    login(users["psychologist"])
    response = client.post(cancel_url(session), {"reason": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": ["This field is required."]}
    response = client.post(cancel_url(session), {"reason": "x" * 301})
    assert response.context["form"].errors == {"reason": ["Ensure this value has at most 300 characters (it has 301)."]}
    session.refresh_from_db()
    assert session.status == "planned"


def test_a_cancelled_session_is_not_cancelled_again(client, login, users, group_today):
    _group, _people, session = group_today
    Session.objects.filter(pk=session.pk).update(status="cancelled", cancel_reason="Snow")
    login(users["psychologist"])
    assert "This session is already cancelled." in client.get(cancel_url(session)).content.decode()
    response = client.post(cancel_url(session), {"reason": "Again"})
    assert response.context["form"].non_field_errors() == ["This session is already cancelled."]
    session.refresh_from_db()
    assert session.cancel_reason == "Snow"


# --- access ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["police", "survivor_worker", "monitoring", "provider_admin"])
def test_other_roles_get_403(client, login, users, group_today, who):
    _group, _people, session = group_today
    login(users[who])
    assert client.get(reschedule_url(session)).status_code == 403
    assert client.get(cancel_url(session)).status_code == 403
    assert client.post(cancel_url(session), {"reason": "x"}).status_code == 403
    session.refresh_from_db()
    assert session.status == "planned"


def test_another_provider_gets_404(client, login, users, group_today):
    _group, _people, session = group_today
    login(users["other_psychologist"])
    assert client.get(reschedule_url(session)).status_code == 404
    assert client.post(cancel_url(session), {"reason": "x"}).status_code == 404
    assert (
        client.post(reschedule_url(session), {"day": days(2).isoformat(), "time": "10:00", "reason": "x"}).status_code
        == 404
    )
    session.refresh_from_db()
    assert (session.status, session.local_date) == ("planned", days(0))


# --- no past, no clash, short notice ------------------------------------------------


def test_moving_into_the_past_is_refused_on_the_date_field(client, login, users, group_today):
    group, _people, _today = group_today
    session = group.sessions.get(number=2)
    login(users["psychologist"])
    data = {"day": days(-1).isoformat(), "time": "10:00", "reason": "Typed the wrong week"}
    response = client.post(reschedule_url(session), data)
    assert response.status_code == 200
    assert response.context["form"].errors["day"] == ["A session cannot be moved into the past."]
    assert 'value="Typed the wrong week"' in response.content.decode()
    session.refresh_from_db()
    assert session.rescheduled_from is None


def test_a_clash_is_named_and_kept_only_when_ticked(client, login, users, group_today):
    group, people, _today = group_today
    session = group.sessions.get(number=2)
    # The psychologist's individual session with the first man, moved onto the group's session 2.
    individual = people[0].individual_sessions.filter(status="planned", starts_at__gt=timezone.now()).first()
    if individual is None:
        individual = Session.objects.create(
            provider=session.provider,
            kind="individual",
            enrolment=people[0],
            number=9,
            starts_at=session.starts_at + dt.timedelta(days=1),
            duration_minutes=60,
            facilitator=session.facilitator,
        )
    login(users["psychologist"])
    local = timezone.localtime(session.starts_at)
    data = {"day": local.date().isoformat(), "time": local.strftime("%H:%M"), "reason": "Only free hour"}
    response = client.post(reschedule_url(individual), data)
    assert response.status_code == 200
    error = response.context["form"].errors["allow_clash"][0]
    assert f"group session 2 of {group.name}" in error
    assert "Keep this time despite the clash" in error
    individual.refresh_from_db()
    assert individual.starts_at != session.starts_at

    response = client.post(reschedule_url(individual), {**data, "allow_clash": "on"})
    assert response.status_code == 302
    individual.refresh_from_db()
    assert individual.starts_at == session.starts_at


def test_a_move_at_short_notice_says_the_absence_counts_only_when_confirmed(client, login, users, group_today):
    group, _people, _today = group_today
    session = group.sessions.get(number=2)
    soon = timezone.localtime(timezone.now() + dt.timedelta(hours=3))
    login(users["psychologist"])
    response = client.post(
        reschedule_url(session),
        {"day": soon.date().isoformat(), "time": soon.strftime("%H:%M"), "reason": "Room free today"},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert "The session was moved." in messages
    assert any(m.startswith("It is less than 24 hours away: tell the participants now.") for m in messages)
