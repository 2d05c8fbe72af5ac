from django.db import migrations

from outcomes.migrations._shipped_instruments import load


def forwards(apps, schema_editor):
    load(apps, "cts2")


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
