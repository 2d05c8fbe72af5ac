"""Questionnaires as files: the format, the checks (each problem named by
its place in the file), loading by the command, scoring a loaded
questionnaire by its rules, and exporting the shipped CTS2 and CTS2S.

The example questionnaire's wording is made up."""

from __future__ import annotations

import copy
import io
import json

import pytest
import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from accounts.models import Language
from outcomes import instrument_file, services
from outcomes.instrument_file import EXAMPLE_PATH, instrument_export, instrument_load, parse, problems_of
from outcomes.models import Instrument, ItemText, Occasion, Respondent, ScoringSettings
from tests.outcomes.conftest import days


@pytest.fixture
def example() -> dict:
    return parse(EXAMPLE_PATH.read_bytes(), filename=EXAMPLE_PATH.name)


def load_problems(data, **kw) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        instrument_load(data=data, **kw)
    return caught.value.message_dict["file"]


def test_the_example_file_is_loaded_with_its_scales_items_and_wording(db, example):
    instrument = instrument_load(data=example)
    assert (instrument.code, instrument.version, instrument.scoring_method) == ("example-progress", 1, "rules")
    assert instrument.organisation is None
    assert [(s.code, s.rule, s.parent.code if s.parent else None) for s in instrument.scales.all()] == [
        ("control", "sum", None),
        ("control-words", "sum", "control"),
        ("control-deeds", "sum", "control"),
        ("respect", "mean", None),
        ("acts", "count", None),
        ("any-threat", "prevalence", None),
    ]
    assert list(instrument.items.filter(reversed=True).values_list("number", flat=True)) == [6]
    assert ItemText.objects.filter(item__instrument=instrument).count() == 20
    assert ItemText.objects.get(item__instrument=instrument, item__number=2, language="ru").text == (
        "Я обзывал партнёра."
    )


def test_the_schema_languages_are_the_projects(db):
    language = instrument_file.schema()["$defs"]["language"]["enum"]
    assert sorted(language) == sorted(Language.values)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["items"][3].update(scale="nowhere"), "items[3].scale: no scale nowhere."),
        (lambda d: d["items"][0].update(scale="control"), "items[0].scale: control has subscales: name one of them."),
        (lambda d: d["items"][1].update(number=1), "items[1].number: 1 is given twice."),
        (lambda d: d["scales"][3].update(rule="frequency"), "scales[3].rule: frequency is the rule of every scale"),
        (lambda d: d["scales"][1].update(parent="respect"), "scales[1].parent: respect is not a scale without"),
        (lambda d: d["responses"][2].pop("value"), "responses[2]: value is required."),
        (lambda d: d["responses"][1].update(code=0), "responses[1].code: 0 is given twice."),
        (lambda d: d.pop("scales"), "the file: scales is required."),
        (lambda d: d.update(colour="red"), "the file: unknown field: colour."),
        (lambda d: d.update(code="Bad Code"), "code: use lower-case letters, digits and single hyphens only."),
        (lambda d: d["items"][2].update(number="three"), "items[2].number: must be of type integer."),
        (lambda d: d.update(scoring="vibes"), "scoring: must be one of: frequency, rules."),
        (lambda d: d["name"].update(xx="?"), "name: must be one of: ru, ky"),
        (lambda d: d["items"].append({"number": 11, "scale": "acts", "text": {"en": "x" * 1001}}), "items[10].text.en"),
    ],
)
def test_a_bad_file_is_refused_naming_the_place_of_the_problem(db, example, change, expected):
    data = copy.deepcopy(example)
    change(data)
    problems = load_problems(data)
    assert any(p.startswith(expected) for p in problems), problems
    assert not Instrument.objects.filter(code="example-progress").exists()


def test_a_loaded_version_is_never_replaced(db, example):
    instrument_load(data=example)
    assert load_problems(example) == [
        "version: version 1 of example-progress is already loaded: give the file a higher version."
    ]
    example["version"] = 2
    assert instrument_load(data=example).version == 2


def test_an_organisation_cannot_take_another_questionnaires_code(db, example, orgs, users):
    instrument_load(data=example, organisation=orgs["provider"], by=users["manager"])
    example["version"] = 2
    problems = load_problems(example, organisation=orgs["other_provider"])
    assert problems == ["code: example-progress is the code of another questionnaire."]


def test_only_a_programme_manager_of_the_organisation_uploads(db, example, orgs, users):
    with pytest.raises(PermissionDenied):
        instrument_load(data=example, organisation=orgs["provider"], by=users["psychologist"])
    with pytest.raises(PermissionDenied):
        instrument_load(data=example, organisation=orgs["other_provider"], by=users["manager"])
    assert not Instrument.objects.filter(code="example-progress").exists()


