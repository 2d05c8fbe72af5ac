"""Test data built through the real services, as users would build it."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

from django.utils import timezone

from accounts.models import Membership, Organisation, User
from accounts.services import totp_device_create
from casework import services as case_services
from casework.models import Consent, RiskInstrument
from referrals import services as referral_services
from referrals.models import Referral
from referrals.selectors import criteria_for_provider

_seq = itertools.count(1)

# A fixed base32 secret, so browser tests can compute the current code.
TEST_TOTP_KEY_HEX = "3132333435363738393031323334353637383930"  # "12345678901234567890"
PASSWORD = "correct horse battery staple"


def make_org(kind: str, country: str = "KG", name: str | None = None, region: str = "Chuy") -> Organisation:
    return Organisation.objects.create(
        name=name or f"{kind} {next(_seq)}", kind=kind, country=country, region=region, languages=["ru"]
    )


def make_user(org: Organisation, role: str, username: str | None = None, totp: bool = True) -> User:
    user = User.objects.create_user(username=username or f"{role}{next(_seq)}", password=PASSWORD)
    Membership.objects.create(user=user, organisation=org, role=role)
    if totp:
        totp_device_create(user=user, name="default", key_hex=TEST_TOTP_KEY_HEX, confirmed=True)
    return user


def person_data(**overrides) -> dict:
    data = {
        "family_name": "Асанов",
        "given_name": "Бакыт",
        "patronymic": "",
        "sex": "male",
        "birth_date": dt.date(1985, 4, 12),
        "phone": "+996555123456",
        "address": "Бишкек, ул. Примерная 1",
        "preferred_language": "ky",
        "household": "Wife, two children, mother",
    }
    data.update(overrides)
    return data


def survivor_data(**overrides) -> dict:
    data = {
        "family_name": "Асанова",
        "given_name": "Айгуль",
        "relationship": "partner",
        "phone": "+996700987654",
        "address": "Бишкек, мкр. Тайный 7, кв. 3",
        "children_in_household": 2,
        "consents_to_contact": True,
    }
    data.update(overrides)
    return data


def order_data(**overrides) -> dict:
    today = dt.date.today()
    data = {
        "order_number": f"PO-{next(_seq)}",
        "order_issuing_authority": "Bishkek district police",
        "order_issued_on": today - dt.timedelta(days=2),
        "order_expires_on": today + dt.timedelta(days=28),
        "order_obliges_programme": True,
    }
    data.update(overrides)
    return data


def make_referral(
    *, police: User, provider: Organisation, person: dict | None = None, survivors=None, **kw
) -> Referral:
    referral, _created = referral_services.referral_create(
        by=police,
        provider=provider,
        source=kw.pop("source", "police"),
        person=person or person_data(family_name=f"Асанов{next(_seq)}"),
        survivors=survivors if survivors is not None else [survivor_data()],
        order=kw.pop("order", order_data()),
        incident_description=kw.pop("incident_description", "Pushed and threatened his wife at home."),
        risk_flags=kw.pop("risk_flags", ["threat_to_kill"]),
        submission_key=kw.pop("submission_key", uuid.uuid4()),
        **kw,
    )
    return referral


def screen_all_met(referral: Referral, by: User) -> None:
    answers = {c.code: "met" for c in criteria_for_provider(referral.provider)}
    referral_services.screening_save(referral=referral, by=by, answers=answers)


def accept(referral: Referral, by: User) -> Referral:
    screen_all_met(referral, by)
    return referral_services.referral_accept(referral=referral, by=by)


def interview_data(**overrides) -> dict:
    data = {
        "interviewed_on": dt.date.today(),
        "language": "ru",
        "acknowledges_violence": "partly",
        "violence_within_family_only": True,
        "substance_use": "none",
        "mental_health_concern": False,
        "motivation": "medium",
        "violence_history": "Two earlier incidents reported by neighbours.",
        "notes": "Came on time; blames stress at work.",
    }
    data.update(overrides)
    return data


def open_case(referral: Referral, by: User, *, survivor_consent: str = "given"):
    if referral.status != Referral.Status.ACCEPTED:
        accept(referral, by)
    consents = {
        s.pk: {Consent.Kind.SURVIVOR_CONTACT: survivor_consent, Consent.Kind.SURVIVOR_SHARING: survivor_consent}
        for s in referral.survivors.all()
    }
    return case_services.intake_complete(
        referral=referral,
        by=by,
        interview=interview_data(),
        person_release="given",
        survivor_consents=consents,
        instrument=RiskInstrument.objects.get(code="basic-checklist"),
        risk_answers={"threat_to_kill": True},
        risk_notes="Initial assessment notes.",
    )


# --- Programmes: groups and enrolments, through the programme services --------


def shipped_template(code: str):
    from programmes.models import ProgrammeTemplate

    return ProgrammeTemplate.objects.get(code=code, provider=None, version=1)


def staff_with_role(provider: Organisation, role: str, gender: str = "") -> User:
    """The provider's first user with ``role``, or a new one."""
    user = User.objects.filter(membership__organisation=provider, membership__role=role).order_by("pk").first()
    if user is None:
        user = make_user(provider, role)
    if gender and user.gender != gender:
        user.gender = gender
        user.save(update_fields=["gender"])
    return user


