"""The log of sensitive reads is append-only, whoever asks: the application
role has no UPDATE, DELETE or TRUNCATE on it (tests/core/test_db_roles.py),
and a trigger refuses UPDATE and DELETE even to its owner."""

import pytest
from django.db import DatabaseError, connection, transaction

from core.audit import record_read
from core.models import SensitiveRead


def _entry(users):
    record_read(user=users["survivor_worker"], record_type="survivor", record_id=1, view="test")
    return SensitiveRead.objects.get()


def test_it_records_who_what_and_where(users):
    entry = _entry(users)
    assert (entry.user, entry.record_type, entry.record_id, entry.view) == (
        users["survivor_worker"],
        "survivor",
        1,
        "test",
    )
    assert entry.at is not None


DENIED = "permission denied for table core_sensitiveread"


def test_the_application_cannot_update_an_entry(users):
    entry = _entry(users)
    entry.view = "forged"
    with pytest.raises(DatabaseError, match=DENIED), transaction.atomic():
        entry.save()
    with pytest.raises(DatabaseError, match=DENIED), transaction.atomic():
        SensitiveRead.objects.update(view="forged")
    assert SensitiveRead.objects.get().view == "test"


def test_the_application_cannot_delete_or_truncate(users):
    entry = _entry(users)
    with pytest.raises(DatabaseError, match=DENIED), transaction.atomic():
        entry.delete()
    with pytest.raises(DatabaseError, match=DENIED), transaction.atomic():
        SensitiveRead.objects.all().delete()
    with pytest.raises(DatabaseError, match=DENIED), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL casework.audit_maintenance = 'on'")
        cursor.execute("TRUNCATE core_sensitiveread")
    assert SensitiveRead.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_even_the_owner_cannot_update_or_delete(users):
    """Transactional tests run as the owner role (or a superuser)."""
    entry = _entry(users)
    entry.view = "forged"
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        entry.save()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        SensitiveRead.objects.all().delete()
    assert SensitiveRead.objects.get().view == "test"


@pytest.mark.django_db(transaction=True)
def test_truncate_is_refused_outside_maintenance(users):
    _entry(users)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL casework.audit_maintenance = 'off'")
        cursor.execute("TRUNCATE core_sensitiveread CASCADE")
    assert SensitiveRead.objects.count() == 1
