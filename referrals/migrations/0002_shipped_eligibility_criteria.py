"""The eligibility criteria from the domain notes, shipped as country defaults.

Tajikistan consultation rooms: violence only or mostly within the family; not
addicted to alcohol or drugs; no acute mental illness; aware of having been
violent. Kyrgyzstan (Decree 390): addiction or mental disorder means basic
therapy first.
"""

from django.db import migrations

CRITERIA = [
    ("TJ", "family_violence", "Violence was only or mostly within the family",
     "Насилие совершалось только или в основном в семье", "required", 1),
    ("TJ", "no_addiction", "Not addicted to alcohol or drugs",
     "Нет зависимости от алкоголя или наркотиков", "required", 2),
    ("TJ", "no_acute_mental_illness", "No acute mental illness",
     "Нет острого психического заболевания", "required", 3),
    ("TJ", "aware_of_violence", "Aware of having been violent",
     "Осознаёт, что применял(а) насилие", "required", 4),
    ("KG", "no_addiction", "No alcohol or drug addiction (otherwise basic therapy first)",
     "Нет алкогольной или наркотической зависимости (иначе сначала базовая терапия)", "basic_therapy_first", 1),
    ("KG", "no_mental_disorder", "No mental disorder (otherwise basic therapy first)",
     "Нет психического расстройства (иначе сначала базовая терапия)", "basic_therapy_first", 2),
]


def forwards(apps, schema_editor):
    Criterion = apps.get_model("referrals", "EligibilityCriterion")
    for country, code, text_en, text_ru, effect, position in CRITERIA:
        Criterion.objects.update_or_create(
            organisation=None,
            country=country,
            code=code,
            defaults={"text_en": text_en, "text_ru": text_ru, "effect": effect, "position": position},
        )


def backwards(apps, schema_editor):
    Criterion = apps.get_model("referrals", "EligibilityCriterion")
    for country, code, *_ in CRITERIA:
        Criterion.objects.filter(organisation=None, country=country, code=code).delete()


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
