"""programmes:today — a facilitator's sessions today and past sessions not
yet logged; a programme manager sees the provider's."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.programmes.views_sessions_support import log_all, mandatory_enrolment, men_group_today

URL = "/programmes/today/"


def test_the_url():
    assert reverse("programmes:today") == URL


def test_the_psychologist_sees_todays_group_session_with_who_is_expected(client, login, users, orgs):
    group, people, session = men_group_today(users, orgs, size=3, location_kind="mobile", location="Kant village")
    login(users["psychologist"])
    response = client.get(URL)
    assert response.status_code == 200
    assert [s.pk for s in response.context["sessions"]] == [session.pk]
    html = response.content.decode()
    assert "Tuesday men" in html
    assert "Kant village" in html
    assert '<span class="badge text-bg-info ms-1">mobile</span>' in html
    assert "3 expected" in html
    for person in people:
        assert person.case.referral.person.full_name in html
    assert timezone.localtime(session.starts_at).strftime("%H:%M") in html
    assert reverse("programmes:session_log", args=[session.pk]) in html
    assert "Log attendance" in html
    assert "+996700987654" not in html


def test_the_co_facilitator_sees_it_too(client, login, users, orgs):
    _group, _people, session = men_group_today(users, orgs, size=1)
    login(users["social_worker"])
    response = client.get(URL)
    assert [s.pk for s in response.context["sessions"]] == [session.pk]


def test_past_planned_sessions_are_listed_as_not_yet_logged(client, login, users, orgs):
    _group, people, session = men_group_today(users, orgs, size=2)
    login(users["psychologist"])
    response = client.get(URL)
    # Each man's two individual sessions (14 and 7 days ago) are not logged.
    unlogged = list(response.context["page"])
    assert len(unlogged) == 4
    assert {s.kind for s in unlogged} == {"individual"}
    html = response.content.decode()
    assert "Not yet logged" in html
    assert people[0].case.number in html
    first = people[0].individual_sessions.get(number=1)
    log_all(first, users["psychologist"], [people[0]])
    response = client.get(URL)
    assert first.pk not in [s.pk for s in response.context["page"]]
    assert response.context["page"].paginator.count == 3


def test_a_logged_session_today_is_shown_as_logged(client, login, users, orgs):
    _group, people, session = men_group_today(users, orgs, size=2)
    log_all(session, users["psychologist"], people)
    login(users["psychologist"])
    html = client.get(URL).content.decode()
    assert "Logged — open" in html


def test_the_empty_state(client, login, users):
    login(users["psychologist"])
    html = client.get(URL).content.decode()
    assert "No sessions today." in html
    assert "Every past session is logged." in html


def test_someone_elses_sessions_are_not_on_my_today(client, login, users, orgs):
    men_group_today(users, orgs, size=1)
    other = f.make_user(orgs["provider"], "psychologist", "second_psychologist")
    login(other)
    response = client.get(URL)
    assert response.context["sessions"] == []
    assert response.context["page"].paginator.count == 0


def test_a_manager_sees_every_session_of_the_provider(client, login, users, orgs):
    _group, _people, session = men_group_today(users, orgs, size=2)
    login(users["manager"])
    response = client.get(URL)
    assert [s.pk for s in response.context["sessions"]] == [session.pk]
    assert response.context["page"].paginator.count == 4
    html = response.content.decode()
    assert "Sessions of your organisation today" in html
    assert "Log attendance" not in html


def test_another_provider_sees_none_of_ours(client, login, users, orgs):
    men_group_today(users, orgs, size=1)
    login(users["other_psychologist"])
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["sessions"] == []
    assert "Tuesday men" not in response.content.decode()


@pytest.mark.parametrize("role", ["psychologist", "manager"])
def test_the_query_count_does_not_grow_with_the_sessions(client, login, users, orgs, role):
    """GIVEN a group meeting today and a programme whose sessions are not yet logged
    WHEN more groups meet today, with more men, and more sessions wait to be logged
    THEN Today runs the same queries, at most twelve, whoever opens it."""
    men_group_today(users, orgs, size=1, name="A")
    mandatory_enrolment(users, orgs)
    login(users[role])
    client.get(URL)
    with CaptureQueriesContext(connection) as small:
        unlogged = client.get(URL).context["page"].paginator.count
    men_group_today(users, orgs, size=4, name="B")
    mandatory_enrolment(users, orgs)
    with CaptureQueriesContext(connection) as big:
        response = client.get(URL)
    assert len(response.context["sessions"]) == 2
    assert response.context["page"].paginator.count > unlogged > 0
    assert len(small.captured_queries) == len(big.captured_queries) <= 12
