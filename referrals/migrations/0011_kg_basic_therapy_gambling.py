"""Kyrgyzstan's "basic therapy first" criterion names gambling too.

Decree No. 390, Annex 3 (seed 001): "People suffering from mental disorders
and people who are addicted to alcohol, narcotics, psychotropic substances or
gambling must undergo basic therapy before participating in a correctional
programme." The shipped criterion named alcohol and drugs only. Its code and
effect stay, so a screening's answers keep their key; the wording is changed
only where it still reads as shipped (a provider's own criteria are its own).
The data is frozen here: a migration never imports live code.
"""

from django.db import migrations

OLD = (
    "No alcohol or drug addiction (otherwise basic therapy first)",
    "Нет алкогольной или наркотической зависимости (иначе сначала базовая терапия)",
)
NEW = (
    "No addiction to alcohol, narcotics, psychotropic substances or gambling (otherwise basic therapy first)",
    "Нет зависимости от алкоголя, наркотических или психотропных веществ или азартных игр "
    "(иначе сначала базовая терапия)",
)


def _reword(apps, old, new):
    Criterion = apps.get_model("referrals", "EligibilityCriterion")
    Criterion.objects.filter(
        organisation=None, country="KG", code="no_addiction", text_en=old[0], text_ru=old[1]
    ).update(text_en=new[0], text_ru=new[1])


def forwards(apps, schema_editor):
    _reword(apps, OLD, NEW)


def backwards(apps, schema_editor):
    _reword(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0010_court_decision")]
    operations = [migrations.RunPython(forwards, backwards)]
