"""The referral entry form in a real Chromium on a phone-sized screen:
"add another survivor" and the character count work under the CSP."""

import datetime as dt

import pytest
from django.test import Client

from referrals.models import Referral
from tests.conftest import browser_cookies, login_verified

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _session_cookies(user, live_server) -> list[dict]:
    client = Client()
    login_verified(client, user)
    return browser_cookies(client, live_server.url)


def test_an_officer_enters_a_referral_with_two_survivors_on_a_phone(live_server, page, users, orgs):
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" and "favicon" not in m.text else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 and "favicon" not in r.url else None,
    )
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.add_cookies(_session_cookies(users["police"], live_server))
    page.goto(f"{live_server.url}/referrals/new/")

    page.select_option("#id_provider", str(orgs["provider"].pk))
    page.fill("#id_order_number", "PO-55")
    today = dt.date.today()
    page.fill("#id_order_issued_on", (today - dt.timedelta(days=1)).isoformat())
    page.fill("#id_order_expires_on", (today + dt.timedelta(days=14)).isoformat())
    page.fill("#id_person-family_name", "Browserov")
    page.fill("#id_person-given_name", "Test")
    page.select_option("#id_person-sex", "male")
    page.fill("#id_person-birth_date", "1980-02-03")
    page.select_option("#id_person-preferred_language", "ru")
    page.fill("#id_incident_description", "Shouted and broke a door.")
    assert page.text_content("[data-char-count]") == "25"
    page.check("input[name=risk_flags][value=escalation]")

    page.fill("#id_survivors-0-family_name", "First")
    page.fill("#id_survivors-0-given_name", "Survivor")
    page.select_option("#id_survivors-0-relationship", "partner")
    page.click("[data-formset-add=survivors]")
    assert page.input_value("#id_survivors-TOTAL_FORMS") == "2"
    assert page.text_content("#survivors-forms .survivor-form:nth-child(2) legend") is not None
    page.fill("#id_survivors-1-family_name", "Second")
    page.fill("#id_survivors-1-given_name", "Survivor")
    page.select_option("#id_survivors-1-relationship", "parent")
    page.fill("#id_survivors-1-phone", "0700 111 222")
    page.click("button[type=submit].btn-primary")

    page.wait_for_url(f"{live_server.url}/referrals/*/status/")
    assert "has been recorded and sent to the provider." in page.content()
    referral = Referral.objects.get()
    assert [(s.family_name, s.relationship, s.phone) for s in referral.survivors.order_by("id")] == [
        ("First", "partner", ""),
        ("Second", "parent", "+996700111222"),
    ]
    assert referral.risk_flags == ["escalation"]
    assert problems == []
