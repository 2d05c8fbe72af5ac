"""The "Follow-ups due" list and a follow-up point with its meeting."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from core.models import SensitiveRead
from outcomes.models import FollowUp
from outcomes.services import follow_ups_schedule
from tests import factories as f
from tests.outcomes.conftest import bare_enrolment, days

LIST = reverse("outcomes:follow_ups")


@pytest.fixture
def ended(users, case):
    """Ended 10 days ago: the intake point overdue since day -100, the end
    point overdue since day -10, +6 months later (not listed yet)."""
    enrolment = bare_enrolment(case, f.shipped_template("kz-union-crisis-centres"), users["psychologist"],
                               status="dropped_out", starts_on=days(-100), ended_on=days(-10))  # fmt: skip
    follow_ups_schedule(enrolment=enrolment)
    return enrolment


def test_the_list_shows_what_is_overdue_and_due_soon(login, users, orgs, ended):
    other = f.make_open_case(police=users["other_police"], provider=orgs["other_provider"],
                             by=users["other_psychologist"])  # fmt: skip
    follow_ups_schedule(enrolment=bare_enrolment(other, f.shipped_template("tm-pilot"), users["other_psychologist"],
                                                 starts_on=days(-1)))  # fmt: skip
    soon = FollowUp.objects.create(enrolment=ended, kind="after_end", months=1, due_on=days(10))
    FollowUp.objects.create(enrolment=ended, kind="after_end", months=2, due_on=days(15))  # beyond 14 days
    page = login(users["psychologist"]).get(LIST).content.decode()
    rows = re.findall(r"<tr>(.*?)</tr>", page.split("<tbody>")[1], re.S)
    assert [re.search(r'<span class="cw-stack-label d-md-none">Point</span>(.*?)</td>', r).group(1) for r in rows] == [
        "Intake", "End of the programme", "1 months after the end",
    ]  # fmt: skip
    assert [r.count("overdue") for r in rows] == [1, 1, 0]
    assert ended.case.referral.person.full_name in rows[0]
    assert other.referral.person.full_name not in page
    assert reverse("outcomes:follow_up_detail", args=[soon.pk]) in page


def test_a_manager_sees_the_list_without_the_clinical_actions(login, users, ended):
    page = login(users["manager"]).get(LIST).content.decode()
    assert "End of the programme" in page
    assert reverse("outcomes:follow_up_detail", args=[ended.follow_ups.first().pk]) not in page


def test_empty_list(login, users, orgs):
    page = login(users["psychologist"]).get(LIST).content.decode()
    assert "Nothing is due: no questionnaire or monitoring meeting is overdue or due soon." in page


def test_the_list_is_paginated(login, users, ended):
    FollowUp.objects.bulk_create(
        [FollowUp(enrolment=ended, kind="after_end", months=m, due_on=days(-m)) for m in range(20, 49)]
    )
    client = login(users["psychologist"])
    first = client.get(LIST).content.decode()
    assert first.count('<span class="cw-stack-label d-md-none">Point</span>') == 25
    assert "Page 1 of 2" in first
    second = client.get(LIST + "?page=2").content.decode()
    assert second.count('<span class="cw-stack-label d-md-none">Point</span>') == 6


def test_recording_a_monitoring_meeting(login, users, ended):
    point = ended.follow_ups.get(kind="end")
    url = reverse("outcomes:follow_up_detail", args=[point.pk])
    client = login(users["social_worker"])
    page = client.get(url).content.decode()
    new = reverse("outcomes:administration_new", args=[ended.case_id])
    assert f"{new}?instrument=cts2&amp;follow_up={point.pk}" in page
    assert f"{new}?instrument=cts2s&amp;follow_up={point.pk}" in page
    response = client.post(url, {"met_on": days(0).isoformat(), "attended": "yes", "notes": "Came with his brother."},
                           follow=True)  # fmt: skip
    page = response.content.decode()
    assert "Meeting recorded." in page
    assert "Came with his brother." in page
    point.refresh_from_db()
    assert (point.status, point.attended, point.met_on) == ("done", True, days(0))
    read = SensitiveRead.objects.get(user=users["social_worker"])
    assert (read.record_type, read.record_id) == ("therapy_notes", ended.case_id)


def test_meeting_errors_keep_what_was_typed(login, users, ended):
    point = ended.follow_ups.get(kind="end")
    response = login(users["psychologist"]).post(
        reverse("outcomes:follow_up_detail", args=[point.pk]),
        {"met_on": days(-200).isoformat(), "attended": "no", "notes": "Phone switched off."},
    )
    page = response.content.decode()
    assert f"The meeting cannot be before the start of the programme ({days(-100):%d.%m.%Y})." in page
    assert "Phone switched off." in page
    assert FollowUp.objects.get(pk=point.pk).status == "due"


@pytest.mark.parametrize(("role", "status"), [("manager", 403), ("survivor_worker", 403), ("other_psychologist", 404)])
def test_who_may_not_open_a_point(login, users, ended, role, status):
    point = ended.follow_ups.get(kind="end")
    assert login(users[role]).get(reverse("outcomes:follow_up_detail", args=[point.pk])).status_code == status
