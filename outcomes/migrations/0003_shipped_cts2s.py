"""The short form (CTS2S). Every shipped questionnaire is loaded again with
it: the loader is idempotent and brings an earlier load up to the current
key (outcomes/migrations/_shipped_instruments.py)."""

from django.db import migrations

from outcomes.migrations._shipped_instruments import load


def forwards(apps, schema_editor):
    load(apps)


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0002_shipped_cts2")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
