"""Authenticator seeds are never stored in clear: the device row holds a
marker, the seed sits encrypted in ``TOTPSecret`` under the rotating field
keys, and sign-in, enrolment and key rotation keep working."""

from __future__ import annotations

import base64
import importlib
from binascii import unhexlify
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import SEALED_KEY, SealedTOTPDevice
from accounts.services import device_key_hex, totp_device_create
from tests import factories as f
from tests.accounts.conftest import code_for

NEW_KEY = Fernet.generate_key().decode()


def _raw(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _seed_forms(key_hex: str) -> set[str]:
    """The ways a seed could be written down: hex either case, base32."""
    raw = unhexlify(key_hex)
    return {key_hex.lower(), key_hex.upper(), base64.b32encode(raw).decode().rstrip("=")}


def _all_rows_text() -> str:
    rows = _raw("SELECT * FROM otp_totp_totpdevice") + _raw("SELECT * FROM accounts_totpsecret")
    return "\n".join(str(value) for row in rows for value in row)


def test_no_seed_is_readable_in_the_raw_tables(users, client, orgs):
    from tests.accounts.test_two_factor import _new_user, _with_enrolment_code

    # A pending device made through the setup page, next to the standing users'.
    user = _new_user(orgs)
    _with_enrolment_code(client, user)
    client.get("/accounts/two-factor/setup/")
    pending = SealedTOTPDevice.objects.get(user=user)
    dump = _all_rows_text()
    for key_hex in (f.TEST_TOTP_KEY_HEX, device_key_hex(pending)):
        for form in _seed_forms(key_hex):
            assert form not in dump
    assert {key for (key,) in _raw("SELECT key FROM otp_totp_totpdevice")} == {SEALED_KEY}
    secrets = [key for (key,) in _raw("SELECT key FROM accounts_totpsecret")]
    assert len(secrets) == TOTPDevice.objects.count()
    assert all(secret.startswith("fernet:") for secret in secrets)


def test_signing_in_reads_the_sealed_seed(client, users):
    response = client.post("/accounts/login/", {"username": "police", "password": f.PASSWORD, "otp_token": code_for()})
    assert response.status_code == 302
    assert client.get("/referrals/mine/").status_code == 200


def test_a_device_read_the_django_otp_way_fails_closed(users):
    """The marker is not hex: a code path that bypassed the sealed device
    would fail instead of checking codes against a known key."""
    plain = TOTPDevice.objects.get(user=users["police"])
    assert plain.key == SEALED_KEY
    with pytest.raises(ValueError):
        plain.verify_token(code_for())


def test_rotation_reencrypts_the_seeds(users):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    device = SealedTOTPDevice.objects.get(user=users["police"])
    [(before,)] = _raw("SELECT key FROM accounts_totpsecret WHERE device_id = %s", [device.pk])

    out = StringIO()
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, old_key]):
        call_command("rotate_encryption_keys", stdout=out)
    assert "accounts.TOTPSecret: " in out.getvalue()

    [(after,)] = _raw("SELECT key FROM accounts_totpsecret WHERE device_id = %s", [device.pk])
    assert after != before
    assert Fernet(NEW_KEY.encode()).decrypt(after.removeprefix("fernet:").encode()).decode() == f.TEST_TOTP_KEY_HEX
    # With the old key gone, the device still verifies codes.
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        fresh = SealedTOTPDevice.objects.get(pk=device.pk)
        assert fresh.verify_token(code_for())


def test_the_migration_seals_devices_kept_in_clear(users):
    seal = importlib.import_module("accounts.migrations.0004_sealed_totp_secrets").seal
    user = users["police2"]
    TOTPDevice.objects.filter(user=user).delete()
    key_hex = "3132333435363738393031323334353637383930"
    legacy = TOTPDevice.objects.create(user=user, name="old phone", key=key_hex, confirmed=True)

    seal(apps, None)

    [(column,)] = _raw("SELECT key FROM otp_totp_totpdevice WHERE id = %s", [legacy.pk])
    assert column == SEALED_KEY
    assert key_hex not in _all_rows_text()
    sealed = SealedTOTPDevice.objects.get(pk=legacy.pk)
    assert device_key_hex(sealed) == key_hex
    assert sealed.verify_token(f"{totp(unhexlify(key_hex)):06d}")
    # Run again: nothing changes (already sealed devices are left alone).
    seal(apps, None)
    assert device_key_hex(SealedTOTPDevice.objects.get(pk=legacy.pk)) == key_hex


def test_a_reset_removes_the_sealed_seed_with_the_device(users):
    device = SealedTOTPDevice.objects.get(user=users["police"])
    services.enrolment_code_issue(user=users["police"], actor=None, reset=True)
    assert _raw("SELECT count(*) FROM accounts_totpsecret WHERE device_id = %s", [device.pk]) == [(0,)]


def test_new_devices_get_a_random_seed(users):
    first = totp_device_create(user=users["police"], name="a", confirmed=False)
    second = totp_device_create(user=users["police"], name="b", confirmed=False)
    assert len(device_key_hex(first)) == 40
    assert device_key_hex(first) != device_key_hex(second)
