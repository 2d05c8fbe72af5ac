"""A participant: progress on the case page, programmes:enrolment_detail and
programmes:discharge."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from programmes.models import Enrolment
from tests import factories as f
from tests.programmes.views_sessions_support import (
    MANDATORY,
    days,
    log_all,
    mandatory_enrolment,
    men_group_today,
)


@pytest.fixture
def part_way(users, orgs, case_with_service):
    """The standing case in the mandatory programme (2 individual + 2 group):
    individual 1 present, individual 2 an unexcused absence, group 1 late,
    group 2 cancelled by the programme."""
    enrolment, group = mandatory_enrolment(users, orgs, case_with_service)
    first, second = enrolment.individual_sessions.order_by("number")
    log_all(first, users["psychologist"], [enrolment], "present", topic="Anger management")
    log_all(second, users["psychologist"], [enrolment], "unexcused")
    group_one, group_two = group.sessions.order_by("number")
    log_all(group_one, users["psychologist"], [enrolment], "late", topic="Communication without violence")
    group_two.status = "cancelled"
    group_two.cancel_reason = "Public holiday"
    group_two.save()
    return enrolment


def figure(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]*)<', html)
    assert match, name
    return " ".join(match.group(1).split())


def case_url(case) -> str:
    return reverse("casework:case_detail", args=[case.pk])


# --- progress on the case page -------------------------------------------------


@pytest.mark.parametrize("who", ["psychologist", "social_worker", "manager"])
def test_the_case_page_shows_progress_to_provider_staff(client, login, users, part_way, who):
    login(users[who])
    html = client.get(case_url(part_way.case)).content.decode()
    assert figure(html, "individual") == "1 of 2"
    assert figure(html, "group") == "1 of 2"
    assert figure(html, "hours") == "3.0 hours (no hours requirement)"
    assert figure(html, "curriculum") == "2 of 4 topics"
    assert figure(html, "absences") == "0 excused, 1 unexcused"
    assert "progress-bar ps-bar-50" in html
    assert "Still missing: 1 individual session and 1 group session." in html
    # The programme's dropout rule (1 unexcused absence) is reached.
    assert "dropout rule is reached" in html
    assert reverse("programmes:enrolment_detail", args=[part_way.pk]) in html


def test_the_discharge_link_is_for_clinical_staff_only(client, login, users, part_way):
    discharge = reverse("programmes:discharge", args=[part_way.pk])
    login(users["psychologist"])
    assert discharge in client.get(case_url(part_way.case)).content.decode()
    login(users["manager"])
    assert discharge not in client.get(case_url(part_way.case)).content.decode()


def test_a_survivor_worker_sees_the_status_only(client, login, users, part_way):
    login(users["survivor_worker"])
    response = client.get(case_url(part_way.case))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Programme status: <strong>Active</strong>" in html
    for detail in ('data-figure="', "Anger management", "unexcused", "Sessions and marks", "progress-bar"):
        assert detail not in html
    assert client.get(reverse("programmes:enrolment_detail", args=[part_way.pk])).status_code == 403


def test_a_case_without_enrolment_has_no_programme_section(client, login, users, case):
    login(users["psychologist"])
    html = client.get(case_url(case)).content.decode()
    assert 'id="programme-heading"' not in html


def test_requirements_met_is_said(client, login, users, orgs, case):
    enrolment, group = mandatory_enrolment(users, orgs, case)
    for session in [*enrolment.individual_sessions.all(), *group.sessions.all()]:
        log_all(session, users["psychologist"], [enrolment])
    login(users["psychologist"])
    html = client.get(case_url(case)).content.decode()
    assert figure(html, "individual") == "2 of 2"
    assert "progress-bar ps-bar-100" in html
    assert "Every requirement is met: completion can be recorded." in html


# --- enrolment detail ----------------------------------------------------------


def test_the_enrolment_page_lists_every_session_with_its_mark(client, login, users, part_way):
    login(users["psychologist"])
    response = client.get(reverse("programmes:enrolment_detail", args=[part_way.pk]))
    assert response.status_code == 200
    assert [(s.kind, s.number, s.status, s.mark) for s in response.context["sessions"]] == [
        ("individual", 1, "held", "present"),
        ("individual", 2, "not_held", "unexcused"),
        ("group", 1, "held", "late"),
        ("group", 2, "cancelled", ""),
    ]
    html = response.content.decode()
    assert "4 sessions" in html
    assert '<span class="badge text-bg-danger">Unexcused absence</span>' in html
    assert '<span class="badge text-bg-warning">Late</span>' in html
    assert "Cancelled: Public holiday · not an absence" in html
    assert part_way.case.referral.person.full_name in html
    assert "+996700987654" not in html and "Тайный" not in html


def test_the_enrolment_page_query_count_does_not_grow_with_sessions(client, login, users, orgs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _group, people, _session = men_group_today(users, orgs, size=1)
    enrolment = people[0]
    # Four sessions, all ahead (like the 26 above, the next session is known).
    mandatory = f.shipped_template(MANDATORY)
    short = f.enrol_case(
        f.make_open_case(police=users["police"], provider=orgs["provider"], by=users["psychologist"]),
        by=users["psychologist"],
        template=mandatory,
        group=f.make_group(by=users["psychologist"], template=mandatory),
    )
    login(users["psychologist"])
    client.get(reverse("programmes:enrolment_detail", args=[short.pk]))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("programmes:enrolment_detail", args=[short.pk]))
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("programmes:enrolment_detail", args=[enrolment.pk]))
    assert len(response.context["sessions"]) == 26
    assert len(few.captured_queries) == len(many.captured_queries)


# --- discharge -----------------------------------------------------------------


def discharge_url(enrolment) -> str:
    return reverse("programmes:discharge", args=[enrolment.pk])


def test_the_discharge_page_offers_the_four_endings(client, login, users, part_way):
    login(users["psychologist"])
    response = client.get(discharge_url(part_way))
    assert response.status_code == 200
    assert [value for value, _label in response.context["form"].fields["kind"].choices] == [
        "completed",
        "dropped_out",
        "expelled",
        "deselected",
    ]
    assert f'value="{days(0).isoformat()}"' in response.content.decode()


def test_completion_is_refused_with_the_services_message(client, login, users, part_way):
    login(users["psychologist"])
    response = client.post(discharge_url(part_way), {"kind": "completed", "on": days(0).isoformat()})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Cannot record completion: 1 individual session and 1 group session still missing."
    ]
    assert "Cannot record completion" in response.content.decode()
    part_way.refresh_from_db()
    assert part_way.status == "active"


@pytest.mark.parametrize("kind", ["dropped_out", "expelled", "deselected"])
def test_other_endings_are_recorded_with_a_reason(client, login, users, part_way, kind):
    login(users["social_worker"])
    response = client.post(
        discharge_url(part_way),
        {
            "kind": kind,
            "on": days(0).isoformat(),
            "reason": "Stopped coming",
            "notes": "Phoned twice.",
            "confirmed": "1",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:enrolment_detail", args=[part_way.pk])
    part_way.refresh_from_db()
    assert (part_way.status, part_way.ended_on, part_way.end_reason, part_way.end_notes) == (
        kind,
        days(0),
        "Stopped coming",
        "Phoned twice.",
    )


def test_an_ending_without_reason_or_with_a_future_date_is_refused(client, login, users, part_way):
    login(users["psychologist"])
    response = client.post(discharge_url(part_way), {"kind": "expelled", "on": days(0).isoformat(), "notes": "N"})
    assert response.context["form"].errors == {"reason": ["Give the reason."]}
    assert "N</textarea>" in response.content.decode()
    response = client.post(discharge_url(part_way), {"kind": "expelled", "on": days(1).isoformat(), "reason": "R"})
    assert response.context["form"].errors == {"on": ["This date is in the future."]}
    response = client.post(discharge_url(part_way), {"kind": "transferred", "on": days(0).isoformat()})
    assert "kind" in response.context["form"].errors
    part_way.refresh_from_db()
    assert part_way.status == "active"


def test_completion_when_requirements_are_met(client, login, users, orgs, case):
    enrolment, group = mandatory_enrolment(users, orgs, case)
    for session in [*enrolment.individual_sessions.all(), *group.sessions.all()]:
        log_all(session, users["psychologist"], [enrolment])
    login(users["psychologist"])
    response = client.post(discharge_url(enrolment), {"kind": "completed", "on": days(0).isoformat(), "confirmed": "1"})
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == "completed"
    page = client.get(response["Location"]).content.decode()
    assert "The programme ended: Completed." in page
    assert reverse("programmes:certificate", args=[enrolment.pk]) in page


def test_an_ended_enrolment_sends_back_to_its_page(client, login, users, part_way):
    Enrolment.objects.filter(pk=part_way.pk).update(status="dropped_out", ended_on=days(0))
    login(users["psychologist"])
    response = client.get(discharge_url(part_way))
    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:enrolment_detail", args=[part_way.pk])


@pytest.mark.parametrize("who", ["manager", "police", "survivor_worker", "monitoring", "provider_admin"])
def test_only_clinical_staff_discharge(client, login, users, part_way, who):
    login(users[who])
    assert client.get(discharge_url(part_way)).status_code == 403
    data = {"kind": "dropped_out", "on": days(0).isoformat(), "reason": "R"}
    assert client.post(discharge_url(part_way), data).status_code == 403
    assert client.post(discharge_url(part_way), {**data, "confirmed": "1"}).status_code == 403
    part_way.refresh_from_db()
    assert part_way.status == "active"
