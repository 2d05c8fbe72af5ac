"""Fixtures for the case pages: the standing case (see tests/conftest.py),
its survivor, a case of another provider, and safety-plan data."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories as f

SURVIVOR_NAME = ("Асанова", "Айгуль")
SURVIVOR_PHONE = ("+996700987654", "700987654", "700 987 654")
SURVIVOR_ADDRESS = ("Тайный", "кв. 3")


def survivor_secrets() -> tuple[str, ...]:
    return SURVIVOR_NAME + SURVIVOR_PHONE + SURVIVOR_ADDRESS


def assert_no_survivor_details(content: str) -> None:
    for secret in survivor_secrets():
        assert secret not in content, f"survivor detail {secret!r} leaked"


def plan_data(**overrides) -> dict:
    data = {
        "risks": "He knows her workplace.",
        "safe_contacts": "Sister Gulnara, neighbour Ainura",
        "safe_places": "Sister's flat",
        "code_word": "apricot",
        "children_safety": "Children go to the neighbour's if he comes.",
        "next_review_on": dt.date.today() + dt.timedelta(days=30),
    }
    data.update(overrides)
    return data


@pytest.fixture
def survivor(case):
    return case.referral.survivors.get()


@pytest.fixture
def other_case(users, orgs):
    referral = f.make_referral(police=users["other_police"], provider=orgs["other_provider"])
    return f.open_case(referral, users["other_psychologist"])


@pytest.fixture
def refused_case(users, orgs):
    """A case whose survivor refused both contact and sharing at intake."""
    referral = f.make_referral(police=users["police"], provider=orgs["provider"])
    return f.open_case(referral, users["psychologist"], survivor_consent="refused")


@pytest.fixture
def accepted_referral(referral, users):
    return f.accept(referral, users["psychologist"])
