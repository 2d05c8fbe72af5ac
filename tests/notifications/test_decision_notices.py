"""The referring body hears of the provider's decision on its referral: one
information notice per acceptance or decline, written in the decision's
transaction, in its own inbox only, with the decline reason as a code (never
the explanation, the person or the survivors), sent through the same
deliveries as every notice. A self-referral tells nobody."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from notifications.models import Delivery, Notice, SafetyEvent
from notifications.relay import relay_deliveries
from notifications.services import referral_decided_notify
from notifications.texts import outgoing_message
from referrals import services as referral_services
from referrals.models import Referral
from tests import factories as f
from tests.notifications.conftest import SURVIVOR_SECRETS

pytestmark = pytest.mark.django_db

E = SafetyEvent.Kind
INBOX = reverse("notifications:inbox")
EXPLANATION = "Асанов told us his wife Айгуль moved to her mother's"


def _decline(referral, by, reason="no_capacity", explanation=EXPLANATION):
    f.screen_all_met(referral, by)
    return referral_services.referral_decline(referral=referral, by=by, reason=reason, explanation=explanation)


def _court_referral(users, orgs):
    order = {
        **f.order_data(),
        "court_decision_number": "5-4/2026",
        "court_decision_date": f.order_data()["order_issued_on"],
    }
    return f.make_referral(police=users["court_clerk"], provider=orgs["provider"], order=order)


def test_an_acceptance_is_one_information_notice_to_the_referring_police_unit(users, orgs, contacts):
    referral = f.accept(f.make_referral(police=users["police"], provider=orgs["provider"]), users["psychologist"])

    event = SafetyEvent.objects.get()
    assert (event.kind, event.case, event.referral, event.facts, event.created_by) == (
        E.REFERRAL_ACCEPTED,
        None,
        referral,
        {},
        users["psychologist"],
    )
    notice = Notice.objects.get()
    assert (notice.organisation, notice.role_hint, notice.urgency, notice.ack_due_at) == (
        orgs["police"],
        Notice.Recipient.POLICE,
        "information",
        None,
    )
    told = set(Delivery.objects.filter(notice=notice).values_list("channel", "user__username"))
    assert ("inbox", None) in told
    assert {("email", "police"), ("email", "police2"), ("sms", "police")} <= told
    assert not {username for _channel, username in told if username} - {"police", "police2"}


def test_a_decline_carries_its_reason_as_a_code_and_nothing_personal(users, orgs):
    referral = _decline(f.make_referral(police=users["police"], provider=orgs["provider"]), users["psychologist"])

    event = SafetyEvent.objects.get()
    assert (event.kind, event.referral, event.facts) == (
        E.REFERRAL_DECLINED,
        referral,
        {"decline_reason": "no_capacity"},
    )
    assert Notice.objects.get().organisation == orgs["police"]


def test_a_court_reads_the_decline_in_its_own_inbox_and_nobody_else_does(client, login, users, orgs):
    referral = _decline(_court_referral(users, orgs), users["psychologist"])
    notice = Notice.objects.get()
    assert notice.organisation == orgs["court"]
    detail = reverse("notifications:notice_detail", args=[notice.pk])

    login(users["court_clerk"])
    inbox = client.get(INBOX)
    assert list(inbox.context["page"].object_list) == [notice]
    assert f"Referral declined by the provider · referral {referral.reference}" in inbox.content.decode()
    page = client.get(detail).content.decode()
    assert "Reason for declining" in page and "No capacity" in page
    assert "Consider referring the person elsewhere." in page
    assert f'href="{reverse("referrals:police_detail", args=[referral.pk])}">{referral.reference}</a>' in page
    for secret in (EXPLANATION, referral.person.family_name, *SURVIVOR_SECRETS):
        assert secret not in page

    for other in ("police", "child_protection", "psychologist", "survivor_worker"):
        login(users[other])
        assert client.get(detail).status_code == 404
        assert notice not in client.get(INBOX).context["page"].object_list


def test_the_court_clerk_acknowledges_it_with_the_actions_of_a_decision(client, login, users, orgs):
    _decline(_court_referral(users, orgs), users["psychologist"])
    notice = Notice.objects.get()
    url = reverse("notifications:acknowledge", args=[notice.pk])
    login(users["court_clerk"])

    refused = client.post(url, {"actions": ["person_visited"]})
    assert refused.context["form"].errors["actions"] == ["Not an action for this notice: Visited the person."]
    assert client.post(url, {"actions": ["referred_elsewhere"]}).status_code == 302
    notice.refresh_from_db()
    assert (notice.status, notice.actions) == (Notice.Status.ACKNOWLEDGED, ["referred_elsewhere"])


def test_one_notice_per_decision(users, orgs):
    referral = f.accept(f.make_referral(police=users["police"], provider=orgs["provider"]), users["psychologist"])
    with transaction.atomic():
        assert referral_decided_notify(referral=referral) is None
    assert SafetyEvent.objects.get().dedupe_key == f"referral_accepted:referral:{referral.pk}"
    assert Notice.objects.count() == 1


def test_nothing_is_told_when_the_decision_rolls_back(users, orgs):
    referral = f.make_referral(police=users["police"], provider=orgs["provider"])
    f.screen_all_met(referral, users["psychologist"])
    with pytest.raises(RuntimeError), transaction.atomic():
        referral_services.referral_decline(referral=referral, by=users["psychologist"], reason="out_of_area")
        assert Notice.objects.count() == 1
        raise RuntimeError("the request failed after the decision")

    referral.refresh_from_db()
    assert referral.status == Referral.Status.SCREENING
    assert not SafetyEvent.objects.exists() and not Notice.objects.exists() and not Delivery.objects.exists()


def test_a_self_referral_tells_nobody(users, orgs):
    referral, _created = referral_services.referral_create(
        by=users["psychologist"],
        provider=None,
        source="self",
        person=f.person_data(),
        survivors=[f.survivor_data()],
        order={},
        incident_description="Came on his own.",
    )
    f.accept(referral, users["manager"])
    assert not SafetyEvent.objects.exists() and not Notice.objects.exists()


def test_the_email_and_sms_name_the_referral_and_nothing_else(users, orgs, contacts, sms_sink, mailoutbox):
    referral = _decline(f.make_referral(police=users["police"], provider=orgs["provider"]), users["psychologist"])
    relay_deliveries()

    expected = f"A notice about referral {referral.reference} is waiting. Please sign in."
    assert {m.subject for m in mailoutbox} == {f"Notice about referral {referral.reference}"}
    assert {m.body for m in mailoutbox} == {expected}
    assert {line["text"] for line in sms_sink()} == {expected}
    with translation.override("ru"):
        subject, _body = outgoing_message(case_id=None, referral_id=referral.pk, language="ru")
    assert subject == f"Уведомление по направлению {referral.reference}"
