"""python manage.py rotate_encryption_keys: re-encrypt every encrypted field with the newest key.

Rotation: put a new Fernet key in front of FIELD_ENCRYPTION_KEYS (keep the old
ones after it), restart, run this command, then remove the old keys.

Values that the newest key already decrypts are left alone, so the command can
be stopped and run again. A value that no configured key decrypts stops the
command (its batch is rolled back) and names the table, column and row id.

Re-encrypting changes no content, so the database triggers of a table (the
safety plan's version history, and the append-only guard of the history
itself) are set aside while its rows are rewritten: the history's own rows
are re-encrypted too, and no new version is recorded.
"""

from __future__ import annotations

import contextlib

import pgtrigger
from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from core.crypto import PREFIX, DecryptionError, EncryptedTextField, rotate


def encrypted_columns():
    """(model, [columns]) for every concrete model table with encrypted fields."""
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        columns = [f.column for f in meta.local_concrete_fields if isinstance(f, EncryptedTextField)]
        if columns:
            yield model, columns


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field with the newest key in FIELD_ENCRYPTION_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="rows per transaction (default 500)")

    def handle(self, *args, **options):
        keys = list(settings.FIELD_ENCRYPTION_KEYS)
        if not keys:
            raise CommandError("FIELD_ENCRYPTION_KEYS is empty.")
        batch_size = options["batch_size"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        newest = Fernet(keys[0].encode())
        total = 0
        for model, columns in encrypted_columns():
            with _triggers_set_aside(model):
                rotated, current = self._rotate_model(model, columns, newest, batch_size)
            total += rotated
            self.stdout.write(f"{model._meta.label}: {rotated} values re-encrypted, {current} already current")
        self.stdout.write(self.style.SUCCESS(f"Done: {total} values re-encrypted with the newest key."))

    def _rotate_model(self, model, columns, newest: Fernet, batch_size: int) -> tuple[int, int]:
        qn = connection.ops.quote_name
        table = qn(model._meta.db_table)
        pk = qn(model._meta.pk.column)
        cols = ", ".join(qn(c) for c in columns)
        # Table and column names come from model metadata and are quoted;
        # every value is a query parameter.
        select = f"SELECT {pk}, {cols} FROM {table} WHERE {pk} > %s ORDER BY {pk} LIMIT %s FOR UPDATE"  # noqa: S608 # nosec B608
        assignments = ", ".join(f"{qn(c)} = %s" for c in columns)
        update = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608 # nosec B608
        rotated = current = 0
        last = None
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                if last is None:
                    cursor.execute(
                        f"SELECT {pk}, {cols} FROM {table} ORDER BY {pk} LIMIT %s FOR UPDATE",  # noqa: S608 # nosec B608
                        [batch_size],
                    )
                else:
                    cursor.execute(select, [last, batch_size])
                rows = cursor.fetchall()
                if not rows:
                    return rotated, current
                for row_id, *values in rows:
                    new_values = []
                    changed = False
                    for column, value in zip(columns, values, strict=True):
                        if not value:
                            new_values.append(value)
                            continue
                        if _is_current(value, newest):
                            current += 1
                            new_values.append(value)
                            continue
                        try:
                            new_values.append(rotate(value))
                        except DecryptionError as exc:
                            raise CommandError(
                                f"{model._meta.db_table}.{column} of row {row_id} does not decrypt with any key."
                            ) from exc
                        rotated += 1
                        changed = True
                    if changed:
                        cursor.execute(update, [*new_values, row_id])
                last = rows[-1][0]


def _triggers_set_aside(model):
    """The model's triggers do not fire inside this block (on this connection only)."""
    uris = [f"{model._meta.label}:{trigger.name}" for owner, trigger in pgtrigger.registered() if owner is model]
    # pgtrigger.ignore() with no URI would set aside every trigger of the project.
    return pgtrigger.ignore(*uris) if uris else contextlib.nullcontext()


def _is_current(stored: str, newest: Fernet) -> bool:
    if not stored.startswith(PREFIX):
        return False
    try:
        newest.decrypt(stored[len(PREFIX) :].encode("ascii"))
    except (InvalidToken, ValueError):
        return False
    return True
