from django.db import migrations

# The application role has no TRUNCATE, UPDATE or DELETE on the read log
# (grants, core/dbroles.py). The trigger stays as a second line for the owner:
# UPDATE and DELETE are refused always; TRUNCATE (a retention purge by the
# DBA, the test runner's flush) only when the session sets
# casework.audit_maintenance = 'on' AND the session's role is a member of the
# table's owner. Setting the flag gives the application role nothing.
FORBID = """
CREATE OR REPLACE FUNCTION core_sensitiveread_forbid_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE'
        AND current_setting('casework.audit_maintenance', true) = 'on'
        AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'core_sensitiveread is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

PREVIOUS = """
CREATE OR REPLACE FUNCTION core_sensitiveread_forbid_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('casework.audit_maintenance', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'core_sensitiveread is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0003_heartbeat")]
    operations = [migrations.RunSQL(FORBID, PREVIOUS)]