def qualify(staff: User, family: str = "kg_annex3", *, granted_on=None, expires_on=None):
    """Record, as the provider's manager (made if missing), that ``staff``
    is qualified for ``family`` from ``granted_on`` (a year ago)."""
    from staffing.services import qualification_save

    provider = staff.membership.organisation
    return qualification_save(
        provider=provider,
        by=staff_with_role(provider, "programme_manager"),
        staff=staff,
        family=family,
        granted_on=granted_on or timezone.localdate() - dt.timedelta(days=365),
        expires_on=expires_on,
        granted_by="OSCE Programme Office trainers",
    )


def make_open_case(*, police: User, provider: Organisation, by: User, **person_overrides):
    """A referral accepted and taken through intake: an open case."""
    person = person_data(**{"family_name": f"Асанов{next(_seq)}", **person_overrides})
    return open_case(make_referral(police=police, provider=provider, person=person), by)


def make_group(*, by: User, template, provider: Organisation | None = None, **overrides):
    """A group of ``template`` through ``group_create``. By default a rolling
    men's group (or the template's sex) of 12, whose first session is the
    first group day of people starting today."""
    from programmes import services as programme_services

    provider = provider or by.membership.organisation
    first_offset = template.first_group_offset() or 0
    data = {
        "name": f"Group {next(_seq)}",
        "sex": template.sex if template.sex != "any" else "male",
        "capacity": 12,
        "intake": "rolling",
        "location_kind": "room",
        "location": "Room 2",
        "language": template.languages[0],
        "starts_on": timezone.localdate() + dt.timedelta(days=first_offset),
        "time_of_day": dt.time(15, 0),
        "psychologist": staff_with_role(provider, "psychologist"),
        "social_worker": staff_with_role(provider, "social_worker"),
    }
    data.update(overrides)
    data.setdefault("now", planned_as_of(data["starts_on"]))
    group, _warnings = programme_services.group_create(provider=provider, template=template, by=by, **data)
    return group


def planned_as_of(first_day: dt.date) -> dt.datetime:
    """When a group or an enrolment whose first day is ``first_day`` was
    set up, for tests that need its sessions in the past: in time for the
    minimum notice (the notice and half a day before the first day's
    midnight, local), and never later than now."""
    from django.conf import settings

    notice = dt.timedelta(hours=settings.PROGRAMME_MIN_NOTICE_HOURS + 12)
    as_of = timezone.make_aware(dt.datetime.combine(first_day, dt.time(0, 0))) - notice
    return min(as_of, timezone.now())


def enrol_case(case, *, by: User, template, group=None, psychologist: User | None = None, starts_on=None, now=None):
    """Enrol ``case`` through ``enrol``; by default starting so that the
    person's first group day is the group's first session (or today), and
    enrolled in time for the minimum notice before it (``planned_as_of``),
    so that his sessions can be logged as before the notice rules."""
    from programmes import services as programme_services

    if starts_on is None:
        starts_on = (
            group.starts_on - dt.timedelta(days=template.first_group_offset() or 0) if group else timezone.localdate()
        )
    return programme_services.enrol(
        case=case,
        template=template,
        group=group,
        psychologist=psychologist or staff_with_role(case.provider, "psychologist"),
        starts_on=starts_on,
        by=by,
        now=now or planned_as_of(starts_on),
    )
