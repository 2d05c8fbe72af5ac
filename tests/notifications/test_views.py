"""The inbox, the badge, a notice and its acknowledgement, and the "report
new violence" page: who sees what, what they can do, and what they must
not see."""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import activity_cookie_value
from notifications.models import Delivery, SafetyEvent, ViolenceReport
from notifications.services import escalate_overdue, notice_acknowledge
from tests.notices import case_events, case_notices
from tests.notifications.conftest import SURVIVOR_SECRETS, notice_of, record

E = SafetyEvent.Kind
INBOX = reverse("notifications:inbox")
BADGE = reverse("notifications:badge")
HTMX = {"HTTP_HX_REQUEST": "true"}


def detail_url(notice) -> str:
    return reverse("notifications:notice_detail", args=[notice.pk])


def ack_url(notice) -> str:
    return reverse("notifications:acknowledge", args=[notice.pk])


def violence_url(case) -> str:
    return reverse("notifications:report_violence", args=[case.pk])


@pytest.fixture
def dropout(case_with_service):
    return record(
        E.DROPOUT,
        case_with_service,
        facts={"ended_on": "2026-03-02", "ending": "dropped_out", "mandatory": True, "sessions_attended": 4},
    )


@pytest.fixture
def service_notice(dropout, orgs):
    return notice_of(dropout, orgs["survivor_service"])


