"""Browser journeys: people signing in through the real sign-in page, each in
their own browser context, against the live server.

Transactional tests empty every table when they end, the data the
migrations ship (eligibility criteria, the basic risk checklist) included,
so ``shipped_data`` puts it back before a journey starts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from django_otp.oath import totp
from playwright.sync_api import Browser, BrowserContext, Page, expect

from accounts.models import Organisation, Role, User
from tests import factories as f

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def send_referral(page: Page):
    """Send the referral form filled in on ``page``; the status page it
    lands on says it was sent. Returns the referral and that page's URL."""
    from referrals.models import Referral

    page.get_by_role("button", name="Send referral").click()
    page.wait_for_url(re.compile(r"/referrals/\d+/status/$"))
    referral = Referral.objects.get()
    expect(page.get_by_role("alert")).to_have_text(
        f"Referral {referral.reference} has been recorded and sent to the provider."
    )
    expect(page.locator(".referral-status")).to_have_text("Received")
    return referral, page.url


def current_code() -> str:
    """The 6-digit code an authenticator app shows now for the test key."""
    return f"{totp(bytes.fromhex(f.TEST_TOTP_KEY_HEX)):06d}"


@dataclass
class Visitor:
    """One person's browser: the page, and every console error, uncaught
    script error and failed response seen on it."""

    user: User
    page: Page
    problems: list[str] = field(default_factory=list)

    def watch(self) -> None:
        page = self.page
        page.on("console", lambda m: self.problems.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.problems.append(f"script: {e}"))
        page.on("response", lambda r: self.problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)


@pytest.fixture
def shipped_data(transactional_db) -> None:
    """The shipped criteria, risk checklist and templates (see tests/conftest.py)."""
    from tests.conftest import ensure_shipped_data

    ensure_shipped_data()


@pytest.fixture
def world(shipped_data) -> dict:
    """A police unit, a consultation room and a crisis centre in Kyrgyzstan,
    and the four people of the journey. Nothing else."""
    K = Organisation.Kind
    police = f.make_org(K.POLICE_UNIT, name="Bishkek City Police, Pervomaisky district")
    provider = f.make_org(K.PROGRAMME_PROVIDER, name="Bishkek Consultation Room")
    crisis_centre = f.make_org(K.SURVIVOR_SERVICE, name="Sezim Crisis Centre")
    return {
        "police": police,
        "provider": provider,
        "crisis_centre": crisis_centre,
        "officer": f.make_user(police, Role.POLICE_OFFICER, "officer"),
        "psychologist": f.make_user(provider, Role.PSYCHOLOGIST, "psychologist"),
        "social_worker": f.make_user(provider, Role.SOCIAL_WORKER, "social_worker"),
        "survivor_worker": f.make_user(crisis_centre, Role.SURVIVOR_WORKER, "survivor_worker"),
    }


@pytest.fixture
def sign_in(browser: Browser, live_server) -> Iterator[Callable[..., Visitor]]:
    """Open a fresh browser context (its own cookies) for ``user`` and sign
    in through /accounts/login/ with username, password and the current
    code, as a person would."""
    contexts: list[BrowserContext] = []

    def _sign_in(user: User, *, viewport: dict = DESKTOP) -> Visitor:
        context = browser.new_context(locale="en-US", viewport=viewport, base_url=live_server.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        visitor = Visitor(user=user, page=context.new_page())
        visitor.watch()
        page = visitor.page
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(user.get_username())
        page.get_by_label("Password").fill(f.PASSWORD)
        page.get_by_label("6-digit code").fill(current_code())
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.wait_for_url(lambda url: "/accounts/" not in url)
        expect(page.locator("html")).to_have_attribute("lang", "en")  # Accept-Language: en-US
        return visitor

    yield _sign_in
    for context in contexts:
        context.close()
