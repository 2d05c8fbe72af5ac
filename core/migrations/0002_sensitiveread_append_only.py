from django.db import migrations

FORBID = """
CREATE OR REPLACE FUNCTION core_sensitiveread_forbid_change() RETURNS trigger AS $$
BEGIN
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
