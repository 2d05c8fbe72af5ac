"""Questionnaires as files: read, check, load and export the documented
format ``casework-instrument/1`` (YAML or JSON; the JSON Schema and its
description are in ``outcomes/instrument_format/``).

A file is untrusted: it is at most ``MAX_BYTES``, YAML is read with the
safe loader and without aliases, every field is checked against the
schema and then against the rest of the file (a scale an item names
exists, codes and numbers are unique, the scoring rules fit the answer
categories), and every problem is reported with its place in the file
("items[3].scale"). Nothing is written unless the whole file is right.
Texts from a file are shown escaped like any other data.

Loading makes a new questionnaire (or a new version of one): rows of
``Instrument``, ``Scale`` and ``Item``, and ``ItemText`` for wording the
file carries (made-up or an organisation's own; licensed wording is
imported with ``import_instrument_text`` by the licence holder and is
never exported). No migration and no code change is needed.

Not here: scoring (``outcomes.scoring``), the pages (``outcomes.instrument_views``).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from accounts.permissions import require_manager
from outcomes.models import Instrument, Item, ItemText, Scale, ScaleRule

FORMAT = "casework-instrument/1"
MAX_BYTES = 256 * 1024
FORMAT_DIR = Path(__file__).parent / "instrument_format"
SCHEMA_PATH = FORMAT_DIR / "schema.json"
# A questionnaire with made-up wording: the format's example and the tests' fixture.
EXAMPLE_PATH = FORMAT_DIR / "example-progress.yaml"
FREQUENCY_KEYS = ("midpoint", "past_year", "ever")


@cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


class _NoAliasLoader(yaml.SafeLoader):
    """The safe loader, refusing anchors and aliases (a few lines of
    aliases can stand for a document too large to check)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.YAMLError("aliases are not allowed")
        return super().compose_node(parent, index)


