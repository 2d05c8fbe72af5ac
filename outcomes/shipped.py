"""Load the shipped instrument structures (no wording) idempotently.

Called by data migrations with their historical models; safe to call again
(it adds what is missing and corrects the structure of what exists)."""

from __future__ import annotations

from types import ModuleType

from outcomes import cts2, cts2s

# In the order the pages offer them.
SHIPPED = (cts2, cts2s)


def load_instrument(apps, definition: ModuleType) -> None:
    """One instrument from its definition module (CODE, VERSION, NAME,
    CITATION, LICENCE_NOTE, RESPONSE_OPTIONS, SCALES, items())."""
    Instrument = apps.get_model("outcomes", "Instrument")
    Scale = apps.get_model("outcomes", "Scale")
    Item = apps.get_model("outcomes", "Item")
    instrument, _created = Instrument.objects.update_or_create(
        code=definition.CODE,
        version=definition.VERSION,
        defaults={
            "name": definition.NAME,
            "citation": definition.CITATION,
            "licence_note": definition.LICENCE_NOTE,
            "scoring_method": "frequency",
            "response_options": definition.RESPONSE_OPTIONS,
        },
    )
    scales = {}
    for position, (code, name, parent) in enumerate(definition.SCALES, start=1):
        scales[code], _created = Scale.objects.update_or_create(
            instrument=instrument,
            code=code,
            defaults={"name": name, "parent": scales[parent] if parent else None, "position": position},
        )
    for number, scale, perspective, pair in definition.items():
        Item.objects.update_or_create(
            instrument=instrument,
            number=number,
            defaults={"scale": scales[scale], "perspective": perspective, "pair": pair},
        )


def load_cts2(apps) -> None:
    load_instrument(apps, cts2)


def load_all(apps) -> None:
    for definition in SHIPPED:
        load_instrument(apps, definition)
