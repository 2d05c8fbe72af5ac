"""The two PostgreSQL roles the system runs with.

* the owner role (``casework_owner``) owns the schema: migrations run as it;
* the application role (``casework_app``) is what web, worker and beat log in
  as. It owns nothing, is not a superuser, may not create roles, databases or
  replication connections, and gets SELECT, INSERT, UPDATE, DELETE on the
  tables, except on the append-only tables (the read log and the timeline),
  where it gets SELECT and INSERT only.

Because the application role owns neither table it cannot TRUNCATE, ALTER,
DROP, disable a trigger or create one, and because it is not a superuser it
cannot ``SET session_replication_role``: the audit trail is protected by
grants, not by a setting the application could change.

Nothing here reads Django settings, so that ``devstack`` can use it before
Django starts. Every function takes an open psycopg cursor (or Django cursor)
and is idempotent.
"""

from __future__ import annotations

OWNER_ROLE = "casework_owner"
APP_ROLE = "casework_app"

# INSERT-only for the application role: who read a survivor's record, and what
# happened to a referral.
APPEND_ONLY_TABLES = ("core_sensitiveread", "referrals_timelineentry")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def ensure_roles(
    cursor,
    *,
    owner: str = OWNER_ROLE,
    app: str = APP_ROLE,
    owner_password: str | None = None,
    app_password: str | None = None,
    owner_createdb: bool = False,
) -> None:
    """Create (or correct) both roles. Needs a superuser or CREATEROLE connection.

    ``owner_createdb`` lets the owner create databases: the test runner needs
    it to create its test database; production does not.
    """
    for role, password, extra in (
        (owner, owner_password, "CREATEDB" if owner_createdb else "NOCREATEDB"),
        (app, app_password, "NOCREATEDB"),
    ):
        # DDL takes no parameters: the role name is quoted by _literal/_ident.
        cursor.execute(
            "DO $$ BEGIN "  # nosec B608
            f"IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {_literal(role)}) THEN "
            f"CREATE ROLE {_ident(role)} LOGIN; END IF; END $$"
        )
        password_sql = f"PASSWORD {_literal(password)}" if password else ""
        cursor.execute(
            f"ALTER ROLE {_ident(role)} LOGIN NOSUPERUSER NOCREATEROLE {extra} "
            f"NOREPLICATION NOBYPASSRLS INHERIT {password_sql}"
        )
    # The owner may act as the application role (the test runner runs each
    # test that way); the application role must never become the owner.
    cursor.execute(
        "SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member "
        "WHERE r.rolname = %s AND u.rolname = %s",
        [app, owner],
    )
    if not cursor.fetchone():
        cursor.execute(f"GRANT {_ident(app)} TO {_ident(owner)}")
    cursor.execute(
        "SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member "
        "WHERE r.rolname = %s AND u.rolname = %s",
        [owner, app],
    )
    if cursor.fetchone():
        cursor.execute(f"REVOKE {_ident(owner)} FROM {_ident(app)}")


# Tables, views and free-standing sequences (identity and serial sequences
# follow their table), then functions (the audit trigger's).
REOWN_SQL = """
DO $$ DECLARE obj record; BEGIN
    FOR obj IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
        AND pg_get_userbyid(c.relowner) <> :owner
        AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                        AND c.relkind = 'S' AND d.deptype IN ('a', 'i'))
    LOOP
        EXECUTE format('ALTER %s public.%I OWNER TO %I',
            CASE obj.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, obj.relname, :owner);
    END LOOP;
    FOR obj IN SELECT p.oid::regprocedure AS sig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> :owner
    LOOP
        EXECUTE format('ALTER ROUTINE %s OWNER TO %I', obj.sig, :owner);
    END LOOP;
END $$
"""


def hand_database_to_owner(cursor, *, dbname: str, owner: str = OWNER_ROLE) -> None:
    """Make ``owner`` own the database, the public schema and every object in it
    (a database that was migrated as a superuser before). Needs a superuser
    connection to that database."""
    cursor.execute(f"ALTER DATABASE {_ident(dbname)} OWNER TO {_ident(owner)}")
    cursor.execute(f"ALTER SCHEMA public OWNER TO {_ident(owner)}")
    cursor.execute(REOWN_SQL.replace(":owner", _literal(owner)))


def role_exists(cursor, role: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    return cursor.fetchone() is not None


def apply_grants(cursor, *, app: str = APP_ROLE) -> None:
    """Give the application role what it needs on the tables that exist now,
    and on those its owner creates later; take UPDATE, DELETE and TRUNCATE
    on the append-only tables away. Run as the owner (after every migrate)
    or as a superuser."""
    role = _ident(app)
    cursor.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
    cursor.execute(f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {role}")
    cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
    cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    cursor.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}"
    )
    cursor.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}")
    for table in APPEND_ONLY_TABLES:
        cursor.execute("SELECT to_regclass(%s)", [f"public.{table}"])
        if cursor.fetchone()[0] is not None:
            cursor.execute(f"REVOKE ALL ON TABLE public.{_ident(table)} FROM PUBLIC, {role}")
            cursor.execute(f"GRANT SELECT, INSERT ON TABLE public.{_ident(table)} TO {role}")
