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
from programmes.models import ProgrammeTemplate
from referrals.selectors import criteria_for_provider
from referrals.services import criterion_save
from tests import factories as f

# What the seeds (../shared/seeds/001, DOMAIN.md) say of each programme:
# (individual sessions, group sessions, span in weeks, hours required or None).
DOMAIN = {
    "tj-consultation-room": (10, 20, 26, None),  # 30 sessions over 6 months
    "kg-annex3-mandatory": (2, 2, 4, None),  # 2 + 2 in 4 weeks
    "kg-annex3-voluntary-men": (2, 24, 26, None),  # 2 + 24 weekly, 6 months
    "kg-annex3-voluntary-women": (2, 16, 18, None),  # 2 + 16, 4 months
    "kg-chance-mandatory-men": (2, 2, 4, None),  # 2 + 2 in one month
    "kg-chance-voluntary-men": (2, 22, 24, None),  # voluntary: 24 weeks (the split is an assumption)
    "kg-chance-women": (0, 4, 4, None),  # group sessions only
    "kg-chance-voluntary-women": (0, 24, 24, None),  # voluntary: 24 weeks, women: group only
    "kg-ayalzat-mandatory": (2, 7, 4, Decimal("16.0")),  # 16 hours in one month
    "kg-ayalzat-voluntary": (2, 24, 26, None),  # "longer voluntary": Annex 3 men's figures, an assumption
    "kz-turkistan-residential": (5, 12, 5, None),  # at least 5 individual, then 12 group
    "kz-union-crisis-centres": (4, 12, 16, None),  # draft: the source gives no counts
    "uz-oydin-nur": (0, 6, 6, Decimal("18.0")),  # 6 weekly lectures of 3 hours
    "uz-correctional-work": (4, 0, 4, None),  # up to one month
    "tm-pilot": (4, 16, 20, None),  # draft pilot
}

# Who the programme is for, whether it is ordered, who leads its groups, and
# what follows it: (sex, mandatory, facilitation, follow-up months, close
# relations too, monitoring bodies, a meeting every n months, for m months).
AFTER = {
    "tj-consultation-room": ("any", False, "pair", [6, 12], False, ["police_unit", "local_government"], 3, 18),
    "kg-annex3-mandatory": ("any", True, "pair", [], False, [], None, None),
    "kg-annex3-voluntary-men": ("male", False, "pair", [6, 12], False, [], None, None),
    "kg-annex3-voluntary-women": ("female", False, "pair", [6, 12], False, [], None, None),
    # Seed 001: "a man training groups of men, and a woman training groups of women";
    # the mandatory programme, and only it, is followed by 18 months' monitoring, every 3 months.
    "kg-chance-mandatory-men": ("male", True, "man", [3, 6, 9, 12, 15, 18], False, ["social_development"], 3, 18),
    "kg-chance-voluntary-men": ("male", False, "man", [6, 12], False, [], None, None),
    # "the women are not monitored after the completion of the programme"
    "kg-chance-women": ("female", True, "woman", [], False, [], None, None),
    "kg-chance-voluntary-women": ("female", False, "woman", [], False, [], None, None),
    # "a questionnaire that perpetrators and their close relations fill in 18 months after the programme"
    "kg-ayalzat-mandatory": ("male", True, "pair", [18], True, [], None, None),
    "kg-ayalzat-voluntary": ("male", False, "pair", [18], True, [], None, None),
    "kz-turkistan-residential": ("male", False, "pair", [], False, [], None, None),
    "kz-union-crisis-centres": ("any", False, "pair", [6], False, [], None, None),
    "uz-oydin-nur": ("male", False, "pair", [], False, [], None, None),
    "uz-correctional-work": ("any", True, "pair", [], False, [], None, None),
    "tm-pilot": ("male", False, "pair", [6, 12], False, [], None, None),
}


def _shipped_codes() -> set[str]:
    return set(ProgrammeTemplate.objects.filter(provider=None).values_list("code", flat=True))


@pytest.mark.django_db
def test_every_programme_of_the_seeds_is_shipped():
    assert _shipped_codes() == set(DOMAIN) == set(AFTER)
    assert {entry["code"] for entry in SHIPPED} < set(DOMAIN)


@pytest.mark.django_db
@pytest.mark.parametrize("code", sorted(AFTER))
def test_the_shipped_template_says_who_it_is_for_and_what_follows_it(code):
    template = f.shipped_template(code)
    assert (
        template.sex,
        template.mandatory,
        template.facilitation,
        template.follow_up_months,
        template.follow_up_close_relations,
        template.monitoring_bodies,
        template.monitoring_interval_months,
        template.monitoring_months,
    ) == AFTER[code]
    assert template.status == ("draft" if code in ("kz-union-crisis-centres", "tm-pilot") else "active")
    template.full_clean()


@pytest.mark.django_db
@pytest.mark.parametrize("code", sorted(DOMAIN))
def test_the_last_planned_session_falls_in_the_templates_last_week(code):
    template = f.shipped_template(code)
    last = max(template.individual_offsets() + template.group_offsets())
    assert last // 7 + 1 == template.span_weeks
    assert template.schedule_errors() == []


@pytest.mark.django_db
def test_the_tajik_individual_sessions_are_interleaved_with_the_group():
    template = f.shipped_template("tj-consultation-room")
    individual, group = template.individual_offsets(), template.group_offsets()
    assert individual == [0, 18, 36, 54, 72, 90, 108, 126, 144, 162]
    assert group[0] == 4 and group[-1] == 175
    # Between two individual sessions come two group sessions.
    for a, b in zip(individual, individual[1:], strict=False):
        assert len([d for d in group if a < d < b]) == 2


@pytest.mark.django_db
def test_a_voluntary_chance_template_carries_no_monitoring_of_the_mandatory_programme():
    for code in ("kg-chance-voluntary-men", "kg-chance-voluntary-women"):
        template = f.shipped_template(code)
        assert template.monitoring_schedule() == []
        assert "18 months" not in template.name
    assert f.shipped_template("kg-chance-mandatory-men").monitoring_schedule() == [3, 6, 9, 12, 15, 18]
    assert "mandatory programme only" in f.shipped_template("kg-chance-voluntary-men").notes


def _local_dates(sessions) -> list[dt.date]:
    return [timezone.localtime(s.starts_at).date() for s in sessions]


def _gaps(dates: list[dt.date]) -> set[int]:
    return {(b - a).days for a, b in zip(dates, dates[1:], strict=False)}


@pytest.mark.django_db
@pytest.mark.parametrize("code", sorted(DOMAIN))
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
    # ... and fills it: the last planned session is in the span's last week.
    assert (timezone.localtime(last.starts_at).date() - start).days // 7 + 1 == template.span_weeks

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
