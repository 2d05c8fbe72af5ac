"""Low bandwidth (issue 17): after the first visit, opening Today transfers
at most 50 KB and a roster save at most 10 KB, as Chromium counts the bytes
that cross the network (headers and bodies, both ways; what the service
worker serves from the phone costs nothing)."""

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


def test_today_and_a_roster_save_stay_small_after_the_first_visit(sign_in, world):
    users = {"police": world["officer"], "psychologist": world["psychologist"], "social_worker": world["social_worker"]}
    _group, people, session = men_group_today(users, {"provider": world["provider"]}, size=12, location_kind="mobile")
    visitor = sign_in(world["psychologist"], viewport=PHONE)
    page = visitor.page
    meter = Meter(page.context)

    # The first visit: the service worker installs and keeps the static files.
    page.goto("/programmes/today/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.get_by_role("button", name="Prepare for the field").click()
    expect(page.locator("#field-prepared")).to_contain_text("Prepared")
    page.wait_for_load_state("networkidle")

    meter.start()
    page.goto("/programmes/today/")
    page.wait_for_load_state("networkidle")
    today = meter.total()
    assert any("/programmes/today/" in url for _m, url, _s in meter.rows), meter.report()
    assert not any("/static/" in url for _m, url, _s in meter.rows), meter.report()
    assert today <= 50 * KB, meter.report()

    # A roster save: the log goes as one entry of the sync (the same service as the form).
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
