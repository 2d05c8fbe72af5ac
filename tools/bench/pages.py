"""The rows of ``make bench``: who asks for what, in the order of the table."""

from __future__ import annotations

import copy
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_otp.oath import totp

from tools.bench.measure import TODAY_MAX_KB, Client, Result, Row, judge, measure, table

HELLO_SIGNED_IN = "bare Django view, signed in"
ADMIN = "Django admin: referral changelist"


@dataclass(frozen=True)
class Plan:
    """The records each row asks for, chosen in the register."""

    provider: int
    group: int
    session: int
    case: int
    referral: int
    police_token: str
    monitor_token: str

    @classmethod
    def make(cls) -> Plan:
        from accounts.models import User
        from accounts.tokens import api_token_create
        from programmes.models import Attendance, Session
        from referrals.models import Referral

        psychologist = User.objects.get(username="bench.psychologist")
        police = User.objects.get(username="bench.police")
        # The psychologist's latest group session held where everyone came: a roster saved again unchanged.
        untidy = Attendance.objects.exclude(mark=Attendance.Mark.PRESENT).values("session_id")
        session = (
            Session.objects.filter(
                facilitator=psychologist, status=Session.Status.HELD, kind=Session.Kind.GROUP, attendance__isnull=False
            )
            .exclude(pk__in=untidy)
            .order_by("-starts_at")
            .first()
        ) or Session.objects.filter(facilitator=psychologist, status=Session.Status.HELD).latest("starts_at")
        enrolment = session.group.enrolments.order_by("-pk").first() if session.group else session.enrolment
        referral = Referral.objects.filter(created_by=police).order_by("-pk").first()
        _token_police, police_token = api_token_create(user=police, name="bench")
        _token_monitor, monitor_token = api_token_create(user=User.objects.get(username="bench.monitor"), name="bench")
        if enrolment is None or referral is None:
            raise SystemExit("[bench] the register has no enrolment or no police referral to ask for")
        return cls(
            provider=session.provider_id,
            group=session.group_id or 0,
            session=session.pk,
            case=enrolment.case_id,
            referral=referral.pk,
            police_token=police_token,
            monitor_token=monitor_token,
        )


def _code(attempt: int) -> str:
    from reports.bench_data import BENCH_TOTP_KEY_HEX

    return f"{totp(bytes.fromhex(BENCH_TOTP_KEY_HEX), drift=min(attempt, 1)):06d}"


def signed_in(base_url: str, username: str, say: Callable[[str], None]) -> Client:
    """A browser signed in as ``username``. A code is taken once per device:
    a run that follows another within its 30 seconds uses the next one, or waits for it."""
    from reports.bench_data import BENCH_PASSWORD

    https = not settings.DEBUG and settings.SESSION_COOKIE_SECURE
    for attempt in range(4):
        client = Client(base_url, https=https)
        if client.sign_in(username, BENCH_PASSWORD, _code(attempt)):
            return client
        if attempt >= 1:
            say(f"{username}: code refused, waiting for the next one")
            time.sleep(30 - time.time() % 30 + 1)
    raise SystemExit(f"[bench] could not sign in as {username}")


def _referral_body(provider: int) -> Callable[[int], dict]:
    """The API reference's example referral, a new person and external id each time."""
    from referrals.api import EXAMPLE_REFERRAL

    today = timezone.localdate()
    stamp = int(time.time())

    def body(n: int) -> dict:
        data: dict[str, Any] = copy.deepcopy(EXAMPLE_REFERRAL)
        data["provider"] = provider
        data["external_id"] = f"BENCH-{stamp}-{n}"
        data["order"] = data["order"] | {
            "issued_on": today.isoformat(),
            "expires_on": (today + dt.timedelta(days=30)).isoformat(),
        }
        data["person"] = data["person"] | {
            "family_name": f"Benchpost{stamp}x{n}",
            "phone": f"+99655{(stamp * 1000 + n) % 10**7:07d}",
        }
        return data

    return body


