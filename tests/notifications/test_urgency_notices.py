"""Urgency on notices: stored when the event is recorded, deadlines and
escalation per urgency on a controlled clock (urgent: level 1 at 2 h and
level 2 at 4 h, by every channel; action: 24 h and 48 h; information:
never), the inbox order and the banner of urgent notices."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from notifications.models import AlertChannel, SafetyEvent
from notifications.services import escalate_overdue, notice_acknowledge
from tests import factories as f
from tests.notices import case_deliveries, case_notices
from tests.notifications.conftest import notice_of, record

E = SafetyEvent.Kind
T0 = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
SECOND = dt.timedelta(seconds=1)
INBOX = reverse("notifications:inbox")
BADGE = reverse("notifications:badge")


@pytest.fixture(autouse=True)
def _deadlines(settings):
    settings.NOTIFY_ACK_HOURS_URGENT = 2
    settings.NOTIFY_ACK_HOURS_ACTION = 24


def _levels(notice) -> list[tuple[int, str, str]]:
    return sorted(
        (d.escalation_level, d.user.username, d.channel)
        for d in case_deliveries().filter(notice=notice, escalation_level__gt=0).select_related("user")
    )


# --- stored urgency and deadlines --------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "facts", "urgency", "hours"),
    [
        (E.NEW_VIOLENCE, {}, "urgent", 2),
        (E.RISK_RAISED, {"from_level": "medium", "to_level": "high"}, "urgent", 2),
        (E.RISK_RAISED, {"from_level": "low", "to_level": "medium"}, "action", 24),
        (E.EXPULSION, {"for_violence": True}, "urgent", 2),
        (E.EXPULSION, {}, "action", 24),
        (E.DROPOUT, {}, "action", 24),
        (E.COMPLETION, {}, "information", None),
    ],
)
def test_each_notice_stores_its_events_urgency_and_deadline(case_with_service, kind, facts, urgency, hours):
    event = record(kind, case_with_service, facts=facts, now=T0)
    notices = list(event.notices.all())
    assert notices
    for notice in notices:
        assert notice.urgency == urgency
        assert notice.ack_due_at == (None if hours is None else T0 + hours * HOUR)


def test_the_action_deadline_follows_its_setting(settings, case_with_service):
    settings.NOTIFY_ACK_HOURS_ACTION = 30
    notice = record(E.DROPOUT, case_with_service, now=T0).notices.first()
    assert notice.ack_due_at == T0 + 30 * HOUR


# --- escalation on the urgency's deadline ----------------------------------------


@pytest.fixture
def crisis_manager(orgs):
    user = f.make_user(orgs["survivor_service"], Role.PROGRAMME_MANAGER, "crisis_manager")
    user.email = "crisis_manager@example.org"
    user.save()
    return user


def test_an_urgent_notice_escalates_at_2_hours_not_at_1h59(case_with_service, orgs, contacts, crisis_manager):
    notice = notice_of(record(E.NEW_VIOLENCE, case_with_service, now=T0), orgs["survivor_service"])
    assert escalate_overdue(now=T0 + 2 * HOUR - 60 * SECOND) == 0
    notice.refresh_from_db()
    assert notice.escalation_level == 0
    assert escalate_overdue(now=T0 + 2 * HOUR) >= 1
    notice.refresh_from_db()
    assert (notice.escalation_level, notice.escalated_at) == (1, T0 + 2 * HOUR)
    assert escalate_overdue(now=T0 + 4 * HOUR - SECOND) == 0
    escalate_overdue(now=T0 + 4 * HOUR)
    notice.refresh_from_db()
    assert (notice.escalation_level, notice.escalated_at) == (2, T0 + 4 * HOUR)


def test_an_action_notice_waits_24_hours(case_with_service, orgs, contacts, crisis_manager):
    notice = notice_of(record(E.DROPOUT, case_with_service, now=T0), orgs["survivor_service"])
    escalate_overdue(now=T0 + 4 * HOUR)
    escalate_overdue(now=T0 + 24 * HOUR - SECOND)
    notice.refresh_from_db()
    assert notice.escalation_level == 0
    escalate_overdue(now=T0 + 24 * HOUR)
    notice.refresh_from_db()
    assert notice.escalation_level == 1
    escalate_overdue(now=T0 + 48 * HOUR - SECOND)
    notice.refresh_from_db()
    assert notice.escalation_level == 1
    escalate_overdue(now=T0 + 48 * HOUR)
    notice.refresh_from_db()
    assert notice.escalation_level == 2


def test_an_information_notice_never_escalates(case_with_service, orgs, contacts, crisis_manager):
    notice = notice_of(record(E.COMPLETION, case_with_service, now=T0), orgs["survivor_service"])
    assert escalate_overdue(now=T0 + 1000 * HOUR) == 0
    notice.refresh_from_db()
    assert (notice.escalation_level, notice.ack_due_at) == (0, None)
    assert not notice.is_overdue(T0 + 1000 * HOUR)
    assert _levels(notice) == []


def _channels_for_information_only(user, *, phone: str) -> None:
    now = timezone.now()
    for kind, address in (("email", user.email or f"{user.username}@example.org"), ("sms", phone)):
        AlertChannel.objects.update_or_create(
            user=user, kind=kind, defaults={"address": address, "urgencies": ["information"], "confirmed_at": now}
        )


def test_an_urgent_escalation_goes_by_every_channel_even_those_turned_off(
    case_with_service, orgs, users, contacts, crisis_manager
):
    """The crisis manager's confirmed email and SMS take information notices
    only; so do the provider's manager's. An urgent escalation reaches both by
    inbox, email and SMS at once."""
    _channels_for_information_only(crisis_manager, phone="+996555000009")
    AlertChannel.objects.filter(user=users["manager"]).update(urgencies=["information"])
    notice = notice_of(record(E.NEW_VIOLENCE, case_with_service, now=T0), orgs["survivor_service"])
    escalate_overdue(now=T0 + 2 * HOUR)
    assert _levels(notice) == [
        (1, "crisis_manager", "email"),
        (1, "crisis_manager", "inbox"),
        (1, "crisis_manager", "sms"),
    ]
    escalate_overdue(now=T0 + 4 * HOUR)
    assert [row for row in _levels(notice) if row[0] == 2] == [
        (2, "manager", "email"),
        (2, "manager", "inbox"),
        (2, "manager", "sms"),
    ]


def test_an_action_escalation_keeps_the_persons_choices(case_with_service, orgs, users, contacts, crisis_manager):
    _channels_for_information_only(crisis_manager, phone="+996555000009")
    notice = notice_of(record(E.DROPOUT, case_with_service, now=T0), orgs["survivor_service"])
    escalate_overdue(now=T0 + 24 * HOUR)
    assert _levels(notice) == [(1, "crisis_manager", "inbox")]


# --- the inbox order --------------------------------------------------------------


def test_the_inbox_puts_urgent_first_then_newest_and_open_before_acknowledged(
    client, login, users, case_with_service, orgs
):
    service = orgs["survivor_service"]
    old_urgent = notice_of(record(E.NEW_VIOLENCE, case_with_service, key="v1", now=T0), service)
    info = notice_of(record(E.COMPLETION, case_with_service, key="c", now=T0 + 3 * HOUR), service)
    action = notice_of(record(E.DROPOUT, case_with_service, key="d", now=T0 + 2 * HOUR), service)
    new_urgent = notice_of(record(E.NEW_VIOLENCE, case_with_service, key="v2", now=T0 + HOUR), service)
    done = notice_of(record(E.NEW_VIOLENCE, case_with_service, key="v3", now=T0 + 4 * HOUR), service)
    notice_acknowledge(notice=done, by=users["survivor_worker"], actions=["survivor_called"])
    login(users["survivor_worker"])
    assert list(client.get(INBOX).context["page"].object_list) == [new_urgent, old_urgent, action, info]
    everything = list(client.get(INBOX, {"state": "all"}).context["page"].object_list)
    assert everything == [new_urgent, old_urgent, action, info, done]
    content = client.get(INBOX).content.decode()
    assert content.count("nf-notice nf-urgent") == 2
    assert content.count('class="nf-urgent-icon"') >= 2
    assert "Action needed" in content and "Information" in content


# --- the banner -------------------------------------------------------------------


def test_the_banner_shows_on_every_page_until_the_urgent_notice_is_acknowledged(
    client, login, users, case_with_service, orgs
):
    notice = notice_of(record(E.NEW_VIOLENCE, case_with_service), orgs["survivor_service"])
    detail = reverse("notifications:notice_detail", args=[notice.pk])
    login(users["survivor_worker"])
    for url in (INBOX, reverse("casework:survivor_cases"), reverse("notifications:reminders")):
        content = client.get(url).content.decode()
        assert 'class="nf-urgent-banner" role="alert"' in content, url
        assert "1 urgent notice to acknowledge" in content
        assert f'href="{detail}"' in content
    # The badge poll carries the banner, to refresh the page's.
    assert "1 urgent notice to acknowledge" in client.get(BADGE, HTTP_HX_REQUEST="true").content.decode()
    notice_acknowledge(notice=notice, by=users["survivor_worker"], actions=["survivor_called"])
    assert 'nf-urgent-banner"' not in client.get(INBOX).content.decode()
    polled = client.get(BADGE, HTTP_HX_REQUEST="true").content.decode()
    assert "urgent notice" not in polled
    assert 'id="urgent-banner"' in polled  # the empty banner replaces the old one


def test_an_action_notice_brings_no_banner(client, login, users, case_with_service):
    record(E.DROPOUT, case_with_service)
    login(users["survivor_worker"])
    assert 'nf-urgent-banner"' not in client.get(INBOX).content.decode()


@pytest.mark.parametrize("role", ["monitoring", "other_survivor_worker", "other_police", "other_psychologist"])
def test_no_banner_for_users_who_may_not_act_on_it(client, login, users, case_with_service, role):
    record(E.NEW_VIOLENCE, case_with_service)
    login(users[role])
    assert "urgent notice" not in client.get(INBOX).content.decode()


def test_a_police_officer_gets_the_banner_for_the_units_urgent_notice_with_its_r_number(
    client, login, users, case_with_service
):
    record(E.NEW_VIOLENCE, case_with_service)
    login(users["police"])
    content = client.get(INBOX).content.decode()
    assert "1 urgent notice to acknowledge" in content
    assert f"New violence reported · referral {case_with_service.referral.reference}" in content
    assert case_with_service.number not in content


def test_an_escalated_manager_who_may_not_acknowledge_gets_no_banner(client, login, users, case_with_service, orgs):
    """The provider's manager sees the crisis centre's urgent notice once it
    escalates to level 2, but may not acknowledge it: no banner for it."""
    event = record(E.NEW_VIOLENCE, case_with_service, now=T0)
    case_notices().filter(event=event).exclude(organisation=orgs["survivor_service"]).delete()
    escalate_overdue(now=T0 + 5 * HOUR)
    login(users["manager"])
    content = client.get(INBOX).content.decode()
    assert notice_of(event, orgs["survivor_service"]) in client.get(INBOX).context["page"].object_list
    assert "urgent notice" not in content


def test_the_banner_fits_a_phone_by_its_classes(client, login, users, case_with_service):
    """No inline styles (CSP): the banner is styled by app.css, which stacks
    it on narrow screens."""
    record(E.NEW_VIOLENCE, case_with_service)
    login(users["survivor_worker"])
    content = client.get(INBOX).content.decode()
    banner = content[content.index('id="urgent-banner"') : content.index("<main")]
    assert "nf-urgent-banner" in banner and "style=" not in banner
    css = (Path(django_settings.BASE_DIR) / "static" / "css" / "app.css").read_text()
    assert ".nf-urgent-banner" in css and "@media (max-width: 575.98px)" in css


def test_the_banner_counts_them_all_and_lists_the_newest_three(client, login, users, case_with_service):
    for n in range(4):
        record(E.NEW_VIOLENCE, case_with_service, key=f"v{n}")
    login(users["survivor_worker"])
    content = client.get(INBOX).content.decode()
    banner = content[content.index('id="urgent-banner"') : content.index("<main")]
    assert "4 urgent notices to acknowledge" in banner
    assert len(re.findall(r'class="nf-urgent-banner-link" href="/notifications/\d+/"', banner)) == 3
    assert f'href="{INBOX}">All notices</a>' in banner


def test_the_banners_short_query_agrees_with_the_notices_it_stands_for(users, case_with_service, orgs):
    """banner_notices counts and orders with one short statement; the
    notices it returns are urgent_open_for's, newest first, and another
    organisation's or an acknowledged one are not among them."""
    from accounts.scope import Scope
    from notifications.selectors import banner_notices, urgent_open_for

    events = [record(E.NEW_VIOLENCE, case_with_service, key=f"b{n}") for n in range(5)]
    notice_acknowledge(
        notice=notice_of(events[0], orgs["survivor_service"]), by=users["survivor_worker"], actions=["survivor_called"]
    )
    scope = Scope.for_user(users["survivor_worker"])
    expected = list(urgent_open_for(scope))
    assert len(expected) == 4
    assert banner_notices(scope) == (expected[:3], 4)
    assert banner_notices(scope, limit=10) == (expected, 4)
    assert banner_notices(Scope.for_user(users["other_survivor_worker"])) == ([], 0)
    police = Scope.for_user(users["police"])
    assert banner_notices(police) == (list(urgent_open_for(police))[:3], urgent_open_for(police).count())
    assert banner_notices(Scope.for_user(users["monitoring"])) == ([], 0)