def _content(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


# --- inbox ---------------------------------------------------------------------------


def test_a_survivor_worker_sees_her_organisations_notice(client, login, users, dropout, service_notice):
    login(users["survivor_worker"])
    content = _content(client.get(INBOX))
    assert f"Dropped out of the programme · case {dropout.case.number}" in content
    assert detail_url(service_notice) in content
    assert "Sezim Crisis Centre" in content
    assert "no-store" in client.get(INBOX)["Cache-Control"]
    # Only her organisation's: the police and provider notices are not listed.
    assert list(_page(client)) == [service_notice]


def _page(client, **params):
    return client.get(INBOX, params).context["page"].object_list


def test_each_organisation_sees_its_own_notice(client, login, users, dropout, orgs):
    login(users["police"])
    # (and the provider's acceptance of the referral, for information)
    assert [n for n in _page(client) if n.event.case_id] == [notice_of(dropout, orgs["police"])]
    login(users["psychologist"])
    assert list(_page(client)) == [notice_of(dropout, orgs["provider"])]


@pytest.mark.parametrize("role", ["other_survivor_worker", "other_police", "monitoring"])
def test_others_see_an_empty_inbox(client, login, users, dropout, role):
    login(users[role])
    content = _content(client.get(INBOX))
    assert "No open notices. New ones appear here by themselves." in content
    # The search box's example (placeholder="K-0012") may be this case's number.
    assert dropout.case.number not in re.sub(r'placeholder="[^"]*"', "", content)


def test_the_filters(client, login, users, case_with_service, orgs):
    first = notice_of(record(E.DROPOUT, case_with_service, key="a"), orgs["survivor_service"])
    second = notice_of(record(E.RISK_RAISED, case_with_service, key="b"), orgs["survivor_service"])
    case_notices().filter(pk=first.pk).update(ack_due_at=timezone.now() - dt.timedelta(minutes=1))
    notice_acknowledge(notice=second, by=users["survivor_worker"], actions=["survivor_called"])
    login(users["survivor_worker"])
    assert list(_page(client)) == [first]
    assert list(_page(client, state="overdue")) == [first]
    assert list(_page(client, state="acknowledged")) == [second]
    assert set(_page(client, state="all")) == {first, second}
    assert list(_page(client, state="all", kind="risk_raised")) == [second]
    assert set(_page(client, state="all", case=case_with_service.number)) == {first, second}
    assert list(_page(client, state="all", case="K-9999")) == []
    response = client.get(INBOX, {"case": "Asanova", "state": "acknowledged"})
    assert "Enter a case number such as K-0012." in _content(response)
    assert list(response.context["page"].object_list) == [second]
    content = _content(client.get(INBOX, {"state": "all"}))
    assert "Overdue" in content and "Acknowledged" in content
    assert _content(client.get(INBOX, {"kind": "completion"})).count("No notice matches this filter.") == 1


def test_overdue_notices_come_first_and_are_marked(client, login, users, case_with_service, orgs):
    later = notice_of(record(E.DROPOUT, case_with_service, key="a"), orgs["survivor_service"])
    overdue = notice_of(record(E.RISK_RAISED, case_with_service, key="b"), orgs["survivor_service"])
    case_notices().filter(pk=overdue.pk).update(ack_due_at=timezone.now() - dt.timedelta(hours=1))
    login(users["survivor_worker"])
    assert list(_page(client)) == [overdue, later]
    assert 'class="list-group-item nf-notice nf-overdue"' in _content(client.get(INBOX))


def test_the_inbox_is_paginated_and_its_query_count_is_fixed(client, login, users, case_with_service):
    login(users["survivor_worker"])
    for n in range(3):
        record(E.RISK_RAISED, case_with_service, key=f"k{n}")
    with CaptureQueriesContext(connection) as few:
        client.get(INBOX)
    for n in range(3, 30):
        record(E.RISK_RAISED, case_with_service, key=f"k{n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(INBOX)
    assert len(many) == len(few) <= 12
    assert len(response.context["page"].object_list) == 25
    assert "Page 1 of 2" in response.content.decode()
    assert len(client.get(INBOX, {"page": 2}).context["page"].object_list) == 5


def test_an_htmx_refresh_returns_the_list_only(client, login, users, dropout):
    login(users["survivor_worker"])
    content = _content(client.get(INBOX, **HTMX))
    assert "<html" not in content
    assert dropout.case.number in content


def test_the_inbox_page_refreshes_itself(client, login, users, settings):
    settings.NOTIFY_POLL_SECONDS = 30
    login(users["survivor_worker"])
    content = _content(client.get(INBOX))
    assert f'hx-get="{INBOX}" hx-trigger="every 30s"' in content
    assert f'hx-get="{BADGE}" hx-trigger="every 30s"' in content


# --- badge -------------------------------------------------------------------------


def test_the_badge_counts_open_notices_and_shows_overdue(client, login, users, case_with_service, orgs):
    login(users["survivor_worker"])
    # No badge; the (empty) banner comes along to replace the page's.
    assert _content(client.get(BADGE)).strip() == (
        '<div id="urgent-banner" class="nf-urgent-banner-slot" hx-swap-oob="true"></div>'
    )
    notice = notice_of(record(E.DROPOUT, case_with_service, key="a"), orgs["survivor_service"])
    record(E.RISK_RAISED, case_with_service, key="b")
    content = _content(client.get(BADGE))
    assert "text-bg-warning" in content
    assert '>2<span class="visually-hidden"> open notices</span>' in content
    case_notices().filter(pk=notice.pk).update(ack_due_at=timezone.now() - dt.timedelta(seconds=1))
    content = _content(client.get(BADGE))
    assert "text-bg-danger" in content and "1 overdue" in content
    nav = _content(client.get(INBOX))
    assert f'href="{INBOX}">Notices <span id="notice-badge"' in nav
    assert '>2<span class="visually-hidden"> open notices, 1 overdue</span>' in nav


def test_a_badge_poll_does_not_keep_an_idle_session_alive(client, login, users):
    """The badge and the list are polled every 30 seconds by an open tab: the
    poll neither writes the session nor renews the activity cookie, so the
    tab does not keep the session alive; a page view does."""
    login(users["survivor_worker"])
    client.get(INBOX)
    now = int(time.time())
    idle = activity_cookie_value(signed_in_at=now - 29 * 60, active_at=now - 29 * 60)
    client.cookies[settings.ACTIVITY_COOKIE_NAME] = idle
    with CaptureQueriesContext(connection) as polls:
        assert client.get(BADGE, **HTMX).status_code == 200
        assert client.get(INBOX, **HTMX).status_code == 200
    assert not [q for q in polls.captured_queries if "django_session" in q["sql"] and "SELECT" not in q["sql"]]
    assert client.cookies[settings.ACTIVITY_COOKIE_NAME].value == idle
    assert client.get(INBOX).status_code == 200  # a real page view is activity
    assert client.cookies[settings.ACTIVITY_COOKIE_NAME].value != idle


def test_an_ended_session_sends_the_poll_to_sign_in(client, login, users):
    login(users["survivor_worker"])
    client.logout()
    response = client.get(BADGE, **HTMX)
    assert response["HX-Redirect"].startswith(reverse("accounts:login"))


# --- a notice ----------------------------------------------------------------------


def test_the_notice_shows_the_facts_and_links_to_the_case(
    client, login, users, contacts, service_notice, case_with_service
):
    login(users["survivor_worker"])
    content = _content(client.get(detail_url(service_notice)))
    for shown in [
        f"Dropped out of the programme · case {case_with_service.number}",
        "The person has left the programme. Tell the survivor and review her safety plan",
        "How it ended",
        "Dropped out",
        "Sessions attended",
        "Mandatory referral",
        f'href="{reverse("casework:case_detail", args=[case_with_service.pk])}"',
        f'action="{ack_url(service_notice)}"',
        "Called her",
        "Informed the programme staff",
        "Messages sent",
    ]:
        assert shown in content, shown
    # Her phone (she agreed to share it) is a tel: link for her service;
    # nothing else of hers is on the page.
    assert 'href="tel:+996700987654"' in content
    phone = {"+996700987654", "700987654"}
    for secret in (*(set(SURVIVOR_SECRETS) - phone), case_with_service.referral.person.family_name):
        assert secret not in content


def test_the_police_see_their_notice_with_the_referral_link(client, login, users, dropout, orgs):
    login(users["police"])
    content = _content(client.get(detail_url(notice_of(dropout, orgs["police"]))))
    referral = dropout.case.referral
    assert f'href="{reverse("referrals:police_detail", args=[referral.pk])}"' in content
    assert referral.reference in content
    for secret in (*SURVIVOR_SECRETS, referral.person.family_name):
        assert secret not in content


@pytest.mark.parametrize("role", ["police", "psychologist", "other_survivor_worker", "monitoring"])
def test_another_organisations_notice_is_404(client, login, users, service_notice, role):
    login(users[role])
    assert client.get(detail_url(service_notice)).status_code == 404
    assert client.post(ack_url(service_notice), {"actions": ["survivor_called"]}).status_code in (403, 404)
    service_notice.refresh_from_db()
    assert service_notice.status == "open"


@pytest.fixture
def police_notice(case_with_service, orgs):
    """A non-compliance notice: the police unit's only."""
    event = record(
        E.NON_COMPLIANCE,
        case_with_service,
        facts={"missed_on": "2026-03-02", "session_number": 3, "session_kind": "group"},
    )
    assert list(event.notices.all()) == [notice_of(event, orgs["police"])]
    return notice_of(event, orgs["police"])


def test_a_police_notice_is_404_for_the_survivor_worker_on_the_case(client, login, users, police_notice):
    login(users["survivor_worker"])
    assert client.get(detail_url(police_notice)).status_code == 404
    assert client.post(ack_url(police_notice), {"actions": ["other"], "note": "Seen."}).status_code == 404
    assert police_notice not in _page(client, state="all")
    police_notice.refresh_from_db()
    assert police_notice.status == "open"


def test_the_police_officer_reads_and_acknowledges_the_police_notice(client, login, users, police_notice):
    login(users["police"])
    content = _content(client.get(detail_url(police_notice)))
    assert "A participant obliged by a protection order missed a session without excuse while the order runs." in (
        content
    )
    assert "Session missed on" in content
    assert f'action="{ack_url(police_notice)}"' in content
    response = client.post(ack_url(police_notice), {"actions": ["other"], "note": "Officer visited him."})
    assert (response.status_code, response["Location"]) == (302, detail_url(police_notice))
    police_notice.refresh_from_db()
    assert (police_notice.status, police_notice.acknowledged_by) == ("acknowledged", users["police"])


def test_a_failed_delivery_shows_call_them(client, login, users, service_notice, contacts):
    Delivery.objects.create(
        notice=service_notice,
        event=service_notice.event,
        user=users["survivor_worker"],
        channel="sms",
        address="+996555000001",
        status="failed",
        attempts=8,
        last_error="HTTP 503",
    )
    case_notices().filter(pk=service_notice.pk).update(delivery_failed_at=timezone.now())
    login(users["survivor_worker"])
    content = _content(client.get(detail_url(service_notice)))
    assert "Failed — call them." in content
    assert "Not reached: survivor_worker (SMS)" in content
    assert "Failed — call them" in _content(client.get(INBOX))


# --- acknowledging ------------------------------------------------------------------


def test_a_survivor_worker_acknowledges_a_notice(client, login, users, service_notice):
    login(users["survivor_worker"])
    data = {"actions": ["safety_plan_reviewed", "survivor_called"], "note": "Plan reviewed."}
    response = client.post(ack_url(service_notice), data)
    assert response.status_code == 302
    assert response["Location"] == detail_url(service_notice)
    service_notice.refresh_from_db()
    assert (service_notice.status, service_notice.acknowledged_by, service_notice.actions, service_notice.ack_note) == (
        "acknowledged",
        users["survivor_worker"],
        ["survivor_called", "safety_plan_reviewed"],
        "Plan reviewed.",
    )
    content = _content(client.get(response["Location"]))
    assert "Notice acknowledged. Thank you." in content
    assert "Acknowledged by survivor_worker on" in content
    assert "Plan reviewed." in content
    assert 'action="' + ack_url(service_notice) + '"' not in content


def test_bad_input_keeps_what_was_typed_and_saves_nothing(client, login, users, service_notice):
    login(users["survivor_worker"])
    response = client.post(ack_url(service_notice), {"actions": ["no_contact_possible"], "note": ""})
    content = _content(response)
    assert "Say why there was no contact, or what was done." in content
    assert re.search(r'value="no_contact_possible"[^>]*\bchecked>', content)
    response = client.post(ack_url(service_notice), {"note": "typed text"})
    content = _content(response)
    assert "Choose what was done." in content
    assert "typed text" in content
    service_notice.refresh_from_db()
    assert service_notice.status == "open"


def test_acknowledging_twice_is_refused(client, login, users, service_notice):
    notice_acknowledge(notice=service_notice, by=users["survivor_worker"], actions=["survivor_called"])
    login(users["survivor_worker"])
    content = _content(client.post(ack_url(service_notice), {"actions": ["other"], "note": "again"}))
    assert "This notice has already been acknowledged." in content


def test_get_is_not_allowed_on_acknowledge(client, login, users, service_notice):
    login(users["survivor_worker"])
    assert client.get(ack_url(service_notice)).status_code == 405


def test_an_escalated_manager_sees_the_notice_but_not_the_note_and_cannot_acknowledge(
    client, login, users, service_notice
):
    escalate_overdue(now=service_notice.ack_due_at + dt.timedelta(hours=48))
    login(users["manager"])  # the provider's programme manager, level 2
    assert service_notice in _page(client)
    content = _content(client.get(detail_url(service_notice)))
    assert "Waiting for Sezim Crisis Centre to acknowledge it." in content
    assert "Escalated, level 2" in content
    assert "Messages sent" not in content
    assert client.post(ack_url(service_notice), {"actions": ["survivor_called"]}).status_code == 403
    notice_acknowledge(
        notice=service_notice, by=users["survivor_worker"], actions=["other"], note="She is at her sister's in Osh."
    )
    content = _content(client.get(detail_url(service_notice)))
    assert "Acknowledged by survivor_worker" in content
    assert "sister" not in content


# --- report new violence ----------------------------------------------------------


@pytest.mark.parametrize("role", ["psychologist", "survivor_worker"])
def test_case_staff_report_new_violence(client, login, users, case_with_service, role):
    login(users[role])
    assert "Report new violence" in _content(client.get(violence_url(case_with_service)))
    case_page = _content(client.get(reverse("casework:case_detail", args=[case_with_service.pk])))
    assert f'href="{violence_url(case_with_service)}"' in case_page
    response = client.post(
        violence_url(case_with_service),
        {
            "reported_on": timezone.localdate().isoformat(),
            "summary": "Hit her again.",
            "submission_key": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("casework:case_detail", args=[case_with_service.pk])
    report = ViolenceReport.objects.get()
    assert (report.case, report.reported_by, report.summary) == (case_with_service, users[role], "Hit her again.")
    assert case_events().get().kind == "new_violence"


def test_the_police_status_page_links_to_the_report(client, login, users, case_with_service):
    login(users["police2"])
    page = _content(client.get(reverse("referrals:police_detail", args=[case_with_service.referral_id])))
    assert f'href="{violence_url(case_with_service)}"' in page
    assert "The survivor service and the programme staff on the case are notified at once." in page


def test_before_a_case_is_opened_the_police_page_says_how_to_report(client, login, users, referral):
    login(users["police"])
    page = _content(client.get(reverse("referrals:police_detail", args=[referral.pk])))
    assert "/violence/" not in page
    assert "New violence can be reported here once the provider has opened a case." in page


def test_police_report_new_violence_from_their_referral(client, login, users, case_with_service):
    login(users["police2"])
    response = client.post(
        violence_url(case_with_service),
        {
            "reported_on": timezone.localdate().isoformat(),
            "summary": "Called by neighbours.",
            "submission_key": str(uuid.uuid4()),
        },
    )
    assert response["Location"] == reverse("referrals:police_detail", args=[case_with_service.referral_id])
    assert ViolenceReport.objects.get().organisation.name == "Bishkek City Police, Pervomaisky district"
    page = _content(client.get(response["Location"]))
    assert "New violence reported. The survivor service, the referring body and the programme staff were told." in page


def test_a_bad_report_shows_field_errors_and_saves_nothing(client, login, users, case_with_service):
    login(users["survivor_worker"])
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(
        violence_url(case_with_service),
        {"reported_on": tomorrow, "summary": "Typed this.", "submission_key": str(uuid.uuid4())},
    )
    content = _content(response)
    assert "This date is in the future." in content
    assert "Typed this." in content
    content = _content(
        client.post(
            violence_url(case_with_service), {"reported_on": "", "summary": "", "submission_key": str(uuid.uuid4())}
        )
    )
    assert content.count("This field is required.") == 2
    assert not ViolenceReport.objects.exists()
    assert not case_events().exists()


@pytest.mark.parametrize(("role", "status"), [("manager", 403), ("monitoring", 403), ("other_psychologist", 404)])
def test_others_cannot_report(client, login, users, case_with_service, role, status):
    login(users[role])
    assert client.get(violence_url(case_with_service)).status_code == status
    assert (
        client.post(violence_url(case_with_service), {"reported_on": "2026-01-01", "summary": "x"}).status_code
        == status
    )
    assert not ViolenceReport.objects.exists()


def test_a_survivor_service_not_on_the_case_gets_404(client, login, users, case):
    login(users["survivor_worker"])
    assert client.get(violence_url(case)).status_code == 404
