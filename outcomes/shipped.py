"""Load the shipped instrument structures (no wording) idempotently.

Called by data migrations with their historical models; safe to call again
(it adds what is missing and corrects the structure of what exists)."""

from __future__ import annotations

from outcomes import cts2


def load_cts2(apps) -> None:
    Instrument = apps.get_model("outcomes", "Instrument")
    Scale = apps.get_model("outcomes", "Scale")
    Item = apps.get_model("outcomes", "Item")
    instrument, _created = Instrument.objects.update_or_create(
        code=cts2.CODE,
        version=cts2.VERSION,
        defaults={
            "name": cts2.NAME,
            "citation": cts2.CITATION,
            "licence_note": cts2.LICENCE_NOTE,
            "scoring_method": "frequency",
            "response_options": cts2.RESPONSE_OPTIONS,
        },
    )
    scales = {}
    for position, (code, name, parent) in enumerate(cts2.SCALES, start=1):
        scales[code], _created = Scale.objects.update_or_create(
            instrument=instrument,
            code=code,
            defaults={"name": name, "parent": scales[parent] if parent else None, "position": position},
        )
    for number, scale, perspective, pair in cts2.items():
        Item.objects.update_or_create(
            instrument=instrument,
            number=number,
            defaults={"scale": scales[scale], "perspective": perspective, "pair": pair},
        )
