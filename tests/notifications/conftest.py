"""Fixtures for safety notifications: staff with email addresses and SMS
phones, a helper that records an event as another app would (inside its
transaction), and an SMS file sink."""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from django.utils import timezone

from notifications.models import AlertChannel, Notice, SafetyEvent, StaffContact
from notifications.services import safety_event_record

SURVIVOR_SECRETS = ("Асанова", "Айгуль", "+996700987654", "700987654", "Тайный", "кв. 3")

# Staff phones (staff data), one per standing user who handles notices.
STAFF_PHONES = {
    "survivor_worker": "+996555000001",
    "police": "+996555000002",
    "police2": "+996555000003",
    "manager": "+996555000004",
    "psychologist": "+996555000005",
}


@pytest.fixture
def contacts(users):
    """Every standing user has an email address; the ones above a phone."""
    for name, user in users.items():
        user.email = f"{name}@example.org"
        user.preferred_language = "en"
        user.save(update_fields=["email", "preferred_language"])
    for name, phone in STAFF_PHONES.items():
        StaffContact.objects.create(user=users[name], phone=phone)
    confirm(users)
    return users


def confirm(users, *, telegram: dict | None = None) -> None:
    """Confirmed alert channels: email for everyone, SMS for the phones
    above, Telegram for the chats given ({name: chat id})."""
    now = timezone.now()
    for name, user in users.items():
        AlertChannel.objects.update_or_create(
            user=user, kind="email", defaults={"address": user.email, "confirmed_at": now}
        )
        if name in STAFF_PHONES:
            AlertChannel.objects.update_or_create(
                user=user, kind="sms", defaults={"address": STAFF_PHONES[name], "confirmed_at": now}
            )
        if telegram and name in telegram:
            AlertChannel.objects.update_or_create(
                user=user, kind="telegram", defaults={"address": telegram[name], "confirmed_at": now}
            )


@pytest.fixture
def sms_sink(settings, tmp_path):
    """SMS go to a JSON-lines file; returns a reader of its lines."""
    path = tmp_path / "sms.jsonl"
    settings.SMS_BACKEND = "notifications.sms.FileBackend"
    settings.SMS_FILE_PATH = str(path)

    def read() -> list[dict]:
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]

    return read


def record(kind: str, case, key: str | None = None, facts: dict | None = None, **kwargs) -> SafetyEvent | None:
    """Record an event the way a service does: inside its transaction."""
    with transaction.atomic():
        return safety_event_record(
            kind=kind, case=case, facts=facts or {}, dedupe_key=key or f"{kind}:test:{case.pk}", **kwargs
        )


def notice_of(event: SafetyEvent, organisation) -> Notice:
    return event.notices.get(organisation=organisation)


def recipients(event: SafetyEvent) -> dict[str, tuple[str, bool]]:
    """{organisation name: (role hint, no survivor service flag)}"""
    return {
        n.organisation.name: (n.role_hint, n.no_survivor_service) for n in event.notices.select_related("organisation")
    }
