"""manage.py rotate_encryption_keys: every encrypted value ends up under the newest key."""

from __future__ import annotations

from io import StringIO

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from casework.models import SafetyPlan
from casework.services import safety_plan_save
from referrals.models import Survivor
from tests import factories as f

pytestmark = pytest.mark.django_db

NEW_KEY = Fernet.generate_key().decode()


def _raw(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def _token(stored: str) -> bytes:
    assert stored.startswith("fernet:")
    return stored[len("fernet:") :].encode()


@pytest.fixture
def plan(case_with_service, users):
    survivor = case_with_service.referral.survivors.get()
    return safety_plan_save(
        case=case_with_service,
        survivor=survivor,
        by=users["survivor_worker"],
        risks="He knows her workplace.",
        safe_contacts="Her sister",
        safe_places="Crisis centre shelter",
        code_word="apricots",
        children_safety="School is informed.",
        next_review_on=f.order_data()["order_expires_on"],
    )


def test_it_reencrypts_every_value_with_the_newest_key(plan):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    before = _raw("SELECT id, phone, address FROM referrals_survivor ORDER BY id")
    plan_before = _raw("SELECT code_word FROM casework_safetyplan")[0][0]

    out = StringIO()
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, old_key]):
        call_command("rotate_encryption_keys", "--batch-size", "1", stdout=out)

    after = _raw("SELECT id, phone, address FROM referrals_survivor ORDER BY id")
    new, old = Fernet(NEW_KEY.encode()), Fernet(old_key.encode())
    for (_id, phone_before, address_before), (_id2, phone, address) in zip(before, after, strict=True):
        assert phone != phone_before and address != address_before
        assert new.decrypt(_token(phone)).decode() == "+996700987654"
        assert new.decrypt(_token(address)).decode() == "Бишкек, мкр. Тайный 7, кв. 3"
        with pytest.raises(InvalidToken):
            old.decrypt(_token(phone))
    plan_after = _raw("SELECT code_word FROM casework_safetyplan")[0][0]
    assert plan_after != plan_before
    assert new.decrypt(_token(plan_after)).decode() == "apricots"
    assert "referrals.Survivor: 4 values re-encrypted, 0 already current" in out.getvalue()
    assert "casework.SafetyPlan: 5 values re-encrypted, 0 already current" in out.getvalue()

    # The old key can now be dropped: the application reads with the new key alone.
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        assert Survivor.objects.get().phone == "+996700987654"
        assert SafetyPlan.objects.get().code_word == "apricots"


def test_the_safety_plan_versions_are_reencrypted_and_no_version_is_added(plan, case_with_service, users):
    """The history keeps its rows under the newest key too (else dropping the
    old key would lose them), and re-encrypting is no new version."""
    survivor = case_with_service.referral.survivors.get()
    safety_plan_save(
        case=case_with_service,
        survivor=survivor,
        by=users["survivor_worker"],
        **{**_plan_fields(plan), "code_word": "lemon tree"},
    )
    before = _raw("SELECT pgh_id, code_word FROM casework_safetyplanversion ORDER BY pgh_id")
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    out = StringIO()
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, old_key]):
        call_command("rotate_encryption_keys", stdout=out)
    after = _raw("SELECT pgh_id, code_word FROM casework_safetyplanversion ORDER BY pgh_id")
    assert [row[0] for row in after] == [row[0] for row in before]
    assert all(new != old for (_i, new), (_j, old) in zip(after, before, strict=True))
    new = Fernet(NEW_KEY.encode())
    assert [new.decrypt(_token(code_word)).decode() for _id, code_word in after] == ["apricots", "lemon tree"]
    assert "casework.SafetyPlanVersion: 10 values re-encrypted, 0 already current" in out.getvalue()


def _plan_fields(plan) -> dict:
    return {
        name: getattr(plan, name)
        for name in ("risks", "safe_contacts", "safe_places", "code_word", "children_safety", "next_review_on")
    }


def test_a_second_run_changes_nothing(plan):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, old_key]):
        call_command("rotate_encryption_keys", stdout=StringIO())
        first = _raw("SELECT phone, address FROM referrals_survivor")
        out = StringIO()
        call_command("rotate_encryption_keys", stdout=out)
    assert _raw("SELECT phone, address FROM referrals_survivor") == first
    assert "Done: 0 values re-encrypted with the newest key." in out.getvalue()


def test_it_stops_on_a_value_no_key_decrypts_and_rolls_back_its_batch(plan):
    before = _raw("SELECT phone FROM referrals_survivor")
    stranger = Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, stranger]):
        with pytest.raises(CommandError, match=r"\w+\.\w+ of row \d+ does not decrypt with any key"):
            call_command("rotate_encryption_keys", stdout=StringIO())
    assert _raw("SELECT phone FROM referrals_survivor") == before
