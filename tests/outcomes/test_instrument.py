"""The CTS2 shipped by migration outcomes/0002: structure only, no wording."""

from __future__ import annotations

from django.apps import apps

from outcomes import cts2 as key
from outcomes import selectors
from outcomes.models import Instrument, Item, ItemText, Scale
from outcomes.shipped import load_cts2


def test_the_cts2_structure_is_shipped(cts2):
    assert (cts2.name, cts2.scoring_method, cts2.is_active) == (
        "Revised Conflict Tactics Scales (CTS2)",
        "frequency",
        True,
    )
    assert "Straus" in cts2.citation and "licence" in cts2.licence_note
    assert [(o["code"], o["midpoint"], o["past_year"], o["ever"]) for o in cts2.response_options] == [
        (0, 0, False, False), (1, 1, True, True), (2, 2, True, True), (3, 4, True, True), (4, 8, True, True),
        (5, 15, True, True), (6, 25, True, True), (7, 0, False, True),
    ]  # fmt: skip
    tops = list(cts2.scales.filter(parent=None).values_list("code", flat=True))
    assert tops == ["negotiation", "psychological-aggression", "physical-assault", "sexual-coercion", "injury"]
    assert sorted(Scale.objects.get(code="negotiation").subscales.values_list("code", flat=True)) == [
        "negotiation-cognitive", "negotiation-emotional",
    ]  # fmt: skip
    items = cts2.items.select_related("scale")
    assert items.count() == 78
    assert all(i.perspective == ("self" if i.number % 2 else "partner") for i in items)
    severe_assault = items.filter(scale__code="physical-assault-severe", perspective="self")
    assert list(severe_assault.values_list("number", flat=True)) == [21, 27, 33, 37, 43, 61, 73]
    assert list(items.filter(scale__code="injury-minor").values_list("number", flat=True)) == [11, 12, 71, 72]


def test_no_item_wording_is_shipped(cts2):
    assert not ItemText.objects.exists()


def test_loading_again_changes_nothing(cts2):
    load_cts2(apps)
    assert Instrument.objects.filter(code="cts2").count() == 1
    assert Item.objects.count() == 78
    assert Scale.objects.count() == 15


def test_the_database_structure_scores_like_the_shipped_key(cts2):
    structure = selectors.instrument_structure(cts2)
    assert structure.scales == {code: parent for code, _name, parent in cts2_scales()}
    assert sorted((i.number, i.scale, i.perspective) for i in structure.items) == [
        (n, s, p) for n, s, p, _pair in cts2_items()
    ]


def cts2_scales():
    return key.SCALES


def cts2_items():
    return key.items()
