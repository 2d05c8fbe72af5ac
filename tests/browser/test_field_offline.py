"""Field work without a network, in Chromium (issue 17): a psychologist
prepares her phone, goes where there is no network, opens Today and a
roster, logs the session with a note, closes and reopens the page (the
entry still waits), comes back online and sees it sent; the server has the
attendance once and the note encrypted as an online save keeps it. A send
cut off after it reached the server, and a second send, make no duplicate.
Each conflict is shown with the server's state, and resolved by her.
Signing out wipes what the phone keeps."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from playwright.sync_api import expect

from core.models import TimelineEntry
from fieldwork.models import FieldEntry
from programmes import services
from programmes import timeline as programmes_timeline
from programmes.models import Attendance, Session
from tests import factories as f
from tests.browser.conftest import PHONE, current_code
from tests.programmes.views_sessions_support import men_group_today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "Kara-Suu: the men spoke about the harvest and money; one refused to talk."
SCREENSHOT_TODAY = "/tmp/field-today-offline.png"  # noqa: S108 (not committed, for a human to look at)
SCREENSHOT_ROSTER = "/tmp/field-roster-offline.png"  # noqa: S108
SCREENSHOT_CONFLICT = "/tmp/field-conflict.png"  # noqa: S108
# How many entries and meta rows (key, bundle) the phone's store holds.
STORE_CONTENTS = """
() => new Promise((resolve) => {
  const open = indexedDB.open("casework-field", 1);
  open.onupgradeneeded = () => {
    open.result.createObjectStore("meta");
    open.result.createObjectStore("entries", { keyPath: "key" });
  };
  open.onsuccess = () => {
    const tx = open.result.transaction(["entries", "meta"]);
    const counts = {};
    for (const name of ["entries", "meta"]) {
      tx.objectStore(name).count().onsuccess = (e) => { counts[name] = e.target.result; };
    }
    tx.oncomplete = () => { open.result.close(); resolve(counts); };
  };
})
"""


def _group(world, size=3):
    users = {"police": world["officer"], "psychologist": world["psychologist"], "social_worker": world["social_worker"]}
    group, people, session = men_group_today(
        users, {"provider": world["provider"]}, size=size, location_kind="mobile", location="Kara-Suu, village hall"
    )
    people.sort(key=lambda e: (e.case.referral.person.family_name.casefold(), e.case.referral.person.given_name))
    return group, people, session


def _prepare(visitor):
    """Today, with the service worker in charge, then "Prepare for the field"."""
    page = visitor.page
    page.goto("/programmes/today/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now under the service worker
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.get_by_role("button", name="Prepare for the field").click()
    expect(page.locator("#field-prepared")).to_contain_text("Prepared")
    return page


def _log_offline(page, session, people, *, absent=0, topic=None):
    """On the offline Today page: the session's roster, marks, topic and note, saved on the phone."""
    page.get_by_role("article").filter(has_text="Tuesday men").first.get_by_role("link", name="Log attendance").click()
    page.wait_for_url(f"**/programmes/sessions/{session.pk}/log/")
    expect(page.get_by_role("heading", name="Attendance: 3")).to_be_visible()
    person = page.get_by_role("group", name=people[absent].case.referral.person.full_name)
    person.get_by_text("Unexcused absence", exact=True).click()
    page.get_by_role("button", name="Mark the rest present").click()
    if topic:
        page.get_by_label("Topic covered").select_option(label=topic)
    page.get_by_label("Facilitator notes").fill(NOTE)
    page.get_by_role("button", name="Save on this phone").click()
    page.wait_for_url("**/programmes/today/")


def _logged_offline(sign_in, world):
    """A prepared phone, offline, with today's session logged on it: (page, people, session)."""
    _group_, people, session = _group(world)
    page = _prepare(sign_in(world["psychologist"], viewport=PHONE))
    page.context.set_offline(True)
    page.reload()
    _log_offline(page, session, people)
    return page, people, session


