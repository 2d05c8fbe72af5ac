"""The short form (CTS2S). Every shipped questionnaire is loaded again with
it: the loader is idempotent and brings an earlier load up to the current
key (outcomes/shipped.py)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from outcomes.shipped import load_all

    load_all(apps)


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0002_shipped_cts2")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
