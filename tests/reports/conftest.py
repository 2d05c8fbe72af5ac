"""Data for the monitoring reports, built through the real services:
referrals at each stage, cohorts of people in the Kyrgyz mandatory
programme (2 individual + 2 group sessions) with their attendance, and
their endings."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from programmes import services as programme_services
from referrals import services as referral_services
from tests import factories as f

MANDATORY = "kg-annex3-mandatory"  # individual on days 0 and 3, group on days 7 and 14
CHANCE = "kg-chance-mandatory-men"  # the same cadence, men only
_seq = itertools.count(1)


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


class Build:
    def __init__(self, users, orgs):
        self.users = users
        self.orgs = orgs

    def _staff(self, provider, role):
        if provider == self.orgs["provider"]:
            return self.users["psychologist" if role == "psychologist" else "social_worker"]
        return f.staff_with_role(provider, role)

    def _police(self, provider):
        return self.users["other_police"] if provider.country == "TJ" else self.users["police"]

    def referral(self, *, provider=None, sex="male", source="police"):
        provider = provider or self.orgs["provider"]
        person = f.person_data(family_name=f"Тестов{next(_seq)}", sex=sex)
        return f.make_referral(police=self._police(provider), provider=provider, person=person, source=source)

    def received(self, n, **kw):
        return [self.referral(**kw) for _ in range(n)]

    def declined(self, n, **kw):
        made = []
        for _ in range(n):
            referral = self.referral(**kw)
            by = self._staff(referral.provider, "psychologist")
            made.append(referral_services.referral_decline(referral=referral, by=by, reason="no_capacity"))
        return made

    def accepted(self, n, **kw):
        made = []
        for _ in range(n):
            referral = self.referral(**kw)
            made.append(f.accept(referral, self._staff(referral.provider, "psychologist")))
        return made

    def cohort(self, n, *, sex="male", provider=None, source="police", start=-30, template=MANDATORY):
        """``n`` people enrolled in one group of the mandatory programme,
        starting ``start`` days from today (by default all four sessions are
        in the past)."""
        provider = provider or self.orgs["provider"]
        psychologist = self._staff(provider, "psychologist")
        template = f.shipped_template(template)
        group = f.make_group(
            by=psychologist,
            template=template,
            provider=provider,
            name=f"Group {next(_seq)}",
            sex=sex,
            capacity=40,
            starts_on=days(start + template.first_group_offset()),
            psychologist=psychologist,
            social_worker=self._staff(provider, "social_worker"),
        )
        people = []
        for _ in range(n):
            referral = self.referral(provider=provider, sex=sex, source=source)
            case = f.open_case(referral, psychologist)
            people.append(f.enrol_case(case, by=psychologist, template=template, group=group, starts_on=days(start)))
        return group, people

    def attend(self, group, marks: dict, *, individual: bool = True):
        """``marks``: enrolment → four marks (individual 1, 2, group 1, 2);
        ``individual=False`` logs the group sessions only."""
        by = self._staff(group.provider, "psychologist")
        for enrolment, four in marks.items() if individual else ():
            for index, session in enumerate(enrolment.individual_sessions.order_by("number")):
                programme_services.attendance_log(
                    session=session, by=by, marks={enrolment.pk: four[index]}, topic_covered=session.planned_topic
                )
        for index, session in enumerate(group.sessions.order_by("number")[:2]):
            programme_services.attendance_log(
                session=session,
                by=by,
                marks={e.pk: four[2 + index] for e, four in marks.items()},
                topic_covered=session.planned_topic,
            )

    def end(self, enrolment, kind, on=None):
        by = self._staff(enrolment.provider, "psychologist")
        return programme_services.enrolment_discharge(
            enrolment=enrolment, kind=kind, by=by, on=on or days(0), reason="" if kind == "completed" else "Stopped"
        )


@pytest.fixture
def build(users, orgs):
    return Build(users, orgs)


def table(report, key):
    """{row label: {column key: display}} of one table of a report."""
    t = report.table(key)
    return {row.label: {c: cell.display for c, cell in row.cells.items()} for row in t.rows}