def test_a_session_logged_offline_is_sent_once_when_the_network_is_back(sign_in, world):
    group, people, session = _group(world)
    visitor = sign_in(world["psychologist"], viewport=PHONE)
    page = _prepare(visitor)
    context = page.context

    # No network: Today still opens, from what the phone keeps.
    context.set_offline(True)
    page.reload()
    expect(page.locator("#field-banner")).to_contain_text("No network")
    card = page.get_by_role("article").filter(has_text="Tuesday men").first
    expect(card).to_contain_text("Kara-Suu, village hall")
    expect(card).to_contain_text("mobile")
    page.screenshot(path=SCREENSHOT_TODAY, full_page=True)
    topic = next(t for t in group.template.curriculum if t != session.planned_topic)
    _log_offline(page, session, people, topic=topic)
    expect(page.locator("#field-banner")).to_contain_text("Waiting to be sent: 1")
    expect(page.locator(f"[data-session='{session.pk}'] [data-field-saved]")).to_be_visible()
    assert not Attendance.objects.exists()

    # Closed and opened again, still without a network: the entry still waits.
    page.close()
    page = context.new_page()
    page.goto("/programmes/today/")
    expect(page.locator("#field-banner")).to_contain_text("Waiting to be sent: 1")

    # The network is back: it is sent, once.
    context.set_offline(False)
    expect(page.locator("[data-field-note=success]")).to_contain_text("Sent: Tuesday men")
    expect(page.locator("#field-banner")).to_contain_text("A non-compliance notice about")
    session.refresh_from_db()
    assert (session.status, session.topic_covered, session.notes) == ("held", topic, NOTE)
    assert session.logged_in_field_at is not None and session.logged_in_field_at < session.logged_at
    assert dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "mark")) == {
        people[0].pk: "unexcused",
        people[1].pk: "present",
        people[2].pk: "present",
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT notes FROM programmes_session WHERE id = %s", [session.pk])
        assert "harvest" not in cursor.fetchone()[0]
    assert FieldEntry.objects.count() == 1
    # Nothing waits any more; Today is the server's again.
    page.reload()
    expect(page.locator("[data-field-waiting]")).to_have_count(0)
    # No script failed on the way (requests refused while offline are expected).
    assert [p for p in visitor.problems if p.startswith("script:")] == []


def test_a_send_cut_off_after_it_reached_the_server_makes_no_duplicate(sign_in, world):
    page, people, session = _logged_offline(sign_in, world)
    context = page.context

    # The first send reaches the server, and its answer is lost on the way back.
    reached = []

    def cut_off(route):
        route.fetch()  # the server applies it
        reached.append(1)
        route.abort("connectionreset")

    page.route("**/field/sync/", cut_off)
    context.set_offline(False)
    page.wait_for_url("**/programmes/today/")
    expect(page.locator("[data-field-note=secondary]")).to_contain_text("Not sent")
    assert reached == [1]
    assert Attendance.objects.filter(session=session).count() == 3
    marks = TimelineEntry.objects.filter(kind=programmes_timeline.ATTENDANCE_RECORDED).count()
    expect(page.locator("#field-banner")).to_contain_text("Waiting to be sent: 1")

    # Sent again: the server knows the key and answers as the first time.
    page.unroute("**/field/sync/")
    page.get_by_role("button", name="Send now").click()
    expect(page.locator("[data-field-note=success]")).to_contain_text("Sent: Tuesday men")
    assert Attendance.objects.filter(session=session).count() == 3
    assert TimelineEntry.objects.filter(kind=programmes_timeline.ATTENDANCE_RECORDED).count() == marks
    assert FieldEntry.objects.count() == 1
    expect(page.locator("[data-field-waiting]")).to_have_count(0)


def _cancel(world, session, people):
    services.session_cancel(session=session, reason="The road to Kara-Suu was closed", by=world["social_worker"])


def _move(world, session, people):
    Session.objects.filter(pk=session.pk).update(location="Kara-Suu, school")


def _log_by_colleague(world, session, people):
    services.attendance_log(
        session=session,
        by=world["social_worker"],
        marks={p.pk: "late" for p in people},
        topic_covered=session.planned_topic,
    )


def _end_enrolment(world, session, people):
    import datetime as dt

    from django.utils import timezone

    services.enrolment_discharge(
        enrolment=people[2],
        kind="deselected",
        on=timezone.localdate() - dt.timedelta(days=1),
        reason="No longer eligible",
        by=world["psychologist"],
    )


@pytest.mark.parametrize(
    ("change", "server_says", "resolve"),
    [
        (_cancel, "The session was cancelled: The road to Kara-Suu was closed", "Discard mine"),
        (_move, "The session was moved:", "Send mine instead"),
        (_log_by_colleague, "logged it at", "Send mine instead"),
        (_end_enrolment, "ended on", "Discard mine"),
    ],
    ids=["cancelled", "moved", "logged-by-someone-else", "enrolment-ended"],
)
def test_a_conflict_is_shown_beside_the_servers_state_and_she_chooses(sign_in, world, change, server_says, resolve):
    page, people, session = _logged_offline(sign_in, world)
    context = page.context
    change(world, session, people)  # meanwhile, on the server
    before = dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "mark"))
    context.set_offline(False)
    card = page.locator("[data-field-decision=conflict]")
    expect(card).to_contain_text("What you recorded")
    expect(card).to_contain_text("On the server now")
    expect(card).to_contain_text(server_says)
    expect(card).to_contain_text(NOTE)  # nothing she typed is lost
    page.screenshot(path=SCREENSHOT_CONFLICT, full_page=True)
    assert dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "mark")) == before

    if resolve == "Discard mine":
        page.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name=resolve).click()
    expect(page.locator("[data-field-decision]")).to_have_count(0)
    if resolve == "Send mine instead":
        expect(page.locator("[data-field-note=success]")).to_contain_text("Sent: Tuesday men")
        assert set(Attendance.objects.filter(session=session).values_list("mark", flat=True)) == {
            "present",
            "unexcused",
        }