def rows(base_url: str, plan: Plan, say: Callable[[str], None]) -> list[Row]:
    from security.probe import plausible, post_forms

    anonymous = Client(base_url, https=not settings.DEBUG and settings.SESSION_COOKIE_SECURE)
    psy = signed_in(base_url, "bench.psychologist", say)
    manager = signed_in(base_url, "bench.manager", say)
    police = signed_in(base_url, "bench.police", say)
    monitor = signed_in(base_url, "bench.monitor", say)
    admin = signed_in(base_url, "bench.admin", say)
    police_api = Client(base_url, token=plan.police_token, https=anonymous.https)
    monitor_api = Client(base_url, token=plan.monitor_token, https=anonymous.https)
    today = timezone.localdate()
    year = f"?date_from={today - dt.timedelta(days=365)}&date_to={today}"
    roster = f"/programmes/sessions/{plan.session}/log/"
    forms = post_forms(psy.request("GET", roster).text())
    roster_form = plausible(forms[-1]) if forms else {}
    return [
        Row("bare Django view", anonymous, "GET", "/bench/hello/", kind="reference"),
        Row(HELLO_SIGNED_IN, psy, "GET", "/bench/hello/signed-in/", kind="reference"),
        Row(ADMIN, admin, "GET", "/bench/admin/referrals/referral/", kind="reference"),
        Row("Today (psychologist)", psy, "GET", "/programmes/today/", max_kb=TODAY_MAX_KB),
        Row("Today (manager)", manager, "GET", "/programmes/today/"),
        Row("Roster (session log)", psy, "GET", roster),
        Row("Roster save (POST)", psy, "POST", roster, expect=302, form=roster_form),
        Row("Group", psy, "GET", f"/programmes/groups/{plan.group}/"),
        Row("Case list", psy, "GET", "/cases/"),
        Row("Case detail", psy, "GET", f"/cases/{plan.case}/"),
        Row("Incoming referrals (manager)", manager, "GET", "/referrals/incoming/"),
        Row("Police referral list", police, "GET", "/referrals/mine/"),
        Row("Police referral detail", police, "GET", f"/referrals/{plan.referral}/status/"),
        Row("Inbox, provider, all", manager, "GET", "/notifications/?state=all"),
        Row("Inbox, police, open", police, "GET", "/notifications/"),
        Row("Reminders", psy, "GET", "/notifications/reminders/"),
        Row("Dashboard, manager, a year", manager, "GET", "/reports/" + year, kind="report"),
        Row("Dashboard, manager, all time", manager, "GET", "/reports/", kind="report"),
        Row("Dashboard, monitoring, one provider", monitor, "GET", f"/reports/?provider={plan.provider}", "report"),
        Row("Dashboard, monitoring, a year", monitor, "GET", "/reports/" + year, kind="report"),
        Row("Dashboard, monitoring, all time", monitor, "GET", "/reports/", kind="report"),
        Row("Statistics API (outcomes)", monitor_api, "GET", "/api/v1/reports/outcomes/", kind="report"),
        Row("Referral API list", police_api, "GET", "/api/v1/referrals/"),
        Row("Referral API detail", police_api, "GET", f"/api/v1/referrals/{plan.referral}/"),
        Row(
            "Referral API POST",
            police_api,
            "POST",
            "/api/v1/referrals/",
            expect=201,
            data_for=_referral_body(plan.provider),
        ),
    ]


def run(
    base_url: str, plan: Plan, *, seconds: float, most: int, say: Callable[[str], None], only: set[str] | None = None
) -> tuple[list[Result], bool]:
    results = []
    for row in rows(base_url, plan, say):
        if only is not None and row.label not in only:
            continue
        result = measure(row, seconds=seconds, most=most)
        say(f"{row.label}: p95 {result.p95:.1f} ms, {result.rps1:.1f} req/s, {result.query_count} queries")
        results.append(result)
    ok = judge(results, hello_signed_in=HELLO_SIGNED_IN, admin=ADMIN)
    return results, ok


def report(results: list[Result]) -> str:
    return table(results, hello_signed_in=HELLO_SIGNED_IN, admin=ADMIN)
