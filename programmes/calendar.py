"""Personal .ics calendar feeds of the sessions a staff member leads.

Calendar apps fetch the feed without signing in (they cannot do a second
factor), so the link is the key and the feed holds no personal data: the
kind of session, the group's name or the case number, the place and the
time. Never a person's name, never notes.

The link's token is "<user id>:<signature>", signed with SECRET_KEY and
the user's ``CalendarFeed.salt``; "new link" draws a new salt, which stops
every earlier link.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.core import signing
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vText

from casework.models import Case
from core.languages import interface_language
from programmes.models import CalendarFeed, Session
from programmes.selectors import sessions_for_calendar

PAST_DAYS = 30
AHEAD_DAYS = 180
_SALT_PREFIX = "programmes.calendar-feed"


def _signer(salt: str) -> signing.Signer:
    return signing.Signer(salt=f"{_SALT_PREFIX}:{salt}")


def feed_token(feed: CalendarFeed) -> str:
    return _signer(feed.salt).sign(str(feed.user_id))


def feed_for(user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


@transaction.atomic
def feed_rotate(*, user) -> CalendarFeed:
    """Create the user's feed, or give it a new salt: the old link stops
    working at once. Returns the feed (``feed_token`` gives the link)."""
    feed, _created = CalendarFeed.objects.select_for_update().get_or_create(
        user=user, defaults={"salt": secrets.token_hex(16)}
    )
    if not _created:
        feed.salt = secrets.token_hex(16)
        feed.save(update_fields=["salt", "rotated_at"])
    return feed


def user_for_token(token: str):
    """The active user whose current link has ``token``, or None."""
    user_id, sep, _signature = (token or "").partition(":")
    if not sep or not user_id.isdigit():
        return None
    feed = CalendarFeed.objects.select_related("user").filter(user_id=int(user_id), user__is_active=True).first()
    if feed is None:
        return None
    try:
        _signer(feed.salt).unsign(token)
    except signing.BadSignature:
        return None
    return feed.user


# --- The .ics text (RFC 5545, written by the icalendar library) ----------------------
#
# The library escapes commas, semicolons, backslashes and newlines and folds
# long lines. Times are written in UTC ("Z"), the UIDs stay
# "programme-session-<pk>@casework": subscribers' apps update the events they
# already hold instead of duplicating them.


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


def summary(session: Session) -> str:
    if session.kind == Session.Kind.GROUP:
        text = _("Group session — %(group)s") % {"group": session.group.name}
    else:
        text = _("Individual session — case %(number)s") % {"number": Case(pk=session.enrolment.case_id).number}
    if session.status == Session.Status.CANCELLED:
        text = _("Cancelled: %(summary)s") % {"summary": text}
    return text


def feed_sessions(user, now: dt.datetime | None = None):
    now = now or timezone.now()
    return sessions_for_calendar(
        user, now - dt.timedelta(days=PAST_DAYS), now + dt.timedelta(days=AHEAD_DAYS)
    ).select_related("group", "enrolment")


def _event(session: Session, now: dt.datetime) -> Event:
    event = Event()
    event.add("uid", f"programme-session-{session.pk}@casework")
    event.add("dtstamp", _utc(now))
    event.add("dtstart", _utc(session.starts_at))
    event.add("dtend", _utc(session.ends_at))
    event.add("summary", summary(session))
    event.add("location", session.shown_location)
    event.add("status", "CANCELLED" if session.status == Session.Status.CANCELLED else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def build_ics(user, now: dt.datetime | None = None) -> str:
    """The user's sessions from 30 days ago to 180 days ahead, in the user's
    interface language."""
    now = now or timezone.now()
    feed = Calendar()
    feed.add("version", "2.0")
    feed.add("prodid", "-//casework//programme sessions//EN")
    feed.add("calscale", "GREGORIAN")
    feed.add("method", "PUBLISH")
    with translation.override(interface_language(user.preferred_language)):
        # An X- property is written as given unless typed as text: vText escapes it.
        feed.add("x-wr-calname", vText(_("Programme sessions")))
        for session in feed_sessions(user, now):
            feed.add_component(_event(session, now))
    return feed.to_ical(sorted=False).decode("utf-8")
