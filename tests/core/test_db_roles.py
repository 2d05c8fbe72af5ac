"""The application's database role cannot erase or alter the read log or the
timeline, by any route: the protection is in the grants, not in a setting the
application could change."""

# ruff: noqa: S608 - the table names are the two constants below
from __future__ import annotations

import os
from urllib.parse import urlsplit

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from core import dbroles
from core.audit import record_read
from core.models import SensitiveRead, TimelineEntry

pytestmark = pytest.mark.django_db(transaction=True)

TABLES = ["core_sensitiveread", "referrals_timelineentry"]


def _app_conninfo() -> dict:
    """The application role's login to the test database: DATABASE_APP_URL
    (set by devstack) for host and password, else the test connection's
    server with the application role's name (a trusting local server)."""
    db = connection.settings_dict
    params = {
        "host": db["HOST"] or None,
        "port": db["PORT"] or None,
        "user": settings.DATABASE_APP_ROLE,
        "password": None,
        "dbname": db["NAME"],
        "autocommit": True,
    }
    if url := os.environ.get("DATABASE_APP_URL"):
        params["password"] = urlsplit(url).password
    return params


@pytest.fixture
def app_db():
    with connection.cursor() as cursor:
        if not dbroles.role_exists(cursor, settings.DATABASE_APP_ROLE):
            pytest.fail(f"the application role {settings.DATABASE_APP_ROLE} does not exist (see README)")
    with psycopg.connect(**_app_conninfo()) as conn:
        yield conn


@pytest.fixture
def audit_rows(users, referral):
    record_read(user=users["survivor_worker"], record_type="survivor", record_id=referral.pk, view="test")
    return {
        "core_sensitiveread": SensitiveRead.objects.count(),
        "referrals_timelineentry": TimelineEntry.objects.count(),
    }


def _refused(conn, *statements: str) -> None:
    """The last statement fails with a privilege error (earlier ones may
    succeed, e.g. the SET of a custom setting)."""
    with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
        for statement in statements:
            conn.execute(statement)


def _unchanged(audit_rows) -> None:
    assert SensitiveRead.objects.count() == audit_rows["core_sensitiveread"] == 1
    assert TimelineEntry.objects.count() == audit_rows["referrals_timelineentry"] >= 1
    assert set(SensitiveRead.objects.values_list("view", flat=True)) == {"test"}


def test_the_application_role_is_no_superuser_and_owns_nothing(app_db):
    row = app_db.execute(
        "SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls FROM pg_roles "
        "WHERE rolname = current_user"
    ).fetchone()
    assert row == (False, False, False, False, False)
    owned = app_db.execute(
        "SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)"
    ).fetchone()[0]
    assert owned == 0


def test_the_application_role_may_read_and_append(app_db, audit_rows, users):
    for table in TABLES:
        assert app_db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == audit_rows[table]
    app_db.execute(
        "INSERT INTO core_sensitiveread (at, user_id, record_type, record_id, view) "
        "VALUES (now(), %s, 'survivor', 1, 'app')",
        [users["survivor_worker"].pk],
    )
    assert SensitiveRead.objects.count() == 2


@pytest.mark.parametrize("table", TABLES)
def test_truncate_is_refused_even_with_the_maintenance_setting(app_db, audit_rows, table):
    _refused(app_db, "SET casework.audit_maintenance = 'on'", f"TRUNCATE {table} CASCADE")
    _refused(app_db, "SET casework.audit_maintenance = 'on'", f"TRUNCATE {table}")
    _unchanged(audit_rows)


@pytest.mark.parametrize("table", TABLES)
def test_triggers_cannot_be_disabled(app_db, audit_rows, table):
    _refused(app_db, f"ALTER TABLE {table} DISABLE TRIGGER ALL")
    _refused(app_db, f"ALTER TABLE {table} DISABLE TRIGGER USER")
    _refused(app_db, "UPDATE pg_trigger SET tgenabled = 'D'")
    _refused(app_db, f"DELETE FROM {table}")
    _unchanged(audit_rows)


@pytest.mark.parametrize("table", TABLES)
def test_replication_mode_cannot_be_set(app_db, audit_rows, table):
    _refused(app_db, "SET session_replication_role = replica")
    _refused(app_db, "SET LOCAL session_replication_role = replica")
    _refused(app_db, f"UPDATE {table} SET at = now() - interval '1 year'")
    _unchanged(audit_rows)


@pytest.mark.parametrize("table", TABLES)
def test_rows_cannot_be_updated_or_deleted(app_db, audit_rows, table):
    _refused(app_db, f"DELETE FROM {table}")
    _refused(app_db, f"DELETE FROM {table} WHERE id = (SELECT min(id) FROM {table})")
    _refused(app_db, f"UPDATE {table} SET at = now()")
    _refused(app_db, f"UPDATE {table} SET id = id")
    _unchanged(audit_rows)


@pytest.mark.parametrize("table", TABLES)
def test_the_table_cannot_be_dropped_altered_or_given_a_trigger(app_db, audit_rows, table):
    _refused(app_db, f"DROP TABLE {table} CASCADE")
    _refused(app_db, f"ALTER TABLE {table} ADD COLUMN erased boolean")
    _refused(app_db, f"ALTER TABLE {table} RENAME TO {table}_old")
    _refused(app_db, f"ALTER TABLE {table} OWNER TO {settings.DATABASE_APP_ROLE}")
    _refused(
        app_db,
        f"CREATE TRIGGER erase BEFORE INSERT ON {table} FOR EACH ROW "
        "EXECUTE FUNCTION core_sensitiveread_forbid_change()",
    )
    _refused(app_db, f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    _unchanged(audit_rows)


@pytest.mark.parametrize("table", TABLES)
def test_the_role_cannot_grant_itself_more_or_become_the_owner(app_db, audit_rows, table):
    role = settings.DATABASE_APP_ROLE
    # A GRANT without grant option grants nothing (PostgreSQL warns, or refuses).
    try:
        with app_db.transaction():
            app_db.execute(f"GRANT UPDATE, DELETE, TRUNCATE ON {table} TO {role}")
    except psycopg.errors.InsufficientPrivilege:
        pass
    for privilege in ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER"):
        assert not app_db.execute("SELECT has_table_privilege(%s, %s)", [table, privilege]).fetchone()[0]
    owner = app_db.execute(
        "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = %s::regclass", [table]
    ).fetchone()[0]
    _refused(app_db, f'SET ROLE "{owner}"')
    _refused(app_db, f'SET ROLE "{dbroles.OWNER_ROLE}"')
    _refused(app_db, "SET ROLE postgres")
    _refused(app_db, f'SET SESSION AUTHORIZATION "{owner}"')
    _refused(app_db, f"CREATE ROLE erase LOGIN IN ROLE {role}")
    _refused(app_db, f"DELETE FROM {table}")
    _unchanged(audit_rows)
