import json

import pytest
from django.core.management import CommandError, call_command

from casework.models import RiskInstrument
from casework.services import risk_score

DATA = {
    "code": "licensed-x",
    "name": "Licensed instrument X",
    "items": [
        {"code": "a", "text_en": "Item A", "text_ru": "Пункт A", "weight": 2},
        {"code": "b", "text_en": "Item B", "text_ru": "Пункт B", "weight": 5, "forces_level": "severe"},
    ],
    "thresholds": [{"level": "low", "min_score": 0}, {"level": "high", "min_score": 2}],
}


def _write(tmp_path, data):
    path = tmp_path / "instrument.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_it_loads_an_instrument_for_an_organisation(tmp_path, orgs, capsys):
    call_command("load_risk_instrument", _write(tmp_path, DATA), organisation=orgs["provider"].name)
    instrument = RiskInstrument.objects.get(code="licensed-x")
    assert instrument.organisation == orgs["provider"]
    assert [i.code for i in instrument.items.all()] == ["a", "b"]
    assert risk_score(instrument, {"a": True}) == (2, "high")
    assert risk_score(instrument, {"b": True}) == (5, "severe")
    assert "Loaded licensed-x: 2 items, 2 thresholds." in capsys.readouterr().out


def test_it_rejects_bad_data_with_every_problem_named(tmp_path, db):
    bad = {"code": "x", "name": "", "items": [{"code": "a", "text_en": "A", "weight": -1}], "thresholds": []}
    with pytest.raises(CommandError) as exc:
        call_command("load_risk_instrument", _write(tmp_path, bad))
    message = str(exc.value)
    assert "instrument: 'name' is required." in message
    assert "item 1: 'text_ru' is required." in message
    assert "item 1: 'weight' must be a whole number from 0 to 100." in message
    assert "instrument: 'thresholds' must be a non-empty list." in message
    assert not RiskInstrument.objects.filter(code="x").exists()


def test_it_rejects_an_unknown_organisation_and_bad_json(tmp_path, db):
    with pytest.raises(CommandError, match="No organisation named 'Nope'"):
        call_command("load_risk_instrument", _write(tmp_path, DATA), organisation="Nope")
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="is not valid JSON"):
        call_command("load_risk_instrument", str(path))


def test_an_instrument_in_use_is_never_changed(tmp_path, case):
    with pytest.raises(CommandError, match="has been used in 1 assessment"):
        call_command("load_risk_instrument", _write(tmp_path, {**DATA, "code": "basic-checklist"}))
