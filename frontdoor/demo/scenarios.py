"""The hand-written referrals of the demo: one in each state of the referral
workflow, in both countries (see the table in README.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from casework import services as case_services
from casework.models import Consent, RiskInstrument
from frontdoor.demo.common import (
    KG_AUTHORITY,
    TJ_AUTHORITY,
    _accept,
    _days,
    _intake,
    _order,
    _person,
    _refer,
    _screen,
    _survivor,
)
from referrals import services as referral_services
from referrals.models import Referral, Screening

# -- Kyrgyzstan ------------------------------------------------------------------


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
