from django.db import migrations

from programmes.migrations._shipped_templates import load_shipped_templates


def forwards(apps, schema_editor):
    load_shipped_templates(apps.get_model("programmes", "ProgrammeTemplate"))


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
