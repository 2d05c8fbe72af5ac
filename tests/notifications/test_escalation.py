"""Acknowledgement (who, when, what was done) and escalation of notices not
acknowledged in time, on a controllable clock: level 1 (the recipient
organisation's managers) at the urgency's deadline, level 2 (the case
provider's programme managers) at twice that. A dropout asks for action
(NOTIFY_ACK_HOURS_ACTION); urgent notices are in test_urgency_escalation.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from accounts.models import Role
from notifications.models import AlertChannel, Notice, SafetyEvent
from notifications.services import escalate_overdue, notice_acknowledge
from tests import factories as f
from tests.notices import case_deliveries, case_notices
from tests.notifications.conftest import notice_of, record

E = SafetyEvent.Kind
T0 = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def _ack_hours(settings):
    settings.NOTIFY_ACK_HOURS_ACTION = 24
    settings.NOTIFY_ACK_HOURS_URGENT = 2


@pytest.fixture
def crisis_manager(orgs):
    user = f.make_user(orgs["survivor_service"], Role.PROGRAMME_MANAGER, "crisis_manager")
    user.email = "crisis_manager@example.org"
    user.save()
    AlertChannel.objects.create(user=user, kind="email", address=user.email, confirmed_at=timezone.now())
    return user


@pytest.fixture
def notice(case_with_service, orgs, contacts, crisis_manager):
    event = record(E.DROPOUT, case_with_service, now=T0)
    return notice_of(event, orgs["survivor_service"])


def _personal(notice, level):
    return sorted(
        (d.user.username, d.channel)
        for d in case_deliveries().filter(notice=notice, escalation_level=level).select_related("user")
    )


def test_the_notice_is_due_after_the_configured_hours(notice):
    assert notice.ack_due_at == T0 + 24 * HOUR
    assert not notice.is_overdue(T0 + 24 * HOUR - dt.timedelta(seconds=1))
    assert notice.is_overdue(T0 + 24 * HOUR)


def test_nothing_escalates_before_it_is_due(notice):
    assert escalate_overdue(now=T0 + 24 * HOUR - dt.timedelta(seconds=1)) == 0
    notice.refresh_from_db()
    assert notice.escalation_level == 0


def test_level_1_goes_to_the_organisations_managers(notice, users):
    assert escalate_overdue(now=T0 + 24 * HOUR) == 3  # the three notices of the dropout
    notice.refresh_from_db()
    assert (notice.escalation_level, notice.escalated_at) == (1, T0 + 24 * HOUR)
    assert _personal(notice, 1) == [("crisis_manager", "email"), ("crisis_manager", "inbox")]
    # Running again changes nothing.
    assert escalate_overdue(now=T0 + 30 * HOUR) == 0
    assert _personal(notice, 1) == [("crisis_manager", "email"), ("crisis_manager", "inbox")]


def test_level_2_goes_to_the_providers_programme_managers_after_twice_the_hours(notice, users):
    escalate_overdue(now=T0 + 24 * HOUR)
    assert escalate_overdue(now=T0 + 48 * HOUR - dt.timedelta(seconds=1)) == 0
    escalate_overdue(now=T0 + 48 * HOUR)
    notice.refresh_from_db()
    assert notice.escalation_level == 2
    assert _personal(notice, 2) == [("manager", "email"), ("manager", "inbox"), ("manager", "sms")]
    assert escalate_overdue(now=T0 + 100 * HOUR) == 0  # there is no level 3


def test_the_hours_come_from_the_setting(settings, case_with_service, orgs, contacts, crisis_manager):
    """With NOTIFY_ACK_HOURS_ACTION = 4: level 1 at exactly 4 hours (not a
    second before), level 2 at 8."""
    settings.NOTIFY_ACK_HOURS_ACTION = 4
    notice = notice_of(record(E.DROPOUT, case_with_service, now=T0), orgs["survivor_service"])
    assert notice.ack_due_at == T0 + 4 * HOUR
    second = dt.timedelta(seconds=1)

    assert escalate_overdue(now=T0 + 4 * HOUR - second) == 0
    assert escalate_overdue(now=T0 + 4 * HOUR) == 3
    notice.refresh_from_db()
    assert (notice.escalation_level, notice.escalated_at) == (1, T0 + 4 * HOUR)
    assert _personal(notice, 1) == [("crisis_manager", "email"), ("crisis_manager", "inbox")]

    assert escalate_overdue(now=T0 + 8 * HOUR - second) == 0
    assert escalate_overdue(now=T0 + 8 * HOUR) == 3
    notice.refresh_from_db()
    assert (notice.escalation_level, notice.escalated_at) == (2, T0 + 8 * HOUR)
    assert _personal(notice, 2) == [("manager", "email"), ("manager", "inbox"), ("manager", "sms")]


def test_a_relay_down_for_days_escalates_through_both_levels(notice):
    escalate_overdue(now=T0 + 72 * HOUR)
    notice.refresh_from_db()
    assert notice.escalation_level == 2
    assert _personal(notice, 1) and _personal(notice, 2)


def test_without_managers_level_1_goes_to_the_provider(case_with_service, orgs, contacts):
    notice = notice_of(record(E.EXPULSION, case_with_service, now=T0), orgs["survivor_service"])
    escalate_overdue(now=T0 + 24 * HOUR)
    assert _personal(notice, 1) == [("manager", "email"), ("manager", "inbox"), ("manager", "sms")]


def test_every_notice_escalated_to_the_same_manager_reaches_them(case_with_service, orgs, users, contacts):
    """Neither the crisis centre nor the police unit has a manager of its own:
    both notices fall back to the provider's programme manager at level 1.
    Each shows in the manager's inbox; the email and SMS about the case go
    once per level, not once per notice."""
    from accounts.scope import Scope
    from notifications.selectors import notices_visible_to

    event = record(E.EXPULSION, case_with_service, now=T0)
    notices = list(case_notices().filter(event=event).exclude(organisation=orgs["provider"]))
    assert {n.organisation for n in notices} == {orgs["survivor_service"], orgs["police"]}
    escalate_overdue(now=T0 + 24 * HOUR)
    manager = users["manager"]
    for n in notices:
        assert case_deliveries().filter(notice=n, user=manager, channel="inbox", escalation_level=1).count() == 1
    visible = set(notices_visible_to(Scope.for_user(manager)).filter(event=event))
    assert set(notices) <= visible
    messages = case_deliveries().filter(event=event, user=manager, escalation_level=1).exclude(channel="inbox")
    assert sorted(messages.values_list("channel", flat=True)) == ["email", "sms"]


def test_an_acknowledged_notice_does_not_escalate(notice, users):
    notice_acknowledge(notice=notice, by=users["survivor_worker"], actions=["survivor_called"], now=T0 + HOUR)
    escalate_overdue(now=T0 + 72 * HOUR)
    notice.refresh_from_db()
    assert notice.escalation_level == 0
    assert not notice.is_overdue(T0 + 72 * HOUR)


# --- acknowledgement ---------------------------------------------------------------


def test_a_survivor_worker_acknowledges_with_what_was_done(notice, users):
    acked = notice_acknowledge(
        notice=notice,
        by=users["survivor_worker"],
        actions=["safety_plan_reviewed"],
        note="Called her; plan reviewed.",
        now=T0 + 2 * HOUR,
    )
    acked.refresh_from_db()
    assert (acked.status, acked.acknowledged_by, acked.acknowledged_at, acked.actions, acked.ack_note) == (
        "acknowledged",
        users["survivor_worker"],
        T0 + 2 * HOUR,
        ["safety_plan_reviewed"],
        "Called her; plan reviewed.",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT ack_note FROM notifications_notice WHERE id = %s", [acked.pk])
        assert "plan reviewed" not in cursor.fetchone()[0]


@pytest.mark.parametrize("code", ["no_contact_possible", "other"])
def test_no_contact_possible_and_other_need_a_note(notice, users, code):
    with pytest.raises(ValidationError) as exc:
        notice_acknowledge(notice=notice, by=users["survivor_worker"], actions=["survivor_called", code], note="  ")
    assert exc.value.message_dict == {"note": ["Say why there was no contact, or what was done."]}
    notice.refresh_from_db()
    assert notice.status == "open"


def test_no_action_at_all_is_refused(notice, users):
    with pytest.raises(ValidationError) as exc:
        notice_acknowledge(notice=notice, by=users["survivor_worker"], actions=[], note="Seen.")
    assert exc.value.message_dict == {"actions": ["Choose what was done."]}


def test_an_unknown_action_is_refused(notice, users):
    with pytest.raises(ValidationError) as exc:
        notice_acknowledge(notice=notice, by=users["survivor_worker"], actions=["survivor_called", "shrugged"])
    assert exc.value.message_dict == {"actions": ["Unknown action: shrugged."]}
    notice.refresh_from_db()
    assert (notice.status, notice.actions) == ("open", [])


def test_a_police_action_does_not_fit_a_survivor_service_notice(notice, users):
    with pytest.raises(ValidationError) as exc:
        notice_acknowledge(notice=notice, by=users["survivor_worker"], actions=["person_visited", "order_checked"])
    assert exc.value.message_dict == {
        "actions": ["Not an action for this notice: Visited the person, Checked the protection order."]
    }


def test_several_actions_are_stored_as_codes_in_the_offered_order(notice, users):
    notice_acknowledge(
        notice=notice,
        by=users["survivor_worker"],
        actions=["programme_informed", "survivor_called", "police_informed", "survivor_called"],
    )
    notice.refresh_from_db()
    assert notice.actions == ["survivor_called", "police_informed", "programme_informed"]
    assert notice.action_labels() == ["Called her", "Informed the police", "Informed the programme staff"]


def test_each_recipient_is_offered_its_own_actions(case_with_service):
    event = record(E.DROPOUT, case_with_service, facts={"mandatory": True})
    offered = {n.role_hint: [code for code, _label in n.action_choices()] for n in event.notices.all()}
    assert offered["survivor_service"] == [
        "survivor_called",
        "safety_plan_reviewed",
        "police_informed",
        "programme_informed",
        "no_contact_possible",
        "other",
    ]
    assert offered["police"] == [
        "person_visited",
        "person_contacted",
        "order_checked",
        "survivor_service_informed",
        "programme_informed",
        "no_contact_possible",
        "other",
    ]
    assert offered["provider"][:2] == ["participant_contacted", "risk_reassessed"]


def test_without_a_survivor_service_the_provider_may_record_calling_her(case, orgs):
    """The provider received the survivor-side notice: it must see to it
    that she is told."""
    alone = notice_of(record(E.EXPULSION, case), orgs["provider"])
    assert alone.no_survivor_service
    assert [code for code, _label in alone.action_choices()][:2] == ["survivor_called", "safety_plan_reviewed"]


def test_a_single_action_of_earlier_callers_still_works(notice, users):
    notice_acknowledge(notice=notice, by=users["survivor_worker"], action="survivor_informed")
    notice.refresh_from_db()
    assert notice.actions == ["survivor_called"]


def test_a_notice_is_acknowledged_once(notice, users, crisis_manager):
    notice_acknowledge(notice=notice, by=users["survivor_worker"], actions=["survivor_called"])
    with pytest.raises(ValidationError) as exc:
        notice_acknowledge(notice=notice, by=crisis_manager, actions=["other"], note="again")
    assert exc.value.message_dict == {"__all__": ["This notice has already been acknowledged."]}
    notice.refresh_from_db()
    assert notice.acknowledged_by == users["survivor_worker"]


@pytest.mark.parametrize("role", ["police", "psychologist", "manager", "other_survivor_worker", "monitoring"])
def test_only_the_recipient_organisation_acknowledges(notice, users, role):
    with pytest.raises(PermissionDenied):
        notice_acknowledge(notice=notice, by=users[role], actions=["survivor_called"])
    notice.refresh_from_db()
    assert notice.status == Notice.Status.OPEN


def test_police_acknowledge_their_own_notice(case_with_service, orgs, users):
    notice = notice_of(record(E.NON_COMPLIANCE, case_with_service), orgs["police"])
    notice_acknowledge(
        notice=notice, by=users["police2"], actions=["person_visited", "order_checked"], note="Officer visited him."
    )
    notice.refresh_from_db()
    assert (notice.status, notice.acknowledged_by, notice.actions) == (
        "acknowledged",
        users["police2"],
        ["person_visited", "order_checked"],
    )
