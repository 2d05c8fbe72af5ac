"""What every part of the demo data shares: the organisations, the users, the
result counters and small builders that call the real services."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest import mock

from django.contrib.auth.password_validation import validate_password
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Membership, Organisation, Role, User
from accounts.services import totp_device_create
from casework import services as case_services
from casework.models import Case, Consent, RiskInstrument
from referrals import services as referral_services
from referrals.models import Referral, Screening
from referrals.selectors import criteria_for_provider

DEMO_PASSWORD = "demo-Pass-2026!"  # noqa: S105 - public by design, see README.md
# The shared TOTP secret of every demo user, as an authenticator app wants it.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # noqa: S105 - public by design
DEMO_TOTP_KEY_HEX = base64.b32decode(DEMO_TOTP_SECRET).hex()
DEMO_DEVICE_NAME = "Demo authenticator"

_KEYS = uuid.UUID("6d3e0f6c-2f51-4b8e-9a57-0c2d3c1f9e11")

K = Organisation.Kind

# key: (name, kind, country, region, languages)
ORGANISATIONS: dict[str, tuple[str, str, str, str, list[str]]] = {
    "police.kg": ("Bishkek City Police, Oktyabrsky District", K.POLICE_UNIT, "KG", "Bishkek", ["ky", "ru"]),
    "provider.kg": ("Bishkek Consultation Room", K.PROGRAMME_PROVIDER, "KG", "Bishkek", ["ky", "ru"]),
    "crisis.kg": ("Sezim Crisis Centre", K.SURVIVOR_SERVICE, "KG", "Bishkek", ["ky", "ru"]),
    "monitor.kg": ("Bishkek City Hall, Social Development Department", K.MONITORING_BODY, "KG", "Bishkek", ["ru"]),
    "police.tj": ("Khujand City Police", K.POLICE_UNIT, "TJ", "Sughd", ["tg", "ru", "uz"]),
    "provider.tj": ("Khujand Consultation Room", K.PROGRAMME_PROVIDER, "TJ", "Sughd", ["tg", "ru", "uz"]),
    "crisis.tj": ("Khujand Women's Resource Centre", K.SURVIVOR_SERVICE, "TJ", "Sughd", ["tg", "ru", "uz"]),
    "monitor.tj": (
        "Committee on Women and Family Affairs, Sughd Region",
        K.MONITORING_BODY,
        "TJ",
        "Sughd",
        ["tg", "ru"],
    ),
    # The other agencies of the pathway (seed 001), one of each kind per country.
    "court.kg": ("Oktyabrsky District Court of Bishkek", K.COURT, "KG", "Bishkek", ["ky", "ru"]),
    "probation.kg": ("Probation Department of Bishkek", K.PROBATION_SERVICE, "KG", "Bishkek", ["ky", "ru"]),
    "childrights.kg": ("Bishkek Commission on Children's Affairs", K.CHILD_PROTECTION, "KG", "Bishkek", ["ky", "ru"]),
    "localgov.kg": ("Alamedin Aiyl Okmotu", K.LOCAL_GOVERNMENT, "KG", "Chuy", ["ky", "ru"]),
    "socdev.kg": ("State Department for Social Development, Bishkek", K.SOCIAL_DEVELOPMENT, "KG", "Bishkek", ["ru"]),
    "prison.kg": ("Correctional Facility No. 3, Chuy Region", K.PRISON, "KG", "Chuy", ["ky", "ru"]),
    "ministry.kg": (
        "Ministry of Internal Affairs, Prevention Department",
        K.MINISTRY_DEPARTMENT,
        "KG",
        "Bishkek",
        ["ky", "ru"],
    ),
    "court.tj": ("Khujand City Court", K.COURT, "TJ", "Sughd", ["tg", "ru"]),
    "probation.tj": ("Khujand Probation Inspectorate", K.PROBATION_SERVICE, "TJ", "Sughd", ["tg", "ru"]),
    "childrights.tj": ("Khujand Commission on Child Rights", K.CHILD_PROTECTION, "TJ", "Sughd", ["tg", "ru"]),
    "localgov.tj": (
        "Khujand Hukumat, Department for Women and Family Affairs",
        K.LOCAL_GOVERNMENT,
        "TJ",
        "Sughd",
        ["tg", "ru", "uz"],
    ),
    "socdev.tj": ("Sughd Department for Social Development", K.SOCIAL_DEVELOPMENT, "TJ", "Sughd", ["tg", "ru"]),
    "prison.tj": ("Khujand Correctional Institution", K.PRISON, "TJ", "Sughd", ["tg", "ru"]),
    "ministry.tj": (
        "Ministry of Labour, Migration and Employment, Sughd Department",
        K.MINISTRY_DEPARTMENT,
        "TJ",
        "Sughd",
        ["tg", "ru"],
    ),
}

# username: (organisation key, role, first name, last name, superuser)
USERS: dict[str, tuple[str, str, str, str, bool]] = {
    "police.kg": ("police.kg", Role.POLICE_OFFICER, "Demo", "Police Officer", False),
    "psychologist.kg": ("provider.kg", Role.PSYCHOLOGIST, "Demo", "Psychologist", False),
    "social.kg": ("provider.kg", Role.SOCIAL_WORKER, "Demo", "Social Worker", False),
    "manager.kg": ("provider.kg", Role.PROGRAMME_MANAGER, "Demo", "Programme Manager", False),
    # Leads the Chance course's men's group alone, as that programme asks (one trainer, a man).
    "trainer.kg": ("provider.kg", Role.PSYCHOLOGIST, "Demo", "Men's Group Trainer", False),
    "crisis.kg": ("crisis.kg", Role.SURVIVOR_WORKER, "Demo", "Crisis Centre Worker", False),
    "monitor.kg": ("monitor.kg", Role.MONITORING_VIEWER, "Demo", "Monitoring Viewer", False),
    "admin.kg": ("provider.kg", Role.ORG_ADMIN, "Demo", "Administrator", True),
    "police.tj": ("police.tj", Role.POLICE_OFFICER, "Demo", "Police Officer", False),
    "psychologist.tj": ("provider.tj", Role.PSYCHOLOGIST, "Demo", "Psychologist", False),
    "clerk.kg": ("court.kg", Role.COURT_CLERK, "Demo", "Court Clerk", False),
    "judge.tj": ("court.tj", Role.JUDGE, "Demo", "Judge", False),
    "probation.kg": ("probation.kg", Role.PROBATION_OFFICER, "Demo", "Probation Officer", False),
    "probation.tj": ("probation.tj", Role.PROBATION_OFFICER, "Demo", "Probation Officer", False),
    "childrights.kg": ("childrights.kg", Role.CHILD_PROTECTION_SPECIALIST, "Demo", "Child Rights", False),
    "childrights.tj": ("childrights.tj", Role.CHILD_PROTECTION_SPECIALIST, "Demo", "Child Rights", False),
    "localgov.kg": ("localgov.kg", Role.SOCIAL_OFFICER, "Demo", "Social Officer", False),
    "localgov.tj": ("localgov.tj", Role.SOCIAL_OFFICER, "Demo", "Social Officer", False),
    "socdev.kg": ("socdev.kg", Role.MONITORING_OFFICER, "Demo", "Monitoring Officer", False),
    "socdev.tj": ("socdev.tj", Role.MONITORING_OFFICER, "Demo", "Monitoring Officer", False),
    "prison.kg": ("prison.kg", Role.FACILITY_OFFICER, "Demo", "Facility Officer", False),
    "prison.tj": ("prison.tj", Role.FACILITY_OFFICER, "Demo", "Facility Officer", False),
    "ministry.kg": ("ministry.kg", Role.MINISTRY_OFFICER, "Demo", "Ministry Officer", False),
    "ministry.tj": ("ministry.tj", Role.MINISTRY_OFFICER, "Demo", "Ministry Officer", False),
}

# Recorded for the facilitators so that each group is led as its programme
# asks: a pair of a woman and a man, or (Chance's men's course) one man.
GENDERS: dict[str, str] = {
    "psychologist.kg": "female",
    "social.kg": "male",
    "trainer.kg": "male",
    "psychologist.tj": "female",
}


@dataclass
class LoadResult:
    organisations_created: int = 0
    users_created: int = 0
    referrals_created: list[str] = field(default_factory=list)
    groups_created: int = 0
    enrolments_created: int = 0
    sessions_logged: int = 0
    questionnaires_created: int = 0


def _days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def _key(name: str) -> uuid.UUID:
    return uuid.uuid5(_KEYS, name)


@contextmanager
def clock_on(day: dt.date, at: dt.time = dt.time(10, 0)) -> Iterator[None]:
    """Run what follows as on ``day`` at ``at`` (local time): the clock every
    service reads (``django.utils.timezone.now``, and through it
    ``localdate`` and ``auto_now_add``) starts there and keeps running.
    For the demo's history beyond the services' backdating limits: each
    step is entered on its own day, as the staff would have."""
    real_now = timezone.now
    started = real_now()
    then = timezone.make_aware(dt.datetime.combine(day, at), timezone.get_default_timezone())
    with mock.patch.object(timezone, "now", lambda: then + (real_now() - started)):
        yield


# The main organisations' names in their countries' languages, as their
# administrators would enter them (the name as typed stays English).
ORGANISATION_NAMES: dict[str, dict[str, str]] = {
    "police.kg": {
        "ru": "УВД Октябрьского района г. Бишкек",
        "ky": "Бишкек шаарынын Октябрь районунун ИИББ",
    },
    "provider.kg": {
        "ru": "Консультационный кабинет г. Бишкек",
        "ky": "Бишкек шаарынын консультациялык кабинети",
    },
    "crisis.kg": {
        "ru": "Кризисный центр «Сезим»",
        "ky": "«Сезим» кризистик борбору",
    },
    "monitor.kg": {
        "ru": "Мэрия г. Бишкек, управление социального развития",
        "ky": "Бишкек шаарынын мэриясы, социалдык өнүктүрүү башкармалыгы",
    },
    "police.tj": {
        "ru": "ОВД г. Худжанд",
        "tg": "ШВКД шаҳри Хуҷанд",
        "uz": "Xoʻjand shahar IIB",
    },
    "provider.tj": {
        "ru": "Консультационный кабинет г. Худжанд",
        "tg": "Ҳуҷраи машваратии шаҳри Хуҷанд",
        "uz": "Xoʻjand shahar maslahat xonasi",
    },
    "crisis.tj": {
        "ru": "Ресурсный центр для женщин г. Худжанд",
        "tg": "Маркази захиравии занони шаҳри Хуҷанд",
        "uz": "Xoʻjand shahar ayollar resurs markazi",
    },
    "monitor.tj": {
        "ru": "Комитет по делам женщин и семьи, Согдийская область",
        "tg": "Кумитаи кор бо занон ва оила, вилояти Суғд",
        "uz": "Xotin-qizlar va oila ishlari qoʻmitasi, Sugʻd viloyati",
    },
}


# The consultation room's rooms in every language, as its administrator
# would enter them (the name as typed stays English).
ROOMS: dict[str, dict[str, str]] = {
    f"Room {n}": {
        "ru": f"Кабинет {n}",
        "ky": f"{n}-бөлмө",
        "tg": f"Ҳуҷраи {n}",
        "uz": f"{n}-xona",
        "kk": f"{n}-бөлме",
        "tk": f"{n}-nji otag",
    }
    for n in range(1, 5)
}


def _organisations(result: LoadResult) -> dict[str, Organisation]:
    orgs = {}
    for key, (name, kind, country, region, languages) in ORGANISATIONS.items():
        orgs[key], created = Organisation.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "country": country,
                "region": region,
                "languages": languages,
                "name_translations": ORGANISATION_NAMES.get(key, {}),
            },
        )
        result.organisations_created += created
    return orgs


def _users(orgs: dict[str, Organisation], result: LoadResult) -> dict[str, User]:
    users = {}
    for username, (org_key, role, first, last, superuser) in USERS.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                gender=GENDERS.get(username, ""),
                is_staff=superuser,
                is_superuser=superuser,
            )
            validate_password(DEMO_PASSWORD, user)
            user.set_password(DEMO_PASSWORD)
            user.full_clean()
            user.save()
            membership = Membership(user=user, organisation=orgs[org_key], role=role)
            membership.full_clean()
            membership.save()
            result.users_created += 1
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            totp_device_create(user=user, name=DEMO_DEVICE_NAME, key_hex=DEMO_TOTP_KEY_HEX, confirmed=True)
        _demo_channels(user)
        users[username] = user
    return users


# Demo alert channels (development backends print or write them to files):
# every user has a confirmed email; the people who handle safety notices
# also SMS, and the crisis worker and the police officer Telegram.
DEMO_SMS = {"police.kg": "+996555100001", "crisis.kg": "+996555100002", "manager.kg": "+996555100003"}
DEMO_SMS |= {"police.tj": "+992900100004"}
DEMO_TELEGRAM = {"crisis.kg": "100000002", "police.kg": "100000001"}


def _demo_channels(user: User) -> None:
    from notifications.models import AlertChannel

    now = timezone.now()
    wanted = {"email": f"{user.username.replace('.', '-')}@example.org"}
    if user.username in DEMO_SMS:
        wanted["sms"] = DEMO_SMS[user.username]
    if user.username in DEMO_TELEGRAM:
        wanted["telegram"] = DEMO_TELEGRAM[user.username]
    for kind, address in wanted.items():
        AlertChannel.objects.get_or_create(user=user, kind=kind, defaults={"address": address, "confirmed_at": now})


def _person(family: str, given: str, *, sex: str, born: dt.date, phone: str, language: str, **extra) -> dict:
    return {
        "family_name": family,
        "given_name": given,
        "patronymic": extra.pop("patronymic", ""),
        "sex": sex,
        "birth_date": born,
        "phone": phone,
        "address": extra.pop("address", "Демонстрационная ул., 1"),
        "preferred_language": language,
        "household": extra.pop("household", "Demo household: partner and two children."),
    }


def _survivor(family: str, given: str, *, relationship: str, phone: str, children: int = 0, **extra) -> dict:
    return {
        "family_name": family,
        "given_name": given,
        "relationship": relationship,
        "phone": phone,
        "address": extra.pop("address", "Демонстрационная ул., 2, кв. 3"),
        "children_in_household": children,
        "consents_to_contact": extra.pop("consents_to_contact", True),
    }


def _order(number: str, authority: str, issued: int, expires: int, obliges: bool) -> dict:
    return {
        "order_number": number,
        "order_issuing_authority": authority,
        "order_issued_on": _days(issued),
        "order_expires_on": _days(expires),
        "order_obliges_programme": obliges,
    }


def _refer(key: str, police: User, provider: Organisation, **data) -> Referral:
    referral, _created = referral_services.referral_create(
        by=police,
        provider=provider,
        source=data.pop("source", "police"),
        person=data.pop("person"),
        survivors=data.pop("survivors"),
        order=data.pop("order"),
        incident_description=data.pop("incident"),
        risk_flags=data.pop("risk_flags", ()),
        submission_key=_key(key),
    )
    return referral


def _screen(referral: Referral, by: User, overrides: dict[str, str] | None = None, notes: str = "") -> None:
    answers = {c.code: Screening.Answer.MET for c in criteria_for_provider(referral.provider)}
    answers.update(overrides or {})
    referral_services.screening_save(referral=referral, by=by, answers=answers, notes=notes)


def _accept(referral: Referral, by: User) -> Referral:
    _screen(referral, by)
    return referral_services.referral_accept(referral=referral, by=by)


def _intake(
    referral: Referral,
    by: User,
    *,
    language: str,
    share: str,
    risk: dict[str, bool],
    notes: str,
    on: dt.date | None = None,
    acknowledges: str = "partly",
    motivation: str = "medium",
    substance_use: str = "some",
    history: str = "Demo: two earlier incidents at home reported by neighbours.",
    interview_notes: str = "Demo: came on time; blames stress at work; agrees to attend.",
) -> Case:
    consents = {
        s.pk: {Consent.Kind.SURVIVOR_CONTACT: Consent.Decision.GIVEN, Consent.Kind.SURVIVOR_SHARING: share}
        for s in referral.survivors.all()
    }
    return case_services.intake_complete(
        referral=referral,
        by=by,
        interview={
            "interviewed_on": on or timezone.localdate(),
            "language": language,
            "acknowledges_violence": acknowledges,
            "violence_within_family_only": True,
            "substance_use": substance_use,
            "mental_health_concern": False,
            "motivation": motivation,
            "violence_history": history,
            "notes": interview_notes,
        },
        person_release=Consent.Decision.GIVEN,
        survivor_consents=consents,
        instrument=RiskInstrument.objects.get(code="basic-checklist"),
        risk_answers=risk,
        risk_notes=notes,
    )


KG_AUTHORITY = "Bishkek City Police, Oktyabrsky District"
TJ_AUTHORITY = "Khujand City Police"
