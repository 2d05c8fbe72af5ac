from django.db import migrations


def forwards(apps, schema_editor):
    from programmes.shipped import load_shipped_templates

    load_shipped_templates(apps.get_model("programmes", "ProgrammeTemplate"))


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
