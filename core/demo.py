"""Demo data for `make run`: organisations, one user per role, and referrals
in different states, all built through the real services.

Everything here is invented. The family names are Russian words for "test",
"example", "sample", "template", "mock-up" and "draft"; the addresses are on
"Demonstration street"; the phone numbers are made up. The password and the
TOTP secret are public (README.md): never load this into a real database.

Loading is idempotent: organisations and users are looked up by name, and each
referral carries a fixed submission key, so a second run creates nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Membership, Organisation, Role, User
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
}

# username: (organisation key, role, first name, last name, superuser)
USERS: dict[str, tuple[str, str, str, str, bool]] = {
    "police.kg": ("police.kg", Role.POLICE_OFFICER, "Demo", "Police Officer", False),
    "psychologist.kg": ("provider.kg", Role.PSYCHOLOGIST, "Demo", "Psychologist", False),
    "social.kg": ("provider.kg", Role.SOCIAL_WORKER, "Demo", "Social Worker", False),
    "manager.kg": ("provider.kg", Role.PROGRAMME_MANAGER, "Demo", "Programme Manager", False),
    "crisis.kg": ("crisis.kg", Role.SURVIVOR_WORKER, "Demo", "Crisis Centre Worker", False),
    "monitor.kg": ("monitor.kg", Role.MONITORING_VIEWER, "Demo", "Monitoring Viewer", False),
    "admin.kg": ("provider.kg", Role.ORG_ADMIN, "Demo", "Administrator", True),
    "police.tj": ("police.tj", Role.POLICE_OFFICER, "Demo", "Police Officer", False),
    "psychologist.tj": ("provider.tj", Role.PSYCHOLOGIST, "Demo", "Psychologist", False),
}


@dataclass
class LoadResult:
    organisations_created: int = 0
    users_created: int = 0
    referrals_created: list[str] = field(default_factory=list)


def _days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def _key(name: str) -> uuid.UUID:
    return uuid.uuid5(_KEYS, name)


def _organisations(result: LoadResult) -> dict[str, Organisation]:
    orgs = {}
    for key, (name, kind, country, region, languages) in ORGANISATIONS.items():
        orgs[key], created = Organisation.objects.get_or_create(
            name=name, defaults={"kind": kind, "country": country, "region": region, "languages": languages}
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
                preferred_language="ru",
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
            TOTPDevice.objects.create(user=user, name=DEMO_DEVICE_NAME, key=DEMO_TOTP_KEY_HEX, confirmed=True)
        users[username] = user
    return users


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


def _intake(referral: Referral, by: User, *, language: str, share: str, risk: dict[str, bool], notes: str) -> Case:
    consents = {
        s.pk: {Consent.Kind.SURVIVOR_CONTACT: Consent.Decision.GIVEN, Consent.Kind.SURVIVOR_SHARING: share}
        for s in referral.survivors.all()
    }
    return case_services.intake_complete(
        referral=referral,
        by=by,
        interview={
            "interviewed_on": timezone.localdate(),
            "language": language,
            "acknowledges_violence": "partly",
            "violence_within_family_only": True,
            "substance_use": "some",
            "mental_health_concern": False,
            "motivation": "medium",
            "violence_history": "Demo: two earlier incidents at home reported by neighbours.",
            "notes": "Demo: came on time; blames stress at work; agrees to attend.",
        },
        person_release=Consent.Decision.GIVEN,
        survivor_consents=consents,
        instrument=RiskInstrument.objects.get(code="basic-checklist"),
        risk_answers=risk,
        risk_notes=notes,
    )


# -- Kyrgyzstan ------------------------------------------------------------------

KG_AUTHORITY = "Bishkek City Police, Oktyabrsky District"
TJ_AUTHORITY = "Khujand City Police"


def _kg_received(orgs, users) -> Referral:
    return _refer(
        "kg-received",
        users["police.kg"],
        orgs["provider.kg"],
        person=_person("Тестов", "Эрмек", sex="male", born=dt.date(1988, 3, 14), phone="+996700000101", language="ky"),
        survivors=[_survivor("Тестова", "Жыпар", relationship="partner", phone="+996700000201", children=2)],
        order=_order("KG-DEMO-0001", KG_AUTHORITY, issued=-1, expires=2, obliges=False),
        incident="Demo: shouted at and pushed his wife during an argument; the children were at home.",
        risk_flags=["escalation", "children_present"],
    )


def _kg_screening(orgs, users) -> Referral:
    referral = _refer(
        "kg-screening",
        users["police.kg"],
        orgs["provider.kg"],
        person=_person(
            "Примеров", "Нурлан", sex="male", born=dt.date(1979, 11, 2), phone="+996555000102", language="ru"
        ),
        survivors=[_survivor("Примерова", "Айпери", relationship="partner", phone="+996555000202", children=1)],
        order=_order("KG-DEMO-0002", KG_AUTHORITY, issued=-4, expires=-1, obliges=False),
        incident="Demo: threatened his wife and broke household items.",
        risk_flags=["earlier_orders", "order_breach"],
    )
    # Decree 390: the 3-day order is extended to one month with an obligation.
    referral_services.referral_extend_order(
        referral=referral, by=users["police.kg"], extended_on=_days(-1), new_expiry=_days(29), obliges_programme=True
    )
    _screen(
        referral,
        users["social.kg"],
        {"no_mental_disorder": Screening.Answer.UNKNOWN},
        notes="Demo: waiting for a letter from the district psychiatrist.",
    )
    return referral


def _kg_declined(orgs, users) -> Referral:
    referral = _refer(
        "kg-declined",
        users["police.kg"],
        orgs["provider.kg"],
        person=_person(
            "Образцов", "Марат", sex="male", born=dt.date(1983, 6, 21), phone="+996770000103", language="ky"
        ),
        survivors=[_survivor("Образцова", "Нургуль", relationship="partner", phone="+996770000203")],
        order=_order("KG-DEMO-0003", KG_AUTHORITY, issued=-6, expires=-3, obliges=False),
        incident="Demo: hit his wife while drunk.",
        risk_flags=["substance_abuse"],
    )
    _screen(referral, users["psychologist.kg"], {"no_addiction": Screening.Answer.NOT_MET})
    referral_services.referral_decline(
        referral=referral,
        by=users["psychologist.kg"],
        reason=Referral.DeclineReason.BASIC_THERAPY_FIRST,
        explanation="Demo: referred to addiction treatment first; may be referred again afterwards.",
    )
    return referral


def _kg_accepted(orgs, users) -> Referral:
    # Women perpetrators exist too: here a mother-in-law and her daughter-in-law.
    referral = _refer(
        "kg-accepted",
        users["police.kg"],
        orgs["provider.kg"],
        person=_person(
            "Макетова",
            "Гульнара",
            sex="female",
            born=dt.date(1961, 1, 30),
            phone="+996700000104",
            language="ky",
            household="Demo household: son, daughter-in-law, two grandchildren.",
        ),
        survivors=[_survivor("Макетова", "Асель", relationship="daughter_in_law", phone="+996700000204", children=2)],
        order=_order("KG-DEMO-0004", KG_AUTHORITY, issued=-2, expires=28, obliges=True),
        incident="Demo: repeatedly insulted and slapped her daughter-in-law, locked her out of the house.",
        risk_flags=["escalation", "stalking"],
    )
    return _accept(referral, users["social.kg"])


def _kg_open_case(orgs, users) -> Referral:
    referral = _refer(
        "kg-open-case",
        users["police.kg"],
        orgs["provider.kg"],
        person=_person(
            "Шаблонов", "Азамат", sex="male", born=dt.date(1990, 9, 9), phone="+996555000105", language="ru"
        ),
        survivors=[_survivor("Шаблонова", "Бермет", relationship="partner", phone="+996555000205", children=3)],
        order=_order("KG-DEMO-0005", KG_AUTHORITY, issued=-3, expires=27, obliges=True),
        incident="Demo: controls his wife's money and phone; pushed her against a wall.",
        risk_flags=["stalking", "escalation", "earlier_orders"],
    )
    _accept(referral, users["psychologist.kg"])
    _intake(
        referral,
        users["psychologist.kg"],
        language="ru",
        share=Consent.Decision.REFUSED,
        risk={"stalking": True, "escalation": True, "earlier_orders": True},
        notes="Demo: controlling behaviour; review after the first group sessions.",
    )
    return referral


def _kg_crisis_case(orgs, users) -> Referral:
    referral = _refer(
        "kg-crisis-case",
        users["police.kg"],
        orgs["provider.kg"],
        person=_person(
            "Черновиков", "Алмаз", sex="male", born=dt.date(1986, 5, 5), phone="+996700000106", language="ky"
        ),
        survivors=[_survivor("Черновикова", "Динара", relationship="ex_partner", phone="+996700000206", children=1)],
        order=_order("KG-DEMO-0006", KG_AUTHORITY, issued=-5, expires=25, obliges=True),
        incident="Demo: came to his ex-partner's flat after the separation and threatened to kill her.",
        risk_flags=["threat_to_kill", "separation", "children_present"],
    )
    _accept(referral, users["psychologist.kg"])
    case = _intake(
        referral,
        users["psychologist.kg"],
        language="ky",
        share=Consent.Decision.GIVEN,
        risk={"threat_to_kill": True, "separation": True, "children_present": True},
        notes="Demo: threat to kill after separation; survivor service to be involved at once.",
    )
    case_services.survivor_service_refer(case=case, organisation=orgs["crisis.kg"], by=users["social.kg"])
    survivor = referral.survivors.get()
    case_services.survivor_contact_log(
        case=case,
        survivor=survivor,
        by=users["crisis.kg"],
        contacted_on=timezone.localdate(),
        method="phone",
        outcome="reached",
        informed_about_programme=True,
        notes="Demo: told her about the programme; she agreed to meet at the centre.",
    )
    case_services.safety_plan_save(
        case=case,
        survivor=survivor,
        by=users["crisis.kg"],
        risks="Demo: he knows her address and her work schedule.",
        safe_contacts="Demo: her sister; the crisis centre hotline.",
        safe_places="Demo: the crisis centre shelter.",
        code_word="Demo: 'apricots'",
        children_safety="Demo: the school knows who may collect the child.",
        next_review_on=_days(14),
    )
    case_services.risk_reassess(
        case=case,
        by=users["psychologist.kg"],
        instrument=RiskInstrument.objects.get(code="basic-checklist"),
        answers={"threat_to_kill": True, "separation": True, "children_present": True, "stalking": True},
        notes="Demo: he asked other participants where she lives now.",
    )
    return referral


# -- Tajikistan ------------------------------------------------------------------


def _tj_received(orgs, users) -> Referral:
    return _refer(
        "tj-received",
        users["police.tj"],
        orgs["provider.tj"],
        person=_person("Тестов", "Фаррух", sex="male", born=dt.date(1987, 2, 17), phone="+992920000201", language="tg"),
        survivors=[_survivor("Тестова", "Мадина", relationship="partner", phone="+992920000301", children=2)],
        order=_order("TJ-DEMO-0001", TJ_AUTHORITY, issued=-3, expires=12, obliges=True),
        incident="Demo: beat his wife; the neighbours called the police.",
        risk_flags=["children_present"],
    )


def _tj_case(orgs, users) -> Referral:
    referral = _refer(
        "tj-case",
        users["police.tj"],
        orgs["provider.tj"],
        person=_person(
            "Примеров", "Шерзод", sex="male", born=dt.date(1984, 8, 8), phone="+992935000202", language="uz"
        ),
        survivors=[_survivor("Примерова", "Нилуфар", relationship="partner", phone="+992935000302", children=4)],
        order=_order("TJ-DEMO-0002", TJ_AUTHORITY, issued=-10, expires=5, obliges=True),
        incident="Demo: threatened his wife with a knife.",
        risk_flags=["weapon", "escalation"],
    )
    _accept(referral, users["psychologist.tj"])
    case = _intake(
        referral,
        users["psychologist.tj"],
        language="uz",
        share=Consent.Decision.GIVEN,
        risk={"weapon": True, "escalation": True},
        notes="Demo: weapon threatened; survivor referred to the women's resource centre.",
    )
    case_services.survivor_service_refer(case=case, organisation=orgs["crisis.tj"], by=users["psychologist.tj"])
    return referral


SCENARIOS: list[tuple[str, Callable]] = [
    ("kg-received", _kg_received),
    ("kg-screening", _kg_screening),
    ("kg-declined", _kg_declined),
    ("kg-accepted", _kg_accepted),
    ("kg-open-case", _kg_open_case),
    ("kg-crisis-case", _kg_crisis_case),
    ("tj-received", _tj_received),
    ("tj-case", _tj_case),
]


@transaction.atomic
def load_demo_data() -> LoadResult:
    """Create whatever of the demo data does not exist yet."""
    result = LoadResult()
    orgs = _organisations(result)
    users = _users(orgs, result)
    for key, build in SCENARIOS:
        if Referral.objects.filter(submission_key=_key(key)).exists():
            continue
        build(orgs, users)
        result.referrals_created.append(key)
    return result
