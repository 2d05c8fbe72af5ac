"""The short form (CTS2S), and the full form loaded again: its Injury items
record whose act they are the other way round from the other scales (see
outcomes/cts2.py), which the first load had not."""

from django.db import migrations


def forwards(apps, schema_editor):
    from outcomes.shipped import load_all

    load_all(apps)


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0002_shipped_cts2")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
