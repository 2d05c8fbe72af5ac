"""Low bandwidth (issue 17): after the first visit, opening Today transfers
at most 50 KB and a roster save at most 10 KB, as Chromium counts the bytes
that cross the network (headers and bodies, both ways, bodies as sent:
compressed; what the service worker serves from the phone costs nothing).
The day is a realistic one: three group sessions of twelve men today."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from programmes.models import Attendance
from tests.browser.conftest import PHONE
from tests.programmes.views_sessions_support import men_group_today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KB = 1024


class Meter:
    """The bytes of every request that went to the network, page's or service worker's."""

    def __init__(self, context):
        self.rows: list[tuple[str, str, int]] = []
        context.on("requestfinished", self._finished)

    def _finished(self, request) -> None:
        response = request.response()
        if response is None or response.from_service_worker:
            return  # answered on the phone (the worker's own fetch, if any, is counted on its own)
        sizes = request.sizes()
        total = sum(
            sizes[k] for k in ("requestHeadersSize", "requestBodySize", "responseHeadersSize", "responseBodySize")
        )
        self.rows.append((request.method, request.url, total))

    def start(self) -> None:
        self.rows.clear()

    def total(self) -> int:
        return sum(size for _method, _url, size in self.rows)

    def report(self) -> str:
        return "\n".join(f"{size:>7} {method} {url}" for method, url, size in self.rows)


def _a_day(world):
    """Three groups of twelve, each with a session today; the first two meet in villages."""
    users = {"police": world["officer"], "psychologist": world["psychologist"], "social_worker": world["social_worker"]}
    orgs = {"provider": world["provider"]}
    return [
        men_group_today(users, orgs, size=12, name=name, location_kind=kind, location=place)
        for name, kind, place in (
            ("Tuesday men", "mobile", "Kara-Suu district centre"),
            ("Village men", "mobile", "Ak-Tash school"),
            ("City men", "room", "Room 2"),
        )
    ]


def _after_the_first_visit(sign_in, world):
    """The psychologist's phone, signed in: the service worker installed and
    keeps the static files; the phone is prepared. Its meter counts from here."""
    visitor = sign_in(world["psychologist"], viewport=PHONE)
    meter = Meter(visitor.page.context)
    _first_visit(visitor.page)
    return visitor, meter


def _first_visit(page) -> None:
    page.goto("/programmes/today/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.get_by_role("button", name="Prepare for the field").click()
    expect(page.locator("#field-prepared")).to_contain_text("Prepared")
    page.wait_for_load_state("networkidle")


def test_today_and_a_roster_save_stay_small_after_the_first_visit(sign_in, world):
    _group, _people, session = _a_day(world)[0]
    visitor, meter = _after_the_first_visit(sign_in, world)
    page = visitor.page

    meter.start()
    with page.expect_response("**/programmes/today/") as answer:
        page.goto("/programmes/today/")
    page.wait_for_load_state("networkidle")
    today = meter.total()
    assert answer.value.header_value("content-encoding") == "gzip"
    expect(page.locator("section[aria-labelledby=today-heading] article.ps-session")).to_have_count(3)
    assert any("/programmes/today/" in url for _m, url, _s in meter.rows), meter.report()
    assert not any("/static/" in url for _m, url, _s in meter.rows), meter.report()
    assert today <= 50 * KB, meter.report()

    # A roster save on the phone: the log goes as one entry of the sync (the same service as the form).
    page.context.set_offline(True)
    page.goto(f"/programmes/sessions/{session.pk}/log/")  # the phone's roster
    page.get_by_role("button", name="Mark the rest present").click()
    page.get_by_role("button", name="Save on this phone").click()
    page.wait_for_url("**/programmes/today/")
    meter.start()
    page.context.set_offline(False)
    expect(page.locator("[data-field-note=success]")).to_contain_text("Sent", timeout=20_000)
    save = sum(size for method, url, size in meter.rows if "/field/sync/" in url)
    assert save <= 10 * KB, meter.report()
    assert Attendance.objects.filter(session=session).count() == 12
    print(f"\nToday after the first visit: {today} bytes; a roster save: {save} bytes\n{meter.report()}")  # noqa: T201


def test_a_roster_saved_online_stays_small(sign_in, world):
    """With a network the roster form saves through htmx and gets back the
    roster as saved, not a redirect and a whole page."""
    _group, people, session = _a_day(world)[1]
    visitor, meter = _after_the_first_visit(sign_in, world)
    page = visitor.page
    page.goto(f"/programmes/sessions/{session.pk}/log/")
    expect(page.locator("form.ps-log-form")).to_have_attribute("hx-post", f"/programmes/sessions/{session.pk}/log/")
    page.wait_for_load_state("networkidle")

    meter.start()
    page.get_by_role("button", name="Mark the rest present").click()
    with page.expect_response(lambda r: r.request.method == "POST" and "/log/" in r.url) as answer:
        page.get_by_role("button", name="Save the session").click()
    expect(page.get_by_role("alert")).to_have_text("Session saved: 12 people marked.")
    expect(page.get_by_role("button", name="Save changes")).to_be_visible()  # the roster as saved
    expect(page.get_by_role("button", name="Mark the rest present")).to_be_visible()  # its script still works
    page.wait_for_load_state("networkidle")
    save = meter.total()
    assert answer.value.status == 200
    assert answer.value.header_value("content-encoding") == "gzip"
    assert [(method, url.split("?")[0]) for method, url, _s in meter.rows] == [
        ("POST", f"{page.url.split('/programmes/')[0]}/programmes/sessions/{session.pk}/log/")
    ], meter.report()
    assert save <= 10 * KB, meter.report()
    assert Attendance.objects.filter(session=session, mark="present").count() == len(people) == 12
    assert visitor.problems == []
    print(f"\nAn online roster save: {save} bytes\n{meter.report()}")  # noqa: T201