def test_entries_wait_through_an_ended_session_and_are_sent_after_signing_in_again(sign_in, world):
    """Hours in a village end the site's session (30 minutes idle): back
    online, the phone keeps the entries, asks her to sign in, and sends them
    once she has."""
    page, _people, session = _logged_offline(sign_in, world)
    page.context.clear_cookies()  # the session ended while she was away
    page.context.set_offline(False)
    page.wait_for_url(re.compile(r"/accounts/login/"))
    expect(page.locator("#field-banner")).to_contain_text("Waiting to be sent: 1")
    expect(page.locator("#field-banner").get_by_role("link", name="Sign in to send them.")).to_be_visible()
    assert not Attendance.objects.exists()

    # Hours later the code is a new one: the first sign-in's code may not be used twice.
    world["psychologist"].totpdevice_set.update(last_t=-1)
    page.get_by_label("Username").fill(world["psychologist"].get_username())
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_label("6-digit code").fill(current_code())
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("[data-field-note=success]")).to_contain_text("Sent: Tuesday men")
    assert Attendance.objects.filter(session=session).count() == 3


def _waiting_to_sign_out(sign_in, world):
    """A phone with one entry waiting (the send fails), and the answers to the questions it asks."""
    page, _people, _session = _logged_offline(sign_in, world)
    page.context.set_offline(False)
    page.route("**/field/sync/", lambda route: route.abort())  # it has not been sent yet
    page.reload()
    expect(page.locator("#field-banner")).to_contain_text("Waiting to be sent: 1")
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    return page, asked


def _sign_out(page):
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))


def _assert_wiped(page):
    # The store was deleted (the sign-in page's script may open a new, empty one).
    assert page.evaluate(STORE_CONTENTS) == {"entries": 0, "meta": 0}
    assert page.evaluate("caches.has('casework-field-shell')") is False


def test_signing_out_wipes_what_the_phone_keeps(sign_in, world):
    page, asked = _waiting_to_sign_out(sign_in, world)
    _sign_out(page)
    assert asked == ["Entries not yet sent: 1. Signing out deletes them from this phone. Sign out anyway?"]
    _assert_wiped(page)


