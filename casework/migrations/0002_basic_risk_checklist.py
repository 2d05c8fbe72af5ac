"""A plain risk checklist built from the referral risk flags.

It is not a validated instrument; it orders the known lethality markers
(threat to kill, strangulation, weapon) above the rest. Licensed instruments
(DASH, SARA, ODARA, Danger Assessment) are not shipped.
"""

from django.db import migrations

ITEMS = [
    # code, en, ru, weight, forces level
    ("threat_to_kill", "Threat to kill", "Угрозы убийством", 3, "high"),
    ("strangulation", "Strangulation or choking", "Удушение", 3, "high"),
    ("weapon", "Weapon used or threatened", "Применение оружия или угроза оружием", 3, "high"),
    ("escalation", "Violence escalating in frequency or severity", "Насилие учащается или усиливается", 2, ""),
    ("earlier_orders", "Earlier protection orders", "Ранее выданные охранные ордера", 2, ""),
    ("order_breach", "Breach of a protection order", "Нарушение охранного ордера", 2, ""),
    ("separation", "Recent or planned separation", "Недавнее или планируемое расставание", 2, ""),
    ("sexual_violence", "Sexual violence", "Сексуальное насилие", 2, ""),
    ("stalking", "Stalking or controlling behaviour", "Преследование или контролирующее поведение", 1, ""),
    ("pregnancy", "Survivor pregnant or recently gave birth", "Пострадавшая беременна или недавно родила", 1, ""),
    ("children_present", "Children present during violence", "Дети присутствовали при насилии", 1, ""),
    ("substance_abuse", "Alcohol or drug abuse", "Злоупотребление алкоголем или наркотиками", 1, ""),
]
THRESHOLDS = [("low", 0), ("medium", 3), ("high", 6), ("severe", 10)]


def forwards(apps, schema_editor):
    Instrument = apps.get_model("casework", "RiskInstrument")
    Item = apps.get_model("casework", "RiskItem")
    Threshold = apps.get_model("casework", "RiskThreshold")
    instrument, _ = Instrument.objects.update_or_create(
        code="basic-checklist",
        defaults={
            "name": "Basic risk checklist",
            "description": "Built from the referral risk flags. Not a validated instrument.",
            "organisation": None,
        },
    )
    for position, (code, en, ru, weight, forces) in enumerate(ITEMS, start=1):
        Item.objects.update_or_create(
            instrument=instrument,
            code=code,
            defaults={"text_en": en, "text_ru": ru, "weight": weight, "forces_level": forces,
                      "referral_flag": code, "position": position},
        )
    for level, min_score in THRESHOLDS:
        Threshold.objects.update_or_create(instrument=instrument, level=level, defaults={"min_score": min_score})


def backwards(apps, schema_editor):
    apps.get_model("casework", "RiskInstrument").objects.filter(code="basic-checklist").delete()


class Migration(migrations.Migration):
    dependencies = [("casework", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
