"""GET /api/v1/enrolments/ and /api/v1/enrolments/{id}/attendance/: a
provider's own systems read its enrolments and their attendance, with no
personal data and no session notes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import ApiToken
from tests.programmes.views_sessions_support import men_group_today

URL = "/api/v1/enrolments/"
NOTE = "He spoke about his father at length."


def attendance_url(pk: int) -> str:
    return f"/api/v1/enrolments/{pk}/attendance/"


@pytest.fixture
def group_today(users, orgs):
    """Two men in a group whose first session, today, is logged: one present,
    one with an unexcused absence; the session has a note."""
    from programmes import services

    group, people, session = men_group_today(users, orgs, size=2)
    services.attendance_log(
        session=session,
        by=users["psychologist"],
        marks={people[0].pk: "present", people[1].pk: "unexcused"},
        topic_covered=session.planned_topic,
        notes=NOTE,
    )
    return group, people, session


def test_the_urls_are_named():
    assert reverse("api-enrolments") == URL
    assert reverse("api-enrolment-attendance", kwargs={"id": 7}) == attendance_url(7)


def test_it_lists_the_providers_enrolments_with_their_tally(api, users, orgs, group_today):
    group, people, _session = group_today

    response = api(users["manager"]).get(URL)

    assert response.status_code == 200
    body = response.json()
    assert [row["id"] for row in body["results"]] == [p.pk for p in people]
    first = body["results"][0]
    referral = people[0].case.referral
    assert first["referral"] == {"id": referral.pk, "reference": referral.reference}
    assert first["case"] == people[0].case_id
    assert first["provider"] == {"id": orgs["provider"].pk, "name": orgs["provider"].name}
    assert first["programme"]["code"] == "kg-annex3-voluntary-men"
    assert first["group"] == {"id": group.pk, "name": group.name}
    assert first["status"] == "active"
    assert first["progress"]["group_attended"] == 1
    assert first["progress"]["group_required"] == 24
    assert body["results"][1]["progress"]["unexcused"] == 1
    assert body["results"][1]["progress"]["group_attended"] == 0


def test_another_provider_sees_only_its_own(api, users, group_today):
    response = api(users["other_psychologist"]).get(URL)
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_it_filters_by_status_and_group(api, users, group_today):
    group, people, _session = group_today
    client = api(users["psychologist"])
    assert len(client.get(URL, {"status": "active", "group": group.pk}).json()["results"]) == 2
    assert client.get(URL, {"status": "completed"}).json()["results"] == []
    assert client.get(URL, {"group": group.pk + 1000}).json()["results"] == []


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        (
            {"status": "gone"},
            {"status": ["Choose one of: active, completed, dropped_out, expelled, deselected, transferred."]},
        ),
        ({"group": "tuesday"}, {"group": ["Enter a number."]}),
    ],
)
def test_a_bad_filter_is_a_400_naming_the_parameter(api, users, group_today, params, errors):
    response = api(users["psychologist"]).get(URL, params)
    assert response.status_code == 400
    assert response.json() == errors


def test_it_pages_with_a_cursor(api, users, group_today):
    _group, people, _session = group_today
    client = api(users["psychologist"])
    first = client.get(URL, {"page_size": 1}).json()
    second = client.get(first["next"]).json()
    assert [r["id"] for r in first["results"] + second["results"]] == [p.pk for p in people]
    assert second["next"] is None


def test_attendance_lists_the_sessions_and_marks(api, users, group_today):
    _group, people, session = group_today

    response = api(users["social_worker"]).get(attendance_url(people[1].pk))

    assert response.status_code == 200
    body = response.json()
    assert body["enrolment"] == people[1].pk and body["status"] == "active"
    assert body["progress"]["unexcused"] == 1
    assert [s["starts_at"] for s in body["sessions"]] == sorted(s["starts_at"] for s in body["sessions"])
    [first] = [s for s in body["sessions"] if s["session"] == session.pk]
    assert first["kind"] == "group" and first["number"] == 1
    assert first["session_status"] == "held"
    assert first["mark"] == "unexcused"
    assert set(first) == {"session", "kind", "number", "starts_at", "duration_minutes", "session_status", "mark"}
    assert {s["kind"] for s in body["sessions"]} == {"individual", "group"}
    assert [s["mark"] for s in body["sessions"] if s["session"] != session.pk] == [None] * (len(body["sessions"]) - 1)


def test_nothing_personal_or_said_in_a_session_is_in_the_answers(api, users, group_today):
    _group, people, session = group_today
    client = api(users["psychologist"])
    texts = client.get(URL).content.decode() + client.get(attendance_url(people[0].pk)).content.decode()
    assert session.planned_topic
    for secret in (NOTE, session.planned_topic, "Man00", "Асанов", "+996555123456", "Айгуль", "Room 2"):
        assert secret not in texts


@pytest.mark.parametrize("role", ["police", "monitoring", "survivor_worker"])
def test_other_roles_get_403(api, users, group_today, role):
    _group, people, _session = group_today
    for url in (URL, attendance_url(people[0].pk)):
        response = api(users[role]).get(url)
        assert response.status_code == 403
        assert response.json() == {"detail": "Only a programme provider's staff may use this API."}


def test_another_providers_enrolment_is_a_404(api, users, group_today):
    _group, people, _session = group_today
    response = api(users["other_psychologist"]).get(attendance_url(people[0].pk))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_revoked_token_is_a_401(api, users, group_today):
    from django.utils import timezone

    client = api(users["psychologist"])
    ApiToken.objects.filter(user=users["psychologist"]).update(revoked_at=timezone.now())
    assert client.get(URL).status_code == 401


def test_the_list_takes_a_fixed_number_of_queries(api, users, orgs, group_today, django_assert_max_num_queries):
    men_group_today(users, orgs, size=3, name="Second men")
    client = api(users["psychologist"])
    with django_assert_max_num_queries(20):
        assert len(client.get(URL).json()["results"]) == 5
