from django.db import migrations

# UPDATE and DELETE are refused always. TRUNCATE (a whole-table purge, e.g. by
# a DBA applying a retention rule, or the test runner's flush) is refused
# unless the session explicitly sets casework.audit_maintenance = 'on'; the
# application never does.
FORBID = """
CREATE OR REPLACE FUNCTION core_sensitiveread_forbid_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('casework.audit_maintenance', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'core_sensitiveread is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER core_sensitiveread_no_update_delete
    BEFORE UPDATE OR DELETE ON core_sensitiveread
    FOR EACH ROW EXECUTE FUNCTION core_sensitiveread_forbid_change();

CREATE TRIGGER core_sensitiveread_no_truncate
    BEFORE TRUNCATE ON core_sensitiveread
    FOR EACH STATEMENT EXECUTE FUNCTION core_sensitiveread_forbid_change();
"""

ALLOW = """
DROP TRIGGER IF EXISTS core_sensitiveread_no_truncate ON core_sensitiveread;
DROP TRIGGER IF EXISTS core_sensitiveread_no_update_delete ON core_sensitiveread;
DROP FUNCTION IF EXISTS core_sensitiveread_forbid_change();
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunSQL(FORBID, ALLOW)]
