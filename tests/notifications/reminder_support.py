"""Helpers for the reminder tests: local times, a group whose first session
is tomorrow, people enrolled in it, all built through the real services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from notifications.models import Reminder
from programmes.models import Session
from tests import factories as f
from tests.notices import case_deliveries

MEN = "kg-annex3-voluntary-men"  # 2 individual (days 0, 7) + weekly group sessions from day 14
ANY = "kg-annex3-mandatory"  # 2 individual (days 0, 3) + 2 group (days 7, 14)


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """``day`` at hour:minute in the site's time zone (settings.TIME_ZONE)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)), timezone.get_default_timezone())


def group_starting(users, day: dt.date, *, at: dt.time = dt.time(15, 0), location: str = "Room 2", code: str = MEN):
    """A rolling men's group whose session 1 is on ``day`` at ``at``."""
    return f.make_group(
        by=users["psychologist"],
        template=f.shipped_template(code),
        starts_on=day,
        time_of_day=at,
        location=location,
        psychologist=users["psychologist"],
        social_worker=users["social_worker"],
    )


def person_in(users, orgs, group, **person):
    """An open case of the standing provider, enrolled in ``group`` so that
    the person is there from its first session. Returns the enrolment."""
    case = f.make_open_case(police=users["police"], provider=orgs["provider"], by=users["psychologist"], **person)
    return f.enrol_case(case, by=users["psychologist"], template=group.template, group=group)


def first_session(group) -> Session:
    return group.sessions.get(number=1)


def sms_rows(**filters):
    return case_deliveries().filter(reminder__kind=Reminder.Kind.SESSION_TOMORROW, **filters).order_by("id")
