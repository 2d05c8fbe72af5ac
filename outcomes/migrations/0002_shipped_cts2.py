from django.db import migrations


def forwards(apps, schema_editor):
    from outcomes.shipped import load_cts2

    load_cts2(apps)


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