def test_a_store_that_does_not_answer_does_not_keep_her_signed_in(sign_in, world):
    page, asked = _waiting_to_sign_out(sign_in, world)
    # The phone's store stops answering: reading it and deleting it never end.
    page.evaluate(
        """() => {
          indexedDB.databases = () => new Promise(() => {});
          indexedDB.deleteDatabase = () => ({});
          caches.delete = () => new Promise(() => {});
        }"""
    )
    _sign_out(page)
    # She is warned that entries may wait, signed out all the same, and the
    # server's answer had the browser delete what the script could not.
    assert asked == [
        "Entries not yet sent may be on this phone. Signing out deletes them from this phone. Sign out anyway?"
    ]
    _assert_wiped(page)


# What the phone's store holds: each record as the page can read it, without the key.
STORE_RECORDS = """
() => new Promise((resolve) => {
  const open = indexedDB.open("casework-field", 1);
  open.onsuccess = () => {
    const tx = open.result.transaction(["entries", "meta"]);
    const out = {};
    tx.objectStore("entries").getAll().onsuccess = (e) => {
      out.entries = e.target.result.map((r) => ({
        plain: JSON.stringify(Object.assign({}, r, { box: undefined })),
        sealed: new TextDecoder("latin1").decode(r.box.data),
        expiresAt: r.expiresAt,
        recordedAt: r.recordedAt,
      }));
    };
    tx.objectStore("meta").get("key").onsuccess = (e) => {
      const key = e.target.result;
      out.key = { type: key.type, extractable: key.extractable, algorithm: key.algorithm.name, usages: key.usages };
    };
    tx.objectStore("meta").get("bundle").onsuccess = (e) => {
      out.bundle = new TextDecoder("latin1").decode(e.target.result.data);
    };
    tx.oncomplete = () => { open.result.close(); resolve(out); };
  };
})
"""

# Move every entry's expiry to ``at`` (milliseconds since the epoch).
EXPIRE_AT = """
(at) => new Promise((resolve) => {
  const open = indexedDB.open("casework-field", 1);
  open.onsuccess = () => {
    const tx = open.result.transaction("entries", "readwrite");
    const store = tx.objectStore("entries");
    store.getAll().onsuccess = (e) => e.target.result.forEach((r) => { r.expiresAt = at; store.put(r); });
    tx.oncomplete = () => { open.result.close(); resolve(true); };
  };
})
"""


def test_the_phone_keeps_names_and_notes_encrypted_under_a_key_it_cannot_give_out(sign_in, world):
    page, people, _session = _logged_offline(sign_in, world)
    kept = page.evaluate(STORE_RECORDS)
    assert kept["key"] == {
        "type": "secret",
        "extractable": False,
        "algorithm": "AES-GCM",
        "usages": ["encrypt", "decrypt"],
    }
    (entry,) = kept["entries"]
    name = people[0].case.referral.person.family_name
    for secret in (NOTE, "harvest", name, "unexcused"):
        assert secret not in entry["plain"] and secret not in entry["sealed"]
    assert name not in kept["bundle"] and "Kara-Suu" not in kept["bundle"]
    # Kept for FIELD_ENTRY_DAYS (7) from when it was recorded.
    assert entry["expiresAt"] - entry["recordedAt"] == 7 * 24 * 3600 * 1000


def test_an_entry_not_sent_in_time_is_announced_then_deleted(sign_in, world):
    page, _people, _session = _logged_offline(sign_in, world)
    page.evaluate(EXPIRE_AT, page.evaluate("Date.now()") + 3 * 3600 * 1000)  # three hours left
    page.reload()
    expect(page.locator("#field-banner")).to_contain_text("Deleted from this phone on")
    expect(page.locator("#field-banner")).to_contain_text("if not sent: 1")

    page.evaluate(EXPIRE_AT, page.evaluate("Date.now()") - 1000)  # its time is up
    page.reload()
    expect(page.locator("[data-field-note=danger]")).to_contain_text("Deleted from this phone unsent, after 7 days: 1")
    expect(page.locator("[data-field-waiting]")).to_have_count(0)
    assert page.evaluate(STORE_RECORDS)["entries"] == []
    assert not Attendance.objects.exists()
