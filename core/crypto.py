"""Encryption at rest for survivor data and free-text notes.

Keys come from ``settings.FIELD_ENCRYPTION_KEYS`` (Fernet keys, newest first),
kept apart from ``SECRET_KEY``. The newest key encrypts; every listed key
decrypts, so keys can be rotated: add a new key in front, run
``manage.py rotate_encryption_keys``, then drop the old key.

A value that does not decrypt raises ``DecryptionError``; it is never shown
as ciphertext.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.validators import MaxLengthValidator
from django.db import models

PREFIX = "fernet:"


class DecryptionError(Exception):
    """Stored ciphertext could not be decrypted with any configured key."""

    def __init__(self) -> None:
        super().__init__("An encrypted value could not be decrypted with the configured keys.")


@lru_cache(maxsize=4)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: encrypted fields cannot be used.")
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except ValueError as exc:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS holds a malformed Fernet key.") from exc


def fernet() -> MultiFernet:
    return _fernet_for(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return PREFIX + fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        raise DecryptionError()
    try:
        return fernet().decrypt(stored[len(PREFIX) :].encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeDecodeError, ValueError) as exc:
        raise DecryptionError() from exc


def rotate(stored: str) -> str:
    """Re-encrypt a stored value with the newest key."""
    if not stored.startswith(PREFIX):
        raise DecryptionError()
    try:
        token = fernet().rotate(stored[len(PREFIX) :].encode("ascii"))
    except InvalidToken as exc:
        raise DecryptionError() from exc
    return PREFIX + token.decode("ascii")


class EncryptedTextField(models.TextField):
    """A text column stored as a Fernet token. Empty strings stay empty.

    It cannot be filtered or ordered on in the database: the ciphertext is
    randomised. Length limits are enforced on the clear text (``max_length``).
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)
        if self.max_length:
            # TextField does not check its length itself; the clear text must.
            self.validators.append(MaxLengthValidator(self.max_length))

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        # __init__ defaults blank to True, so record it whichever way it is.
        kwargs["blank"] = self.blank
        return name, path, args, kwargs

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)


class EncryptedCharField(EncryptedTextField):
    """Short encrypted text (names, phones): a single-line input in forms."""

    def formfield(self, **kwargs):
        from django import forms

        defaults = {"max_length": self.max_length, "widget": forms.TextInput}
        defaults.update(kwargs)
        return models.Field.formfield(self, form_class=forms.CharField, **defaults)
