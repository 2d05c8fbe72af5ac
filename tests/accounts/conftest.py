from __future__ import annotations

from binascii import unhexlify

import pytest
from django_otp.oath import totp

from tests.factories import TEST_TOTP_KEY_HEX


def code_for(key_hex: str = TEST_TOTP_KEY_HEX) -> str:
    """The code an authenticator app shows now for this (hex) device key."""
    return f"{totp(unhexlify(key_hex)):06d}"


def other_code(key_hex: str = TEST_TOTP_KEY_HEX) -> str:
    """A well-formed code that is not valid now or in the tolerated steps."""
    valid = {f"{totp(unhexlify(key_hex), drift=d):06d}" for d in (-2, -1, 0, 1, 2)}
    return next(c for c in ("000000", "111111", "222222") if c not in valid)


@pytest.fixture
def code():
    return code_for
