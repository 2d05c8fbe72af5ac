"""Who hears of what: each event kind and its recipient organisations, and
who in them is told by email and SMS."""

from __future__ import annotations

import pytest

from accounts.models import Role
from casework.services import survivor_service_refer
from notifications.models import AlertChannel, SafetyEvent
from tests import factories as f
from tests.notices import case_deliveries
from tests.notifications.conftest import confirm, notice_of, recipients, record

E = SafetyEvent.Kind
SERVICE = "Sezim Crisis Centre"
POLICE = "Bishkek City Police, Pervomaisky district"
PROVIDER = "Bishkek Consultation Room"


def _outgoing(event) -> set[tuple[str, str, str]]:
    """{(organisation, username, channel)} of the email/SMS deliveries."""
    return {
        (d.notice.organisation.name, d.user.username, d.channel)
        for d in case_deliveries()
        .filter(event=event)
        .exclude(channel="inbox")
        .select_related("notice__organisation", "user")
    }


@pytest.fixture
def voluntary_case(users, orgs):
    referral = f.make_referral(
        police=users["police"], provider=orgs["provider"], order=f.order_data(order_obliges_programme=False)
    )
    case = f.open_case(referral, users["psychologist"])
    survivor_service_refer(case=case, organisation=orgs["survivor_service"], by=users["social_worker"])
    return case


def test_a_mandatory_dropout_reaches_the_survivor_service_the_police_and_the_provider(case_with_service, contacts):
    event = record(E.DROPOUT, case_with_service)
    assert recipients(event) == {
        SERVICE: ("survivor_service", False),
        POLICE: ("police", False),
        PROVIDER: ("provider", False),
    }
    # Each organisation's inbox, and email + SMS for the people who handle it.
    assert case_deliveries().filter(event=event, channel="inbox", user=None, status="sent").count() == 3
    assert _outgoing(event) == {
        (SERVICE, "survivor_worker", "email"),
        (SERVICE, "survivor_worker", "sms"),
        (POLICE, "police", "email"),
        (POLICE, "police", "sms"),
        (POLICE, "police2", "email"),
        (POLICE, "police2", "sms"),
        (PROVIDER, "manager", "email"),
        (PROVIDER, "manager", "sms"),
    }
    # Psychologists, social workers and administrators are not paged.
    assert not case_deliveries().filter(event=event, user__username__in=["psychologist", "provider_admin"]).exists()


def test_a_voluntary_dropout_does_not_go_to_the_police(voluntary_case, contacts):
    event = record(E.DROPOUT, voluntary_case)
    assert recipients(event) == {SERVICE: ("survivor_service", False), PROVIDER: ("provider", False)}


def test_a_voluntary_referral_made_mandatory_by_an_extension_reaches_the_police(voluntary_case, users, contacts):
    import datetime as dt

    from referrals.services import referral_extend_order

    referral = voluntary_case.referral
    referral_extend_order(
        referral=referral,
        by=users["police"],
        extended_on=dt.date.today(),
        new_expiry=referral.order_expires_on + dt.timedelta(days=10),
        obliges_programme=True,
    )
    event = record(E.DROPOUT, voluntary_case)
    assert POLICE in recipients(event)


@pytest.mark.parametrize("kind", [E.EXPULSION, E.RISK_RAISED, E.COMPLETION])
def test_these_events_reach_the_survivor_service_and_the_police(case_with_service, contacts, kind):
    event = record(kind, case_with_service)
    assert recipients(event) == {SERVICE: ("survivor_service", False), POLICE: ("police", False)}


def test_new_violence_reaches_the_programme_staff_too(case_with_service, contacts):
    """They must reassess the risk and may have to end the programme."""
    event = record(E.NEW_VIOLENCE, case_with_service)
    assert recipients(event) == {
        SERVICE: ("survivor_service", False),
        POLICE: ("police", False),
        PROVIDER: ("provider", False),
    }
    assert (PROVIDER, "manager", "email") in _outgoing(event)


@pytest.mark.parametrize("kind", [E.EXPULSION, E.NEW_VIOLENCE, E.RISK_RAISED, E.COMPLETION])
def test_they_reach_the_police_for_a_voluntary_referral_too(voluntary_case, contacts, kind):
    assert POLICE in recipients(record(kind, voluntary_case))


