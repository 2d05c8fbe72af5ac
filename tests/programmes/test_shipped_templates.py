"""Every shipped template, run for real: a provider of its country opens a
group (when it has group sessions) and enrols a matching person; the plan
has exactly the template's sessions, inside its span, at its cadence, and
the hours the programme is known for."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Organisation, Role
from programmes import services
from programmes.migrations._shipped_templates import SHIPPED
from referrals.selectors import criteria_for_provider
from referrals.services import criterion_save
from tests import factories as f

# What the domain notes (../shared/DOMAIN.md, seed 001) say of each programme:
# (individual sessions, group sessions, span in weeks, hours required or None).
DOMAIN = {
    "tj-consultation-room": (10, 20, 26, None),  # 30 sessions over 6 months
    "kg-annex3-mandatory": (2, 2, 4, None),  # 2 + 2 in 4 weeks
    "kg-annex3-voluntary-men": (2, 24, 26, None),  # 2 + 24 weekly, 6 months
    "kg-annex3-voluntary-women": (2, 16, 18, None),  # 2 + 16, 4 months
    "kg-chance-mandatory-men": (2, 2, 4, None),  # 2 + 2 in one month
    "kg-chance-voluntary-men": (2, 22, 24, None),  # voluntary: 24 weeks (the split is an assumption)
    "kg-chance-women": (0, 4, 4, None),  # group sessions only
    "kg-ayalzat-mandatory": (2, 7, 4, Decimal("16.0")),  # 16 hours in one month
    "kz-turkistan-residential": (5, 12, 5, None),  # at least 5 individual, then 12 group
    "kz-union-crisis-centres": (4, 12, 16, None),  # draft: the source gives no counts
    "uz-oydin-nur": (0, 6, 6, Decimal("18.0")),  # 6 weekly lectures of 3 hours
    "uz-correctional-work": (4, 0, 4, None),  # up to one month
    "tm-pilot": (4, 16, 22, None),  # draft pilot
}


def test_every_programme_of_the_domain_notes_is_shipped():
    assert {entry["code"] for entry in SHIPPED} == set(DOMAIN)


def _local_dates(sessions) -> list[dt.date]:
    return [timezone.localtime(s.starts_at).date() for s in sessions]


def _gaps(dates: list[dt.date]) -> set[int]:
    return {(b - a).days for a, b in zip(dates, dates[1:], strict=False)}


@pytest.mark.django_db
@pytest.mark.parametrize("code", [entry["code"] for entry in SHIPPED])
def test_the_shipped_template_plans_its_exact_schedule(code):
    template = f.shipped_template(code)
    assert (template.individual_sessions, template.group_sessions, template.span_weeks, template.hours_required) == (
        DOMAIN[code]
    )
    provider = f.make_org(Organisation.Kind.PROGRAMME_PROVIDER, country=template.country)
    police = f.make_user(f.make_org(Organisation.Kind.POLICE_UNIT, country=template.country), Role.POLICE_OFFICER)
    manager = f.make_user(provider, Role.PROGRAMME_MANAGER)
    psychologist = f.staff_with_role(provider, Role.PSYCHOLOGIST, gender="female")
    social_worker = f.staff_with_role(provider, Role.SOCIAL_WORKER, gender="male")

    if not criteria_for_provider(provider):
        # No shipped screening criteria for this country (KZ, UZ, TM): the provider writes one.
        criterion_save(
            provider=provider,
            by=manager,
            code="family_violence",
            text_en="Violence within the family",
            text_ru="Насилие в семье",
            effect="required",
        )

    if template.status == "draft":
        # A draft is adapted by the provider: copied, then made active.
        template = services.template_copy(template=template, provider=provider, by=manager)
        template = services.template_update(template=template, by=manager, status="active")

    sex = "female" if template.sex == "female" else "male"
    case = f.make_open_case(
        police=police, provider=provider, by=psychologist, sex=sex, preferred_language=template.languages[0]
    )
    start = timezone.localdate() + dt.timedelta(days=1)
    group = None
    if template.group_sessions:
        group = f.make_group(
            by=manager,
            template=template,
            provider=provider,
            sex=sex,
            starts_on=start + dt.timedelta(days=template.first_group_offset()),
            psychologist=psychologist,
            social_worker=social_worker,
        )
    enrolment = f.enrol_case(case, by=psychologist, template=template, group=group, starts_on=start)

    individual = list(enrolment.individual_sessions.order_by("starts_at"))
    group_sessions = list(group.sessions.order_by("starts_at")) if group else []
    assert len(individual) == template.individual_sessions
    assert len(group_sessions) == template.group_sessions
    assert [s.number for s in individual] == list(range(1, template.individual_sessions + 1))
    assert [s.number for s in group_sessions] == list(range(1, template.group_sessions + 1))

    individual_days = [(d - start).days for d in _local_dates(individual)]
    group_days = [(d - start).days for d in _local_dates(group_sessions)]
    assert individual_days == template.individual_offsets()
    assert group_days == template.group_offsets()

    # Everything ends inside the span.
    end = start + dt.timedelta(days=template.span_days)
    last = max(individual + group_sessions, key=lambda s: s.starts_at)
    assert timezone.localtime(last.ends_at).date() < end

    # The cadence.
    if len(individual) > 1:
        assert _gaps(_local_dates(individual)) == {template.individual_interval_days}
    if len(group_sessions) > 1:
        assert _gaps(_local_dates(group_sessions)) == {template.group_interval_days}
    if template.individual_first and individual and group_sessions:
        assert individual[-1].starts_at < group_sessions[0].starts_at

    # The person is expected from the group's first session.
    if group:
        assert enrolment.group_from == _local_dates(group_sessions)[0]

    # The hours the programme is known for.
    planned = Decimal(sum(s.duration_minutes for s in individual + group_sessions)) / 60
    assert planned == Decimal(str(template.planned_hours))
    if template.hours_required is not None:
        assert planned == template.hours_required
