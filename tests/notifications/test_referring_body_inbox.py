"""The inbox and a notice as every referring body reads them, not only the
police: a court clerk or a child-protection specialist knows her notices by
the referral's number, opens her own referral from them, filters them by
R-number and acknowledges them as the police do; the notice says it is for
the "referring body", in Russian too."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from notifications.models import Notice, SafetyEvent
from tests import factories as f
from tests.notifications.conftest import notice_of, record

pytestmark = pytest.mark.django_db

E = SafetyEvent.Kind
INBOX = reverse("notifications:inbox")
TODAY = dt.date.today()


def detail_url(notice) -> str:
    return reverse("notifications:notice_detail", args=[notice.pk])


def _court_case(users, orgs):
    referral = f.make_referral(
        police=users["court_clerk"],
        provider=orgs["provider"],
        order={**f.order_data(), "court_decision_number": "5-9/2026", "court_decision_date": TODAY},
    )
    return f.open_case(referral, users["psychologist"])


def _child_protection_case(users, orgs):
    referral = f.make_referral(police=users["child_protection"], provider=orgs["provider"])
    return f.open_case(referral, users["psychologist"])


@pytest.mark.parametrize(
    ("user", "org", "make_case"),
    [("court_clerk", "court", _court_case), ("child_protection", "child_protection", _child_protection_case)],
)
def test_a_referring_body_reads_its_notices_by_referral_number(client, login, users, orgs, user, org, make_case):
    case = make_case(users, orgs)
    notice = notice_of(record(E.NON_COMPLIANCE, case), orgs[org])
    reference = case.referral.reference
    login(users[user])

    inbox = client.get(INBOX).content.decode()
    detail = client.get(detail_url(notice)).content.decode()

    assert "Referral number" in inbox and 'placeholder="R-00012"' in inbox
    for content in (inbox, detail):
        assert f"Missed a session while the protection order runs · referral {reference}" in content
        assert case.number not in content
    referral_page = reverse("referrals:police_detail", args=[case.referral_id])
    assert f'href="{referral_page}">{reference}</a>' in detail
    assert f"{escape(orgs[org].name)} · Referring body" in detail
    assert "· Police" not in detail


def test_a_court_clerk_filters_her_inbox_by_r_number(client, login, users, orgs):
    case = _court_case(users, orgs)
    notice = notice_of(record(E.NON_COMPLIANCE, case), orgs["court"])
    login(users["court_clerk"])

    accepted = Notice.objects.get(event__kind="referral_accepted", organisation=orgs["court"])
    filtered = client.get(INBOX, {"case": case.referral.reference}).context["page"].object_list
    assert list(filtered) == [notice, accepted]
    assert list(client.get(INBOX, {"case": "R-99999"}).context["page"].object_list) == []
    response = client.get(INBOX, {"case": case.number})
    assert response.context["form"].errors["case"] == ["Enter a referral number such as R-00012."]


def test_a_child_protection_specialist_acknowledges_her_notice_as_the_police_do(client, login, users, orgs):
    case = _child_protection_case(users, orgs)
    notice = notice_of(record(E.COMPLETION, case), orgs["child_protection"])
    login(users["child_protection"])

    page = client.get(detail_url(notice)).content.decode()
    assert 'name="actions" value="person_contacted"' in page
    response = client.post(reverse("notifications:acknowledge", args=[notice.pk]), {"actions": ["person_contacted"]})

    assert response.status_code == 302
    notice.refresh_from_db()
    assert (notice.status, notice.acknowledged_by, notice.actions) == (
        Notice.Status.ACKNOWLEDGED,
        users["child_protection"],
        ["person_contacted"],
    )


def test_another_referring_body_does_not_see_the_notice(client, login, users, orgs):
    case = _court_case(users, orgs)
    notice = notice_of(record(E.NON_COMPLIANCE, case), orgs["court"])
    for other in ("child_protection", "police"):
        login(users[other])
        assert client.get(detail_url(notice)).status_code == 404
        assert notice not in client.get(INBOX).context["page"].object_list


def test_the_court_is_offered_to_record_the_extension_on_its_referral(client, login, users, orgs):
    case = _court_case(users, orgs)
    notice = notice_of(record(E.NON_COMPLIANCE, case), orgs["court"])
    login(users["judge"])

    page = client.get(reverse("notifications:record_sanction", args=[notice.pk])).content.decode()

    assert reverse("referrals:extend_order", args=[case.referral_id]) in page
    assert f"referral {case.referral.reference}" in page


def test_the_provider_still_reads_case_numbers(client, login, users, orgs):
    case = _court_case(users, orgs)
    record(E.DROPOUT, case)
    login(users["manager"])
    content = client.get(INBOX).content.decode()
    assert f"case {case.number}" in content
    assert 'placeholder="K-0012"' in content


def test_the_recipient_is_the_referring_body_in_russian():
    with translation.override("ru"):
        assert str(Notice.Recipient.POLICE.label) == "Направивший орган"


# --- what each referring body can say it did ---------------------------------------------


# What a referring body other than the police can say it did (a court also checked its order).
REFERRER_ACTIONS = [
    "person_contacted",
    "survivor_service_informed",
    "programme_informed",
    "noted",
    "no_contact_possible",
    "other",
]


def _offered(content: str) -> list[str]:
    return re.findall(r'name="actions" value="([a-z_]+)"', content)


@pytest.mark.parametrize(
    ("user", "org", "make_case", "offered"),
    [
        (
            "court_clerk",
            "court",
            _court_case,
            ["order_checked", *REFERRER_ACTIONS],
        ),
        (
            "child_protection",
            "child_protection",
            _child_protection_case,
            REFERRER_ACTIONS,
        ),
    ],
)
def test_a_referring_body_other_than_the_police_is_offered_its_own_actions(
    client, login, users, orgs, user, org, make_case, offered
):
    notice = notice_of(record(E.NON_COMPLIANCE, make_case(users, orgs)), orgs[org])
    login(users[user])

    content = client.get(detail_url(notice)).content.decode()

    assert _offered(content) == offered
    assert "Visited the person" not in content
    refused = client.post(
        reverse("notifications:acknowledge", args=[notice.pk]), {"actions": ["person_visited"], "note": ""}
    )
    assert refused.context["form"].errors["actions"] == ["Not an action for this notice: Visited the person."]
    client.post(reverse("notifications:acknowledge", args=[notice.pk]), {"actions": ["noted"], "note": ""})
    notice.refresh_from_db()
    assert (notice.status, notice.actions) == (Notice.Status.ACKNOWLEDGED, ["noted"])


def test_the_police_keep_their_own_actions(client, login, users, orgs):
    case = f.open_case(f.make_referral(police=users["police"], provider=orgs["provider"]), users["psychologist"])
    notice = notice_of(record(E.NON_COMPLIANCE, case), orgs["police"])
    login(users["police"])

    content = client.get(detail_url(notice)).content.decode()

    assert _offered(content) == [
        "person_visited",
        "person_contacted",
        "order_checked",
        "survivor_service_informed",
        "programme_informed",
        "no_contact_possible",
        "other",
    ]


@pytest.mark.parametrize(
    ("kind", "english", "russian"),
    [
        (
            E.DROPOUT,
            "The person you referred has left the programme. Consider what follows within your own powers.",
            "Направленное вами лицо выбыло из программы.",
        ),
        (
            E.COMPLETION,
            "The person you referred completed the programme. Monitoring after the programme continues.",
            "Направленное вами лицо завершило программу.",
        ),
    ],
)
def test_a_court_is_told_what_happened_to_the_person_it_referred(client, login, users, orgs, kind, english, russian):
    notice = notice_of(record(kind, _court_case(users, orgs)), orgs["court"])
    login(users["court_clerk"])

    content = client.get(detail_url(notice)).content.decode()
    assert escape(english) in content
    assert "Tell the survivor" not in content and "safety plan" not in content
    russian_page = client.get(detail_url(notice), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert russian in russian_page


def test_the_survivor_service_is_asked_to_review_the_safety_plan(client, login, users, orgs, case_with_service):
    event = record(E.DROPOUT, case_with_service)
    login(users["survivor_worker"])
    content = client.get(detail_url(notice_of(event, orgs["survivor_service"]))).content.decode()
    assert "Tell the survivor and review her safety plan" in content
    assert "The person you referred" not in content


@pytest.mark.parametrize(
    ("kind", "english", "russian"),
    [
        (
            E.DROPOUT,
            "The person has left the programme. Check the protection order, make sure the survivor&#x27;s service "
            "knows, and record below what followed",
            "Проверьте охранный ордер",
        ),
        (
            E.EXPULSION,
            "The person was expelled from the programme. Check the protection order",
            "Проверьте охранный ордер",
        ),
    ],
)
def test_the_police_are_asked_to_check_the_order_not_to_keep_a_safety_plan(
    client, login, users, orgs, case_with_service, kind, english, russian
):
    notice = notice_of(record(kind, case_with_service), orgs["police"])
    login(users["police"])
    content = client.get(detail_url(notice)).content.decode()
    assert english in content
    assert "review her safety plan" not in content
    assert "The person you referred" not in content
    assert russian in client.get(detail_url(notice), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
