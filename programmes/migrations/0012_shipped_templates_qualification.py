"""The qualification the shipped programmes ask of their facilitators (seed 001).

Each programme in the seed came with a training of its own:

- Tajikistan: the consultation rooms are "staffed with one psychologist and
  one social worker who have completed five days of training".
- Kyrgyzstan: the OSCE trained "14 trainers (7 gender-balanced pairs) who
  will work with perpetrators at the crisis centres"; Ayalzat's staff "have
  received training from the Association of Crisis Centres". All Kyrgyz
  templates follow Annex 3 of Decree 390.
- Kazakhstan, Turkistan region: trainings on the training package built
  with the "Alternative to Violence" centre's method.
- Uzbekistan, Oydin Nur: "six days of online training, after which they
  developed a module for a correctional programme".

The Union of Crisis Centres (own minimum standards, no named training),
Uzbekistan's correctional work and the Turkmen pilot name no training, so
they ask for none. Only the shipped templates are set, and only where
nothing is set yet; a provider's own copy stays as its provider made it.
The data is frozen here (a migration never imports live code).
"""

from django.db import migrations

QUALIFICATION = {
    "tj-consultation-room": "tj_consultation_room",
    "kg-annex3-mandatory": "kg_annex3",
    "kg-annex3-voluntary-men": "kg_annex3",
    "kg-annex3-voluntary-women": "kg_annex3",
    "kg-chance-mandatory-men": "kg_annex3",
    "kg-chance-voluntary-men": "kg_annex3",
    "kg-chance-women": "kg_annex3",
    "kg-ayalzat-mandatory": "kg_annex3",
    "kz-turkistan-residential": "kz_alternative",
    "uz-oydin-nur": "uz_correctional",
}


def forwards(apps, schema_editor):
    ProgrammeTemplate = apps.get_model("programmes", "ProgrammeTemplate")
    for code, family in QUALIFICATION.items():
        ProgrammeTemplate.objects.filter(code=code, provider=None, required_qualification="").update(
            required_qualification=family
        )


def backwards(apps, schema_editor):
    ProgrammeTemplate = apps.get_model("programmes", "ProgrammeTemplate")
    for code, family in QUALIFICATION.items():
        ProgrammeTemplate.objects.filter(code=code, provider=None, required_qualification=family).update(
            required_qualification=""
        )


class Migration(migrations.Migration):
    dependencies = [("programmes", "0011_template_required_qualification")]

    operations = [migrations.RunPython(forwards, backwards)]