def test_untrusted_files_are_refused_before_they_are_read(db):
    with pytest.raises(ValidationError, match="larger than 256 KB"):
        parse(b"#" * (instrument_file.MAX_BYTES + 1))
    with pytest.raises(ValidationError, match="not valid YAML or JSON"):
        parse(b"a: &x [1]\nb: *x\n")
    with pytest.raises(ValidationError, match="not valid YAML or JSON"):
        parse(b"!!python/object/apply:os.system ['true']\n")
    with pytest.raises(ValidationError, match="not UTF-8"):
        parse("код: 1".encode("cp1251"))
    assert problems_of(["a list"]) == ["the file: must be of type object."]


def test_json_and_yaml_read_the_same(example):
    assert parse(json.dumps(example).encode(), filename="x.json") == example


def test_the_command_loads_a_file_and_reports_every_problem(db, tmp_path, example):
    path = tmp_path / "q.yaml"
    bad = copy.deepcopy(example)
    bad["items"][0]["scale"] = "nowhere"
    bad["responses"][0]["code"] = 1
    path.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("load_instrument", str(path))
    assert str(caught.value).splitlines() == [
        "Nothing was loaded.",
        "responses[1].code: 1 is given twice.",
        "items[0].scale: no scale nowhere.",
    ]
    out = io.StringIO()
    call_command("load_instrument", str(EXAMPLE_PATH), stdout=out)
    assert out.getvalue() == "Loaded example-progress version 1: 6 scales, 10 items.\n"


@pytest.mark.parametrize("code", ["cts2", "cts2s"])
def test_the_shipped_cts_forms_export_and_load_back_the_same(db, code):
    out = io.StringIO()
    call_command("export_instrument", code, stdout=out)
    exported = yaml.safe_load(out.getvalue())
    assert problems_of(exported) == []
    assert "text" not in json.dumps(exported["items"])  # never wording
    copy_ = dict(exported, code=f"{code}-copy")
    loaded = instrument_load(data=copy_)
    again = instrument_export(loaded)
    assert {**again, "code": code} == exported
    original = Instrument.objects.get(code=code, version=1)
    assert [(i.number, i.scale.code, i.perspective, i.pair) for i in original.items.select_related("scale")] == [
        (i.number, i.scale.code, i.perspective, i.pair) for i in loaded.items.select_related("scale")
    ]


def test_export_as_json_is_the_same_document(db):
    out = io.StringIO()
    call_command("export_instrument", "cts2s", "--json", stdout=out)
    assert json.loads(out.getvalue())["scales"][0] == {
        "code": "negotiation",
        "name": {"en": "Negotiation"},
        "rule": "frequency",
    }
    with pytest.raises(CommandError, match="No questionnaire 'nope'"):
        call_command("export_instrument", "nope")


# --- Scoring a loaded questionnaire ---------------------------------------------


@pytest.fixture
def progress(db, example) -> Instrument:
    return instrument_load(data=example)


def _record(case, by, instrument, answers):
    return services.administration_record(
        case=case,
        instrument=instrument,
        by=by,
        respondent=Respondent.PERSON,
        answers=answers,
        administered_on=days(0),
        occasion=Occasion.INTAKE,
    )


def _scores(administration) -> dict:
    return {s.scale.code: (s.value, s.prorated) for s in administration.scores.select_related("scale")}


FULL = {1: 2, 2: 3, 3: 0, 4: 1, 5: 3, 6: 3, 7: 1, 8: 0, 9: 0, 10: 0}


def test_a_loaded_questionnaire_is_scored_by_its_rules(case, users, progress):
    scores = _scores(_record(case, users["psychologist"], progress, FULL))
    assert scores == {
        "control": (6.0, False),  # 2 + 3 + 0 + 1
        "control-words": (5.0, False),
        "control-deeds": (1.0, False),
        "respect": (1.5, False),  # item 6 reversed: 0 + 3 - 3 = 0; (3 + 0) / 2
        "acts": (1.0, False),  # one of two items is an act
        "any-threat": (0.0, False),
    }


def test_conservative_rule_leaves_a_scale_with_a_hole_unscored(case, users, progress):
    answers = {**FULL, 2: None, 9: None, 10: 1}
    scores = _scores(_record(case, users["psychologist"], progress, answers))
    assert scores["control"] == (None, False)
    assert scores["control-words"] == (None, False)
    assert scores["control-deeds"] == (1.0, False)
    assert scores["any-threat"] == (1.0, False)  # an act is known whatever is missing


def test_prorating_rule_fills_one_hole_with_the_mean_and_says_so(case, users, progress):
    ScoringSettings.objects.create(organisation=case.provider, prorate_missing=True, changed_by=users["manager"])
    answers = {**FULL, 2: None, 5: None, 9: None}
    scores = _scores(_record(case, users["psychologist"], progress, answers))
    assert scores["control"] == (4.0, True)  # (2 + 0 + 1) * 4 / 3
    assert scores["control-words"] == (4.0, True)  # 2 * 2 / 1
    assert scores["respect"] == (0.0, True)  # the answered item's value
    assert scores["any-threat"] == (0.0, True)
    assert scores["control-deeds"] == (1.0, False)