def test_non_compliance_reaches_only_the_police(case_with_service, contacts):
    event = record(E.NON_COMPLIANCE, case_with_service, facts={"missed_on": "2026-03-02", "session_number": 3})
    assert recipients(event) == {POLICE: ("police", False)}
    assert {user for _org, user, _ch in _outgoing(event)} == {"police", "police2"}


def test_an_expiring_order_reaches_the_police_and_the_provider(case_with_service, contacts):
    event = record(E.ORDER_EXPIRING, case_with_service)
    assert recipients(event) == {POLICE: ("police", False), PROVIDER: ("provider", False)}


@pytest.mark.parametrize("kind", [E.EXPULSION, E.NEW_VIOLENCE, E.RISK_RAISED, E.COMPLETION])
def test_without_a_survivor_service_the_programme_managers_get_the_survivor_side_notice(case, contacts, kind):
    event = record(kind, case)
    assert recipients(event) == {POLICE: ("police", False), PROVIDER: ("provider", True)}
    assert (PROVIDER, "manager", "email") in _outgoing(event)


def test_a_dropout_without_a_survivor_service_flags_the_providers_notice(case, contacts):
    event = record(E.DROPOUT, case)
    assert recipients(event) == {POLICE: ("police", False), PROVIDER: ("provider", True)}


def test_an_inactive_survivor_service_counts_as_none(case_with_service, orgs, contacts):
    orgs["survivor_service"].is_active = False
    orgs["survivor_service"].save()
    event = record(E.EXPULSION, case_with_service)
    assert recipients(event) == {POLICE: ("police", False), PROVIDER: ("provider", True)}


def test_every_survivor_service_on_the_case_is_told(case_with_service, users, orgs, contacts):
    second = f.make_org("survivor_service", name="Second Crisis Centre")
    survivor_service_refer(case=case_with_service, organisation=second, by=users["social_worker"])
    event = record(E.RISK_RAISED, case_with_service)
    assert recipients(event)[SERVICE] == ("survivor_service", False)
    assert recipients(event)["Second Crisis Centre"] == ("survivor_service", False)


def test_a_survivor_services_manager_is_told_too(case_with_service, orgs, contacts):
    manager = f.make_user(orgs["survivor_service"], Role.PROGRAMME_MANAGER, "crisis_manager")
    manager.email = "crisis_manager@example.org"
    manager.save()
    confirm({"crisis_manager": manager})
    event = record(E.DROPOUT, case_with_service)
    assert (SERVICE, "crisis_manager", "email") in _outgoing(event)


def test_staff_without_email_or_phone_still_have_the_inbox(case_with_service, users):
    event = record(E.EXPULSION, case_with_service)
    assert not case_deliveries().filter(event=event).exclude(channel="inbox").exists()
    notice = notice_of(event, case_with_service.survivor_services.get().organisation)
    assert notice.deliveries.filter(escalation_level=0).get().channel == "inbox"
    # Nobody there can be alerted off-line: the next level hears of it at once.
    assert (notice.escalation_level, notice.escalated_because) == (1, "unreachable")


def test_inactive_users_and_switched_off_channels_get_nothing(case_with_service, users, contacts):
    users["police2"].is_active = False
    users["police2"].save()
    AlertChannel.objects.filter(user=users["police"], kind="sms").update(confirmed_at=None)
    event = record(E.EXPULSION, case_with_service)
    assert {(u, ch) for org, u, ch in _outgoing(event) if org == POLICE} == {("police", "email")}


def test_the_deliveries_carry_the_staff_address_and_language(case_with_service, users, contacts):
    users["survivor_worker"].preferred_language = "ru"
    users["survivor_worker"].save()
    event = record(E.DROPOUT, case_with_service)
    sms = case_deliveries().get(event=event, user=users["survivor_worker"], channel="sms")
    email = case_deliveries().get(event=event, user=users["survivor_worker"], channel="email")
    assert (sms.address, sms.language, sms.status, sms.attempts) == ("+996555000001", "ru", "pending", 0)
    assert (email.address, email.status) == ("survivor_worker@example.org", "pending")
