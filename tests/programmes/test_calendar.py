"""programmes:calendar_settings and programmes:calendar_feed — a personal
.ics feed without sign-in, holding no personal data; a new link stops the
old one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from programmes import calendar
from programmes.models import CalendarFeed, Session
from tests import factories as f
from tests.programmes.views_sessions_support import log_all, men_group_today

SETTINGS = "/programmes/calendar/"


def feed_path(user) -> str:
    return reverse("programmes:calendar_feed", args=[calendar.feed_token(CalendarFeed.objects.get(user=user))])


def parse(text: str) -> Calendar:
    """The feed as a subscriber's calendar app reads it (the icalendar parser)."""
    return Calendar.from_ical(text)


def events(text: str) -> list[dict[str, object]]:
    """The VEVENTs of an .ics text as {property: value}: text unescaped,
    times as aware datetimes."""
    return [
        {
            name: event.decoded(name) if name in ("DTSTART", "DTEND", "DTSTAMP") else str(value)
            for name, value in event.property_items(recursive=False)
            if name not in ("BEGIN", "END")
        }
        for event in parse(text).walk("VEVENT")
    ]


@pytest.fixture(autouse=True)
def english(users):
    """The feed speaks the user's interface language; these tests read English."""
    for user in users.values():
        user.preferred_language = "en"
        user.save(update_fields=["preferred_language"])


@pytest.fixture
def people_in_group(users, orgs):
    return men_group_today(users, orgs, size=2, location="Room 2, Bishkek")


def test_the_settings_page_makes_and_shows_a_link(client, login, users):
    login(users["psychologist"])
    html = client.get(SETTINGS).content.decode()
    assert "Make my calendar link" in html
    assert not CalendarFeed.objects.exists()
    response = client.post(SETTINGS)
    assert response.status_code == 302
    html = client.get(SETTINGS).content.decode()
    assert "Your calendar link is ready." in html
    assert f"http://testserver{feed_path(users['psychologist'])}" in html
    assert "Make a new link" in html


def test_the_feed_lists_my_sessions_without_personal_data(client, users, people_in_group):
    group, people, today = people_in_group
    calendar.feed_rotate(user=users["psychologist"])
    individual = people[0].individual_sessions.get(number=2)
    Session.objects.filter(pk=group.sessions.get(number=3).pk).update(status="cancelled", cancel_reason="Holiday")
    log_all(today, users["psychologist"], people)
    Session.objects.filter(pk=today.pk).update(notes="He cried when talking about his son.")

    response = client.get(feed_path(users["psychologist"]))  # no sign-in
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    found = {e["UID"]: e for e in events(text)}
    # 24 group sessions from today (within 180 days: 26 weeks minus) and 2 × 2 individual ones.
    group_events = [e for e in found.values() if e["SUMMARY"].endswith("Group session — Tuesday men")]
    assert len(group_events) == 24
    first = found[f"programme-session-{today.pk}@casework"]
    assert first["SUMMARY"] == "Group session — Tuesday men"
    assert first["LOCATION"] == "Room 2, Bishkek"
    assert "LOCATION:Room 2\\, Bishkek\r\n" in text  # the comma is escaped on the wire
    assert first["DTSTART"] == today.starts_at
    assert first["DTSTART"].utcoffset() == dt.timedelta(0)  # written in UTC: no time zone to look up
    assert first["DTEND"] == today.starts_at + dt.timedelta(minutes=120)
    assert first["STATUS"] == "CONFIRMED"
    ind = found[f"programme-session-{individual.pk}@casework"]
    assert ind["SUMMARY"] == f"Individual session — case {people[0].case.number}"
    cancelled = found[f"programme-session-{group.sessions.get(number=3).pk}@casework"]
    assert (cancelled["STATUS"], cancelled["SUMMARY"]) == ("CANCELLED", "Cancelled: Group session — Tuesday men")
    for person in people:
        p = person.case.referral.person
        for secret in (p.family_name, p.given_name, p.phone, p.address):
            assert str(secret) not in text
    for secret in ("He cried", "Асанова", "Айгуль", "+996700987654", "Тайный", "Holiday"):
        assert secret not in text


def test_the_feed_covers_30_days_back_and_180_ahead(users, people_in_group):
    group, people, today = people_in_group
    Session.objects.filter(pk=today.pk).update(starts_at=timezone.now() - dt.timedelta(days=31))
    Session.objects.filter(pk=group.sessions.get(number=2).pk).update(starts_at=timezone.now() + dt.timedelta(days=181))
    uids = {e["UID"] for e in events(calendar.build_ics(users["psychologist"]))}
    assert f"programme-session-{today.pk}@casework" not in uids
    assert f"programme-session-{group.sessions.get(number=2).pk}@casework" not in uids
    assert f"programme-session-{group.sessions.get(number=3).pk}@casework" in uids
    # The individual sessions 14 and 7 days ago are inside the window.
    assert f"programme-session-{people[0].individual_sessions.get(number=1).pk}@casework" in uids


