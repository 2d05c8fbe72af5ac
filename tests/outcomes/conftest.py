"""Fixtures for outcome monitoring: the shipped CTS2, answer sheets, and
questionnaires and enrolments built through the real services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from outcomes import services
from outcomes.models import Instrument, Occasion, Respondent
from programmes.models import Enrolment
from tests import factories as f


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def sheet(default=0, **overrides) -> dict[int, int | None]:
    """A full answer sheet: every item ``default``; ``i7=3`` sets item 7."""
    answers = {n: default for n in range(1, 79)}
    answers.update({int(k[1:]): v for k, v in overrides.items()})
    return answers


@pytest.fixture
def cts2(db) -> Instrument:
    return Instrument.objects.get(code="cts2", version=1)


@pytest.fixture
def record(cts2):
    """record(case, by, answers, occasion=..., ...) → Administration, through the service."""

    def _record(case, by, answers, *, occasion=Occasion.INTAKE, on="today", respondent=Respondent.PERSON, **kw):
        return services.administration_record(
            case=case,
            instrument=cts2,
            by=by,
            respondent=respondent,
            answers=answers,
            administered_on=days(0) if on == "today" else on,
            occasion=occasion,
            **kw,
        )

    return _record


def bare_enrolment(case, template, by, *, status="active", starts_on=None, ended_on=None) -> Enrolment:
    """An enrolment row without its sessions, for figures that only need the
    enrolment (the programme services are tested in tests/programmes)."""
    return Enrolment.objects.create(
        case=case,
        template=template,
        provider=case.provider,
        psychologist=by,
        starts_on=starts_on or days(-60),
        status=status,
        ended_on=ended_on,
        enrolled_by=by,
    )


@pytest.fixture
def new_case(users, orgs):
    def _new_case(**person):
        return f.make_open_case(police=users["police"], provider=orgs["provider"], by=users["psychologist"], **person)

    return _new_case
