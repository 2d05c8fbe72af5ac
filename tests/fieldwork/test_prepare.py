"""The prepare endpoint: what a practitioner's phone keeps for the field.
Her own sessions of today and the next seven days with their rosters, her
unlogged sessions from before; names as on the roster, times, places,
topics; nothing of survivors, cases, contacts, risk or notes, and nothing of
another organisation."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes import services
from tests import factories as f
from tests.fieldwork.conftest import PREPARE
from tests.programmes.views_sessions_support import men_group_today


def _bundle(client) -> dict:
    response = client.get(reverse(PREPARE))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    return response.json()


def test_it_gives_her_sessions_of_the_next_seven_days_with_their_rosters(users, today_group, signed_in):
    group, people, session = today_group
    bundle = _bundle(signed_in(users["psychologist"]))

    # The group's weekly sessions: today's and the one in 7 days; not the one in 14.
    group_sessions = [s for s in bundle["sessions"] if s["kind"] == "group"]
    assert [s["number"] for s in group_sessions] == [1, 2]
    # Before them, the men's individual sessions of the last two weeks, not yet logged.
    individual = [s for s in bundle["sessions"] if s["kind"] == "individual"]
    assert sorted((s["title"], s["number"]) for s in individual) == sorted(
        (p.case.referral.person.full_name, n) for p in people for n in (1, 2)
    )
    assert bundle["sessions"][-2:] == group_sessions
    first = group_sessions[0]
    assert first == {
        "id": session.pk,
        "kind": "group",
        "number": 1,
        "title": "Tuesday men",
        "starts_at": session.starts_at.isoformat(),
        "ends_at": session.ends_at.isoformat(),
        "loggable_from": (session.starts_at - services.LOG_EARLY).isoformat(),
        "location": "Kara-Suu, village hall",
        "mobile": True,
        "status": "planned",
        "planned_topic": session.planned_topic,
        "template": group.template_id,
        "logged_at": None,
        "roster": [
            {"enrolment": p.pk, "name": p.case.referral.person.full_name, "short_notice": False}
            for p in sorted(
                people, key=lambda p: (p.case.referral.person.family_name, p.case.referral.person.given_name, p.pk)
            )
        ],
    }
    topics = bundle["templates"][str(group.template_id)]["topics"]
    assert [t["value"] for t in topics] == [t for t in group.template.curriculum if t.strip()]
    assert bundle["user"] == users["psychologist"].pk
    assert bundle["today"] == timezone.localdate().isoformat()
    assert (bundle["days"], bundle["keep_days"]) == (7, 7)


def test_the_place_is_in_her_language(users, today_group, signed_in):
    group, _people, session = today_group
    session.location_translations = {"ky": "Кара-Суу, айыл үйү"}
    session.save(update_fields=["location_translations"])
    user = users["psychologist"]
    user.preferred_language = "ky"
    user.save(update_fields=["preferred_language"])
    places = {s["id"]: s["location"] for s in _bundle(signed_in(user))["sessions"]}
    assert places[session.pk] == "Кара-Суу, айыл үйү"
    assert places[group.sessions.get(number=2).pk] == "Kara-Suu, village hall"


def test_the_co_facilitator_gets_the_same_sessions(users, today_group, signed_in):
    _group, _people, session = today_group
    bundle = _bundle(signed_in(users["social_worker"]))
    # He leads no individual session: the group's only.
    assert [s["id"] for s in bundle["sessions"]][:1] == [session.pk]


def test_her_unlogged_sessions_from_before_today_come_along(users, past_group, men, new_case, enrol, signed_in):
    enrol(new_case(), men, past_group)
    bundle = _bundle(signed_in(users["psychologist"]))
    group = [s["number"] for s in bundle["sessions"] if s["kind"] == "group"]
    # Eight weekly sessions since it began, none logged, then today's (day 56).
    assert group == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]


def test_it_holds_nothing_of_survivors_cases_contacts_risk_or_notes(users, today_group, signed_in):
    _group, people, session = today_group
    services.attendance_log(
        session=session,
        by=users["psychologist"],
        marks={p.pk: "present" for p in people},
        topic_covered=session.planned_topic,
        notes="He spoke of the night of the 3rd.",
    )
    text = json.dumps(_bundle(signed_in(users["psychologist"])), ensure_ascii=False)
    referral = people[0].case.referral
    survivor = referral.survivors.get()
    for secret in (
        "He spoke of the night of the 3rd.",
        survivor.family_name,
        people[0].case.number,
        referral.reference,
        referral.person.birth_date.isoformat(),
    ):
        assert secret not in text
    assert "present" not in text  # no past marks either
    for key in ("phone", "address", "risk", "notes", "survivor", "case", "birth"):
        assert f'"{key}' not in text


def _khujand_group(users, orgs):
    """The other provider's group, led by its psychologist, with one man,
    its first session tomorrow."""
    tj = f.shipped_template("tj-consultation-room")
    group = f.make_group(
        by=users["other_psychologist"],
        template=tj,
        provider=orgs["other_provider"],
        name="Khujand men",
        language="ru",
        starts_on=timezone.localdate() + dt.timedelta(days=1),
        psychologist=users["other_psychologist"],
        social_worker=f.make_user(orgs["other_provider"], "social_worker"),
    )
    case = f.make_open_case(
        police=users["other_police"], provider=orgs["other_provider"], by=users["other_psychologist"]
    )
    f.enrol_case(
        case, by=users["other_psychologist"], template=tj, group=group, psychologist=users["other_psychologist"]
    )
    return group, case


def test_another_organisations_sessions_and_people_are_never_prepared(users, orgs, today_group, signed_in, client):
    _group, people, _session = today_group
    theirs, their_case = _khujand_group(users, orgs)

    mine = _bundle(signed_in(users["psychologist"]))
    assert {s["title"] for s in mine["sessions"] if s["kind"] == "group"} == {"Tuesday men"}
    assert their_case.referral.person.full_name not in json.dumps(mine, ensure_ascii=False)

    client.logout()
    bundle = _bundle(signed_in(users["other_psychologist"]))
    assert {s["title"] for s in bundle["sessions"] if s["kind"] == "group"} == {"Khujand men"}
    assert {r["name"] for s in bundle["sessions"] for r in s["roster"]} == {their_case.referral.person.full_name}
    text = json.dumps(bundle, ensure_ascii=False)
    assert not any(p.case.referral.person.full_name in text for p in people)


@pytest.mark.parametrize("role", ["manager", "provider_admin", "survivor_worker", "police", "judge"])
def test_it_refuses_any_other_role(users, role, signed_in):
    assert signed_in(users[role]).get(reverse(PREPARE)).status_code == 403


def test_it_sends_an_anonymous_request_to_sign_in(client):
    response = client.get(reverse(PREPARE))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_it_rejects_post(users, signed_in):
    assert signed_in(users["psychologist"]).post(reverse(PREPARE)).status_code == 405


def test_its_queries_do_not_grow_with_the_sessions(users, orgs, signed_in, django_assert_max_num_queries):
    men_group_today(users, orgs, size=2, name="Monday men")
    client = signed_in(users["psychologist"])
    with django_assert_max_num_queries(20) as few:
        client.get(reverse(PREPARE))
    men_group_today(users, orgs, size=6, name="Friday men")
    with django_assert_max_num_queries(len(few.captured_queries)):
        bundle = client.get(reverse(PREPARE)).json()
    assert len([s for s in bundle["sessions"] if s["kind"] == "group"]) == 4
