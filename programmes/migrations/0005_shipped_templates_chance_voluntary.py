"""Chance's voluntary programme for men, which the first load lacked, and
notes on the shipped templates that say which follow-up months are
assumptions. A note is changed only where it still reads as shipped."""

from django.db import migrations

from programmes.migrations._shipped_templates import SHIPPED, load_shipped_templates

OLD_NOTES = {
    "tj-consultation-room": (
        "Individual sessions by a psychologist; group sessions by a psychologist and a social worker. "
        "Participation is mandatory only while the protection order runs (15 days, extendable to 30). "
        "Men and women in separate groups with the same content. Session lengths are not in the source."
    ),
    "kg-annex3-voluntary-men": "",
    "kg-annex3-voluntary-women": "",
    "kz-union-crisis-centres": (
        "Individual and group sessions under the Union's own minimum standards; the source gives no "
        "counts, so this is a draft for the provider to complete."
    ),
    "tm-pilot": "There is no domestic-violence law and no programme yet; a starting point for a pilot.",
}


def forwards(apps, schema_editor):
    ProgrammeTemplate = apps.get_model("programmes", "ProgrammeTemplate")
    load_shipped_templates(ProgrammeTemplate)
    notes = {entry["code"]: entry["notes"] for entry in SHIPPED}
    for code, old in OLD_NOTES.items():
        ProgrammeTemplate.objects.filter(code=code, version=1, provider=None, notes=old).update(notes=notes[code])


class Migration(migrations.Migration):
    dependencies = [("programmes", "0004_calendar_feed")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
