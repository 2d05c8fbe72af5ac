"""The questionnaires shipped by migration (outcomes/0002, 0003): the CTS2
and its short form, structure only, no wording."""

from __future__ import annotations

import pytest
from django.apps import apps

from outcomes import cts2 as full_key
from outcomes import cts2s as short_key
from outcomes import selectors
from outcomes.migrations._shipped_instruments import INSTRUMENTS, load
from outcomes.models import Instrument, Item, ItemText, Scale

TOPS = ["negotiation", "psychological-aggression", "physical-assault", "sexual-coercion", "injury"]


def own_items(instrument, subscale):
    items = instrument.items.filter(scale__code=subscale, perspective="self")
    return list(items.values_list("number", flat=True))


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
    assert list(cts2.scales.filter(parent=None).values_list("code", flat=True)) == TOPS
    negotiation = cts2.scales.get(code="negotiation")
    assert sorted(negotiation.subscales.values_list("code", flat=True)) == [
        "negotiation-cognitive", "negotiation-emotional",
    ]  # fmt: skip
    assert cts2.items.count() == 78
    assert own_items(cts2, "physical-assault-severe") == [21, 27, 33, 37, 43, 61, 73]
    assert list(cts2.items.filter(scale__code="injury-minor").values_list("number", flat=True)) == [11, 12, 71, 72]


def test_whose_act_an_item_records(cts2):
    """Odd items are the respondent's own acts, except in Injury, where the
    odd item is the respondent's injury (the partner's act)."""
    for item in cts2.items.select_related("scale__parent"):
        top = item.scale.parent.code if item.scale.parent_id else item.scale.code
        odd_is_own = top != "injury"
        assert item.perspective == ("self" if (item.number % 2 == 1) == odd_is_own else "partner"), item.number
    assert own_items(cts2, "injury-minor") == [12, 72]
    assert own_items(cts2, "injury-severe") == [24, 32, 42, 56]
    assert own_items(cts2, "psychological-aggression-minor") == [5, 35, 49, 67]


def test_the_short_form_structure_is_shipped(db):
    short = Instrument.objects.get(code="cts2s", version=1)
    assert short.name == "Revised Conflict Tactics Scales, short form (CTS2S)"
    assert "Douglas" in short.citation and short.scoring_method == "frequency"
    assert short.response_options == Instrument.objects.get(code="cts2").response_options
    assert list(short.scales.filter(parent=None).values_list("code", flat=True)) == TOPS
    assert short.items.count() == 20
    pairs = {
        code: own_items(short, code)
        for code in short.scales.exclude(parent=None).order_by("position").values_list("code", flat=True)
    }
    assert pairs == {
        "negotiation-emotional": [7],
        "negotiation-cognitive": [1],
        "psychological-aggression-minor": [3],
        "psychological-aggression-severe": [13],
        "physical-assault-minor": [9],
        "physical-assault-severe": [11],
        "sexual-coercion-minor": [19],
        "sexual-coercion-severe": [17],
        "injury-minor": [6],
        "injury-severe": [16],
    }
    assert sorted(set(short.items.values_list("pair", flat=True))) == list(range(1, 11))


def test_no_item_wording_is_shipped(cts2):
    assert not ItemText.objects.exists()


def test_loading_again_changes_nothing(cts2):
    load(apps)
    assert Instrument.objects.count() == 2
    assert Item.objects.count() == 78 + 20
    assert Scale.objects.count() == 15 * 2


def test_loading_corrects_a_wrong_perspective(cts2):
    Item.objects.filter(instrument=cts2, number=11).update(perspective="self")
    load(apps)
    assert Item.objects.get(instrument=cts2, number=11).perspective == "partner"


@pytest.mark.parametrize("key", [full_key, short_key], ids=["cts2", "cts2s"])
def test_the_database_structure_scores_like_the_shipped_key(db, key):
    instrument = Instrument.objects.get(code=key.CODE)
    structure = selectors.instrument_structure(instrument)
    assert structure.scales == {code: parent for code, _name, parent in key.SCALES}
    assert sorted((i.number, i.scale, i.perspective) for i in structure.items) == [
        (n, s, p) for n, s, p, _pair in key.items()
    ]


def test_the_pages_offer_the_full_form_first(cts2):
    assert [i.code for i in selectors.active_instruments()] == ["cts2", "cts2s"]
    Instrument.objects.filter(code="cts2").update(is_active=False)
    assert [i.code for i in selectors.active_instruments()] == ["cts2s"]
    assert selectors.active_instrument("cts2") is None


@pytest.mark.parametrize("key", [full_key, short_key], ids=["cts2", "cts2s"])
def test_the_migrations_copy_is_the_live_definition(key):
    """GIVEN the structure the migrations ship (their own copy) WHEN the live
    definition changes THEN this fails: the change needs a new migration."""
    (shipped,) = [definition for definition in INSTRUMENTS if definition["code"] == key.CODE]
    assert shipped == {
        "code": key.CODE,
        "version": key.VERSION,
        "name": str(key.NAME),
        "citation": key.CITATION,
        "licence_note": key.LICENCE_NOTE,
        "response_options": key.RESPONSE_OPTIONS,
        "scales": [tuple(scale) for scale in key.SCALES],
        "items": [tuple(item) for item in key.items()],
    }
