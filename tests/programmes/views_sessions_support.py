"""Data for the tests of the session pages (views_sessions), built through
the real services: a men's group whose session is today, with N people in
it, and a completed enrolment."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from programmes import services
from programmes.models import Enrolment, Group, Session
from tests import factories as f

MEN = "kg-annex3-voluntary-men"  # 2 individual + 24 weekly group sessions; first group day = start + 14
MANDATORY = "kg-annex3-mandatory"  # 2 individual (days 0, 3) + 2 group (days 7, 21), 4 weeks


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def earlier_today() -> dt.time:
    """A time today that has already passed (so the session can be logged)."""
    now = timezone.localtime()
    if now.hour == 0:
        return dt.time(0, 0)
    return (now - dt.timedelta(minutes=30)).time().replace(second=0, microsecond=0)


def men_group_today(
    users, orgs, *, size: int, name: str = "Tuesday men", location_kind: str = "room", location: str = "Room 2"
) -> tuple[Group, list[Enrolment], Session]:
    """A men's group (psychologist + social worker of the standing provider)
    whose first session is today, earlier in the day, with ``size`` men who
    started 14 days ago (their first group day is today)."""
    template = f.shipped_template(MEN)
    group = f.make_group(
        by=users["psychologist"],
        template=template,
        name=name,
        starts_on=days(0),
        time_of_day=earlier_today(),
        location_kind=location_kind,
        location=location,
        psychologist=users["psychologist"],
        social_worker=users["social_worker"],
    )
    people = [
        f.enrol_case(
            f.make_open_case(
                police=users["police"], provider=orgs["provider"], by=users["psychologist"], given_name=f"Man{i:02d}"
            ),
            by=users["psychologist"],
            template=template,
            group=group,
            psychologist=users["psychologist"],
        )
        for i in range(size)
    ]
    return group, people, group.sessions.get(number=1)


def log_all(session: Session, by, people, mark: str = "present", topic: str | None = None) -> Session:
    return services.attendance_log(
        session=session,
        by=by,
        marks={p.pk: mark for p in people},
        topic_covered=session.planned_topic if topic is None else topic,
    )


def mandatory_enrolment(users, orgs, case=None) -> tuple[Enrolment, Group]:
    """Someone in the Kyrgyz mandatory programme (2 + 2) who started 27 days
    ago: every session of theirs is in the past, none logged yet."""
    template = f.shipped_template(MANDATORY)
    group = f.make_group(
        by=users["psychologist"],
        template=template,
        name="Mandatory men",
        starts_on=days(-20),
        psychologist=users["psychologist"],
        social_worker=users["social_worker"],
    )
    case = case or f.make_open_case(police=users["police"], provider=orgs["provider"], by=users["psychologist"])
    enrolment = f.enrol_case(case, by=users["psychologist"], template=template, group=group, starts_on=days(-27))
    return enrolment, group


def attend_everything(enrolment: Enrolment, group: Group, by, mark: str = "present") -> None:
    for session in enrolment.individual_sessions.order_by("number"):
        log_all(session, by, [enrolment], mark)
    for session in group.sessions.order_by("number"):
        log_all(session, by, [enrolment], mark)


def completed_enrolment(users, orgs, case=None) -> Enrolment:
    """A person who attended all 4 sessions of the mandatory programme and
    was discharged as completed today."""
    enrolment, group = mandatory_enrolment(users, orgs, case)
    attend_everything(enrolment, group, users["psychologist"])
    return services.enrolment_discharge(enrolment=enrolment, kind="completed", by=users["psychologist"], on=days(0))
