"""Reporting new violence twice by accident (a double click, a resend of
the page) records it once: one report, one event, one set of notices and
messages. The second answer is the same success as the first."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from core.submission import save_once
from notifications.models import ViolenceReport
from notifications.services import new_violence_report
from tests.notices import case_deliveries, case_events, case_notices

SUCCESS = "New violence reported. The survivor service, the referring body and the programme staff were told."


def _url(case) -> str:
    return reverse("notifications:report_violence", args=[case.pk])


def _data(key, summary="He came back at night.") -> dict:
    return {"reported_on": timezone.localdate().isoformat(), "summary": summary, "submission_key": str(key)}


def _counts() -> tuple[int, int, int, int]:
    return (
        ViolenceReport.objects.count(),
        case_events().count(),
        case_notices().count(),
        case_deliveries().count(),
    )


@pytest.mark.usefixtures("contacts")
@pytest.mark.parametrize("role", ["survivor_worker", "police2"])
def test_the_same_page_sent_twice_reports_once(client, login, users, case_with_service, role):
    login(users[role])
    key = uuid.uuid4()
    first = client.post(_url(case_with_service), _data(key), follow=True)
    once = _counts()
    assert once[:2] == (1, 1)
    assert once[2] >= 3
    assert case_deliveries().exclude(channel="inbox").exists()
    second = client.post(_url(case_with_service), _data(key), follow=True)
    assert _counts() == once
    assert second.redirect_chain == first.redirect_chain
    assert [str(m) for m in first.context["messages"]] == [SUCCESS]
    assert [str(m) for m in second.context["messages"]] == [SUCCESS]


def test_two_pages_report_twice(client, login, users, case_with_service):
    login(users["survivor_worker"])
    assert client.post(_url(case_with_service), _data(uuid.uuid4())).status_code == 302
    assert client.post(_url(case_with_service), _data(uuid.uuid4(), "Again.")).status_code == 302
    assert _counts()[:2] == (2, 2)


@pytest.mark.parametrize("sent", ["", "garbled"])
def test_without_a_readable_key_nothing_is_reported_and_the_page_has_a_fresh_one(
    client, login, users, case_with_service, sent
):
    login(users["survivor_worker"])
    response = client.post(_url(case_with_service), _data(uuid.uuid4()) | {"submission_key": sent})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "submission_key": ["This form has expired. Check the details and submit again."]
    }
    content = response.content.decode()
    assert "This form has expired. Check the details and submit again." in content
    assert "He came back at night." in content
    assert _counts() == (0, 0, 0, 0)
    fresh = response.context["form"]["submission_key"].value()
    assert client.post(_url(case_with_service), _data(fresh)).status_code == 302
    assert _counts()[:2] == (1, 1)


def test_the_page_carries_a_fresh_key_each_time(client, login, users, case_with_service):
    login(users["survivor_worker"])
    pages = [client.get(_url(case_with_service)) for _ in range(2)]
    keys = [page.context["form"]["submission_key"].value() for page in pages]
    assert keys[0] != keys[1]
    assert f'name="submission_key" value="{keys[1]}"' in pages[1].content.decode()


def test_the_service_returns_the_first_report_for_a_known_key(case_with_service, users):
    key = uuid.uuid4()
    args = {"case": case_with_service, "by": users["police"], "reported_on": timezone.localdate(), "summary": "x"}
    first = new_violence_report(**args, submission_key=key)
    again = new_violence_report(**args, submission_key=key)
    assert again.pk == first.pk
    assert _counts()[:2] == (1, 1)


def test_another_persons_key_is_neither_returned_nor_blocking(case_with_service, users):
    key = uuid.uuid4()
    day = timezone.localdate()
    theirs = new_violence_report(
        case=case_with_service, by=users["police"], reported_on=day, summary="a", submission_key=key
    )
    mine = new_violence_report(
        case=case_with_service, by=users["survivor_worker"], reported_on=day, summary="b", submission_key=key
    )
    assert mine.pk != theirs.pk
    assert (mine.summary, mine.submission_key) == ("b", None)
    assert case_events().count() == 2


def test_a_key_stored_at_the_same_moment_returns_that_report(case_with_service, users):
    """The unique key settles a race the first look-up missed."""
    key = uuid.uuid4()
    day = timezone.localdate()
    first = new_violence_report(
        case=case_with_service, by=users["police"], reported_on=day, summary="a", submission_key=key
    )
    mine = ViolenceReport.objects.filter(case=case_with_service, reported_by=users["police"])
    row, created = save_once(
        ViolenceReport(
            case=case_with_service,
            reported_by=users["police"],
            organisation=first.organisation,
            reported_on=day,
            summary="a",
            submission_key=key,
        ),
        mine,
    )
    assert (row.pk, created) == (first.pk, False)
    assert ViolenceReport.objects.count() == 1