def file_error(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def parse(raw: bytes, *, filename: str = "") -> Any:
    """The document in ``raw`` (JSON if the name ends in .json or it starts
    with "{", else YAML). Raises ValidationError keyed "file"."""
    if len(raw) > MAX_BYTES:
        raise file_error(_("The file is larger than %(max)d KB.") % {"max": MAX_BYTES // 1024})
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise file_error(_("The file is not UTF-8 text.")) from exc
    try:
        if filename.lower().endswith(".json") or text.lstrip().startswith("{"):
            return json.loads(text)
        # _NoAliasLoader is a SafeLoader (no Python objects) that also refuses aliases.
        return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 # nosec B506
    except (ValueError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else getattr(exc, "lineno", None)
        if line:
            raise file_error(_("The file is not valid YAML or JSON (line %(line)s).") % {"line": line}) from exc
        raise file_error(_("The file is not valid YAML or JSON.")) from exc


def _path(parts) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or _("the file")


def _schema_message(error: jsonschema.ValidationError) -> str:
    """A translated sentence for one schema error (the library's own are
    English only)."""
    kind, value = error.validator, error.validator_value
    if kind == "required":
        missing = next((name for name in value if name not in (error.instance or {})), "")
        return _("%(field)s is required.") % {"field": missing}
    if kind == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return _("unknown field: %(fields)s.") % {"fields": ", ".join(map(str, extra))}
    if kind in ("enum", "const"):
        allowed = value if kind == "enum" else [value]
        return _("must be one of: %(values)s.") % {"values": ", ".join(map(str, allowed))}
    if kind == "type":
        return _("must be of type %(type)s.") % {"type": value}
    if kind in ("minLength", "minItems", "minProperties"):
        return _("too short or empty (at least %(min)s).") % {"min": value}
    if kind in ("maxLength", "maxItems", "maxProperties"):
        return _("too long (at most %(max)s).") % {"max": value}
    if kind == "minimum":
        return _("must be at least %(min)s.") % {"min": value}
    if kind == "maximum":
        return _("must be at most %(max)s.") % {"max": value}
    if kind == "pattern":
        return _("use lower-case letters, digits and single hyphens only.")
    if kind == "uniqueItems":
        return _("has a value twice.")
    if kind == "propertyNames":
        return _("unknown language (use ru, ky, tg, uz, kk, tk or en).")
    return _("is not valid.")


def _schema_errors(data: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{_path(e.absolute_path)}: {_schema_message(e)}" for e in errors[:50]]


def _duplicates(rows: list[dict], key: str, where: str) -> list[str]:
    seen: set = set()
    problems = []
    for index, row in enumerate(rows):
        if row[key] in seen:
            problems.append(f"{where}[{index}].{key}: " + _("%(value)s is given twice.") % {"value": row[key]})
        seen.add(row[key])
    return problems


def _scale_problems(data: dict) -> list[str]:
    """Parents declared before their subscales, one level deep; rules that
    fit the questionnaire's scoring."""
    problems = _duplicates(data["scales"], "code", "scales")
    tops: set[str] = set()
    for index, scale in enumerate(data["scales"]):
        parent = scale.get("parent")
        if parent is None:
            tops.add(scale["code"])
        elif parent not in tops:
            problems.append(
                f"scales[{index}].parent: "
                + _("%(code)s is not a scale without a parent declared above.") % {"code": parent}
            )
        frequency = scale["rule"] == ScaleRule.FREQUENCY
        if frequency != (data["scoring"] == "frequency"):
            problems.append(
                f"scales[{index}].rule: "
                + _("frequency is the rule of every scale of a frequency questionnaire, and of no other.")
            )
    return problems


def _response_problems(data: dict) -> list[str]:
    problems = _duplicates(data["responses"], "code", "responses")
    needed = FREQUENCY_KEYS if data["scoring"] == "frequency" else ("value",)
    for index, option in enumerate(data["responses"]):
        for key in needed:
            if key not in option:
                problems.append(f"responses[{index}]: " + _("%(field)s is required.") % {"field": key})
    return problems


def _item_problems(data: dict) -> list[str]:
    """Every item in a scale that has no subscales; every scale has items."""
    problems = _duplicates(data["items"], "number", "items")
    parents = {s.get("parent") for s in data["scales"]} - {None}
    codes = {s["code"] for s in data["scales"]}
    for index, item in enumerate(data["items"]):
        if item["scale"] not in codes:
            problems.append(f"items[{index}].scale: " + _("no scale %(code)s.") % {"code": item["scale"]})
        elif item["scale"] in parents:
            problems.append(
                f"items[{index}].scale: " + _("%(code)s has subscales: name one of them.") % {"code": item["scale"]}
            )
    used = {item["scale"] for item in data["items"]}
    for index, scale in enumerate(data["scales"]):
        if scale["code"] not in used and scale["code"] not in parents:
            problems.append(f"scales[{index}]: " + _("no item belongs to %(code)s.") % {"code": scale["code"]})
    return problems


def problems_of(data: Any) -> list[str]:
    """Every problem of a document, each naming its place in the file;
    empty when it can be loaded."""
    problems = _schema_errors(data)
    if problems:
        return problems
    return _scale_problems(data) + _response_problems(data) + _item_problems(data)


def _require_loader(by, organisation: Organisation | None) -> None:
    """A file is loaded by the management command (no user) or, for their
    own organisation, by a programme manager."""
    if by is not None:
        require_manager(organisation.pk if organisation else None, by)


def _code_problems(data: dict, organisation: Organisation | None) -> list[str]:
    same_code = Instrument.objects.filter(code=data["code"])
    if same_code.filter(version=data["version"]).exists():
        return [
            "version: "
            + _("version %(version)d of %(code)s is already loaded: give the file a higher version.")
            % {"version": data["version"], "code": data["code"]}
        ]
    owner = Q(organisation__isnull=True) if organisation is None else Q(organisation=organisation)
    if same_code.exclude(owner).exists():
        return ["code: " + _("%(code)s is the code of another questionnaire.") % {"code": data["code"]}]
    return []


def _english_or_first(texts: dict[str, str]) -> str:
    return texts.get("en") or next(iter(texts.values()))


def _create_scales(instrument: Instrument, data: dict) -> dict[str, Scale]:
    scales: dict[str, Scale] = {}
    for position, row in enumerate(data["scales"]):
        scales[row["code"]] = Scale.objects.create(
            instrument=instrument,
            code=row["code"],
            name=_english_or_first(row["name"])[:100],
            names=row["name"],
            parent=scales.get(row.get("parent") or ""),
            position=position,
            rule=row["rule"],
        )
    return scales


def _create_items(instrument: Instrument, data: dict, scales: dict[str, Scale], organisation) -> None:
    for row in sorted(data["items"], key=lambda r: r["number"]):
        item = Item.objects.create(
            instrument=instrument,
            number=row["number"],
            scale=scales[row["scale"]],
            perspective=row.get("perspective", "self"),
            pair=row.get("pair"),
            reversed=row.get("reversed", False),
        )
        ItemText.objects.bulk_create(
            [
                ItemText(item=item, language=language, organisation=organisation, text=text)
                for language, text in (row.get("text") or {}).items()
            ]
        )


@transaction.atomic
def instrument_load(*, data: Any, by=None, organisation: Organisation | None = None) -> Instrument:
    """Load a questionnaire from a parsed document, all or nothing. With
    ``organisation`` it is offered only to that organisation (an upload by
    its programme manager ``by``); without, to every organisation (the
    management command). Raises ValidationError {"file": [problems]}."""
    _require_loader(by, organisation)
    problems = problems_of(data)
    if not problems:
        problems = _code_problems(data, organisation)
    if problems:
        raise ValidationError({"file": problems})
    instrument = Instrument.objects.create(
        code=data["code"],
        version=data["version"],
        name=_english_or_first(data["name"])[:200],
        names=data["name"],
        citation=data.get("citation", ""),
        licence_note=data.get("licence", ""),
        scoring_method=data["scoring"],
        response_options=data["responses"],
        organisation=organisation,
        loaded_by=by,
        loaded_at=timezone.now(),
    )
    _create_items(instrument, data, _create_scales(instrument, data), organisation)
    return instrument


def _texts(value: Any) -> dict[str, str]:
    """A shipped questionnaire keeps English msgids; a loaded one its texts per language."""
    return dict(value) if isinstance(value, dict) else {"en": str(value)}


def instrument_export(instrument: Instrument) -> dict:
    """A questionnaire in the file format: its structure, never its
    wording (licensed wording stays with the licence holder)."""
    scales = list(instrument.scales.select_related("parent").order_by("position", "id"))
    return {
        "format": FORMAT,
        "code": instrument.code,
        "version": instrument.version,
        "name": instrument.names or {"en": instrument.name},
        "citation": instrument.citation,
        "licence": instrument.licence_note,
        "scoring": instrument.scoring_method,
        "responses": [{**option, "label": _texts(option["label"])} for option in instrument.response_options],
        "scales": [
            {
                "code": scale.code,
                "name": scale.names or {"en": scale.name},
                "rule": scale.rule,
                **({"parent": scale.parent.code} if scale.parent is not None else {}),
            }
            for scale in scales
        ],
        "items": [
            {
                "number": item.number,
                "scale": item.scale.code,
                "perspective": item.perspective,
                **({"pair": item.pair} if item.pair else {}),
                **({"reversed": True} if item.reversed else {}),
            }
            for item in instrument.items.select_related("scale").order_by("number")
        ],
    }


def dump(data: dict, *, as_json: bool = False) -> str:
    if as_json:
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