def test_only_the_sessions_i_lead(users, orgs, people_in_group):
    other = f.make_user(orgs["provider"], "psychologist", "second_psychologist")
    assert events(calendar.build_ics(other)) == []
    # The social worker co-leads the group sessions only.
    summaries = {e["SUMMARY"] for e in events(calendar.build_ics(users["social_worker"]))}
    assert summaries == {"Group session — Tuesday men"}


def test_a_new_link_stops_the_old_one(client, login, users, people_in_group):
    login(users["psychologist"])
    client.post(SETTINGS)
    old = feed_path(users["psychologist"])
    client.logout()
    assert client.get(old).status_code == 200
    login(users["psychologist"])
    response = client.post(SETTINGS)
    assert response.status_code == 302
    assert "A new link was made. The old link no longer works." in client.get(SETTINGS).content.decode()
    new = feed_path(users["psychologist"])
    assert new != old
    client.logout()
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


@pytest.mark.parametrize(
    "token",
    ["nothing", "999999:abc", "1:", ":abc", "abc:def"],
)
def test_a_wrong_token_is_404(client, users, token):
    calendar.feed_rotate(user=users["psychologist"])
    assert client.get(reverse("programmes:calendar_feed", args=[token])).status_code == 404


def test_someone_elses_signature_does_not_open_my_feed(client, users):
    mine = calendar.feed_rotate(user=users["psychologist"])
    theirs = calendar.feed_rotate(user=users["social_worker"])
    forged = f"{mine.user_id}:{calendar.feed_token(theirs).partition(':')[2]}"
    assert client.get(reverse("programmes:calendar_feed", args=[forged])).status_code == 404


def test_a_deactivated_user_has_no_feed(client, users):
    calendar.feed_rotate(user=users["psychologist"])
    path = feed_path(users["psychologist"])
    users["psychologist"].is_active = False
    users["psychologist"].save()
    assert client.get(path).status_code == 404


def test_the_salt_alone_does_not_give_the_link(users):
    feed = calendar.feed_rotate(user=users["psychologist"])
    assert feed.salt not in calendar.feed_token(feed)


@pytest.mark.parametrize("who", ["police", "survivor_worker", "monitoring", "provider_admin"])
def test_other_roles_get_403_on_the_settings_page(client, login, users, who):
    login(users[who])
    assert client.get(SETTINGS).status_code == 403
    assert client.post(SETTINGS).status_code == 403
    assert not CalendarFeed.objects.exists()


def test_commas_semicolons_newlines_and_long_names_reach_the_subscriber_intact(users, orgs):
    """GIVEN a group whose name is long Cyrillic text with a comma and a
    semicolon, meeting at a place written over two lines, WHEN the feed is
    written, THEN every line is folded to 75 octets and a calendar app reads
    the name and the place back exactly."""
    name = "Группа по вторникам, " * 4 + "вечер; Бишкек"
    group, _people, today = men_group_today(users, orgs, size=1, name=name, location="Room 2\nBishkek, Chui 1")
    text = calendar.build_ics(users["psychologist"])
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert "LOCATION:Room 2\\nBishkek\\, Chui 1\r\n" in text
    first = {e["UID"]: e for e in events(text)}[f"programme-session-{today.pk}@casework"]
    assert first["SUMMARY"] == f"Group session — {name}"
    assert first["LOCATION"] == "Room 2\nBishkek, Chui 1"


def test_the_feed_names_itself_and_its_producer(users):
    feed = parse(calendar.build_ics(users["psychologist"]))
    assert feed["X-WR-CALNAME"] == "Programme sessions"
    assert feed["VERSION"] == "2.0"
    assert feed["PRODID"] == "-//casework//programme sessions//EN"
    assert feed["METHOD"] == "PUBLISH"


def test_the_place_reads_in_the_users_language(users, people_in_group):
    group, _people, today = people_in_group
    Session.objects.filter(pk=today.pk).update(location_translations={"ky": "2-бөлмө, Бишкек"})
    user = users["psychologist"]
    user.preferred_language = "ky"
    user.save(update_fields=["preferred_language"])
    places = {e["UID"]: e["LOCATION"] for e in events(calendar.build_ics(user))}
    assert places[f"programme-session-{today.pk}@casework"] == "2-бөлмө, Бишкек"
    assert places[f"programme-session-{group.sessions.get(number=3).pk}@casework"] == "Room 2, Bishkek"
