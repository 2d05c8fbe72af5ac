"""Fixtures for the programme services: the shipped Kyrgyz templates the
standing provider (Kyrgyzstan) can run, a facilitator pair, groups that
started in the past (so their sessions can be logged), and people to put in
them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from programmes import services
from programmes.models import Session
from tests import factories as f

MEN = "kg-annex3-voluntary-men"  # men, 2 individual + 24 weekly group sessions, 6 months
WOMEN = "kg-annex3-voluntary-women"  # women, 2 + 16
ANY = "kg-annex3-mandatory"  # men or women, 2 + 2 in 4 weeks
AYALZAT = "kg-ayalzat-mandatory"  # men, 2 + 7, 16 hours
INDIVIDUAL_ONLY = "uz-correctional-work"  # Uzbekistan, 4 individual


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def pair(users):
    """The standing psychologist (a man) and social worker (a woman), both
    qualified for the Kyrgyz Annex 3 programmes."""
    users["psychologist"].gender = "male"
    users["psychologist"].save(update_fields=["gender"])
    users["social_worker"].gender = "female"
    users["social_worker"].save(update_fields=["gender"])
    for person in (users["psychologist"], users["social_worker"]):
        f.qualify(person)
    return users["psychologist"], users["social_worker"]


@pytest.fixture
def men(db):
    return f.shipped_template(MEN)


@pytest.fixture
def women(db):
    return f.shipped_template(WOMEN)


@pytest.fixture
def any_sex(db):
    return f.shipped_template(ANY)


@pytest.fixture
def ayalzat(db):
    return f.shipped_template(AYALZAT)


@pytest.fixture
def new_case(users, orgs):
    """new_case(sex="female", ...) → an open case of the standing provider."""

    def _new_case(**person):
        return f.make_open_case(police=users["police"], provider=orgs["provider"], by=users["psychologist"], **person)

    return _new_case


@pytest.fixture
def group_of(users, pair):
    """group_of(template, **overrides) → a group made by the psychologist."""

    def _group_of(template, **overrides):
        overrides.setdefault("psychologist", pair[0])
        overrides.setdefault("social_worker", pair[1])
        return f.make_group(by=users["psychologist"], template=template, **overrides)

    return _group_of


@pytest.fixture
def past_group(group_of, men):
    """A rolling men's group whose first of 24 weekly sessions was 8 weeks ago."""
    return group_of(men, starts_on=days(-56), name="Tuesday men")


@pytest.fixture
def enrol(users):
    """enrol(case, template, group=None, starts_on=None) by the psychologist."""

    def _enrol(case, template, group=None, starts_on=None):
        return f.enrol_case(case, by=users["psychologist"], template=template, group=group, starts_on=starts_on)

    return _enrol


def group_session(group, number: int) -> Session:
    return group.sessions.get(number=number)


def log(session: Session, by, marks: dict, topic: str | None = None, notes: str = "") -> Session:
    """Log ``session`` with ``marks`` ({enrolment or id: mark})."""
    marks = {getattr(k, "pk", k): v for k, v in marks.items()}
    return services.attendance_log(
        session=session,
        by=by,
        marks=marks,
        topic_covered=topic if topic is not None else session.planned_topic,
        notes=notes,
    )


def fill_diary(enrolment, psychologist, first_day: dt.date, days_: int, hour: int = 10) -> None:
    """Book ``psychologist`` at ``hour`` every day for ``days_`` days from
    ``first_day`` (extra individual sessions of ``enrolment``), skipping the
    hours he already has."""
    taken = set(Session.objects.filter(facilitator=psychologist).values_list("starts_at", flat=True))
    moments = [
        timezone.make_aware(dt.datetime.combine(first_day + dt.timedelta(days=n), dt.time(hour))) for n in range(days_)
    ]
    Session.objects.bulk_create(
        Session(
            provider_id=enrolment.provider_id,
            kind=Session.Kind.INDIVIDUAL,
            enrolment=enrolment,
            number=100 + n,
            starts_at=moment,
            duration_minutes=60,
            facilitator=psychologist,
        )
        for n, moment in enumerate(moments)
        if moment not in taken
    )
