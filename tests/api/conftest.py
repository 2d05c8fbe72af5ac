"""API clients authenticated with a user's token, and a valid referral body."""

from __future__ import annotations

import datetime as dt

SURVIVOR_PHONE = "+996700987654"
SURVIVOR_ADDRESS = "Бишкек, мкр. Тайный 7, кв. 3"
SURVIVOR_NAME = "Айгуль"


def survivor_body(**overrides) -> dict:
    body = {
        "family_name": "Асанова",
        "given_name": SURVIVOR_NAME,
        "relationship": "partner",
        "phone": SURVIVOR_PHONE,
        "address": SURVIVOR_ADDRESS,
        "children_in_household": 2,
        "consents_to_contact": True,
    }
    body.update(overrides)
    return body


def referral_body(provider_id: int, **overrides) -> dict:
    today = dt.date.today()
    body = {
        "provider": provider_id,
        "source": "police",
        "order": {
            "number": "PO-2025-0142",
            "issuing_authority": "Pervomaisky district police",
            "issued_on": (today - dt.timedelta(days=2)).isoformat(),
            "expires_on": (today + dt.timedelta(days=28)).isoformat(),
            "obliges_programme": True,
        },
        "person": {
            "family_name": "Асанов",
            "given_name": "Бакыт",
            "patronymic": "Маратович",
            "sex": "male",
            "birth_date": "1985-04-12",
            "phone": "+996555123456",
            "address": "Бишкек, ул. Примерная 1",
            "preferred_language": "ky",
            "household": "Wife, two children, mother",
        },
        "survivors": [survivor_body()],
        "incident_description": "Pushed and threatened his wife at home.",
        "risk_flags": ["threat_to_kill", "weapon"],
        "external_id": "",
    }
    body.update(overrides)
    return body
