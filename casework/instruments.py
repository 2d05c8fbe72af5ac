"""Loading a risk instrument from a data file (items, weights, thresholds).

Licensed instruments (DASH, SARA, ODARA, Danger Assessment) are not shipped;
an organisation that holds a licence loads one with
``manage.py load_risk_instrument FILE.json --organisation NAME``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Organisation
from casework.models import RiskAssessment, RiskInstrument, RiskItem, RiskLevel, RiskThreshold


def _require(data: dict, key: str, where: str, errors: list[str]) -> Any:
    value = data.get(key)
    if value in (None, ""):
        errors.append(f"{where}: '{key}' is required.")
    return value


def validate_instrument_data(data: Any) -> list[str]:
    errors: list[str] = []
    if not isinstance(data, dict):
        return ["The file must hold one JSON object."]
    for key in ("code", "name"):
        _require(data, key, "instrument", errors)
    items = data.get("items")
    if not isinstance(items, list) or not items:
        errors.append("instrument: 'items' must be a non-empty list.")
        items = []
    codes = set()
    for index, item in enumerate(items, start=1):
        where = f"item {index}"
        if not isinstance(item, dict):
            errors.append(f"{where}: must be an object.")
            continue
        code = _require(item, "code", where, errors)
        _require(item, "text_en", where, errors)
        _require(item, "text_ru", where, errors)
        if code in codes:
            errors.append(f"{where}: the code '{code}' is used twice.")
        codes.add(code)
        weight = item.get("weight", 1)
        if not isinstance(weight, int) or weight < 0 or weight > 100:
            errors.append(f"{where}: 'weight' must be a whole number from 0 to 100.")
        if item.get("forces_level", "") not in ("", *RiskLevel.values):
            errors.append(f"{where}: 'forces_level' must be one of {', '.join(RiskLevel.values)}.")
    thresholds = data.get("thresholds")
    if not isinstance(thresholds, list) or not thresholds:
        errors.append("instrument: 'thresholds' must be a non-empty list.")
        thresholds = []
    levels = set()
    for index, threshold in enumerate(thresholds, start=1):
        where = f"threshold {index}"
        if not isinstance(threshold, dict):
            errors.append(f"{where}: must be an object.")
            continue
        level = threshold.get("level")
        if level not in RiskLevel.values:
            errors.append(f"{where}: 'level' must be one of {', '.join(RiskLevel.values)}.")
        if level in levels:
            errors.append(f"{where}: the level '{level}' is given twice.")
        levels.add(level)
        if not isinstance(threshold.get("min_score"), int) or threshold["min_score"] < 0:
            errors.append(f"{where}: 'min_score' must be a whole number of 0 or more.")
    return errors


@transaction.atomic
def risk_instrument_load(*, data: dict, organisation: Organisation | None) -> tuple[RiskInstrument, bool]:
    """Create or replace an instrument from validated data. An instrument that
    has been used in assessments is never changed: load it under a new code."""
    errors = validate_instrument_data(data)
    if errors:
        raise ValidationError(errors)
    instrument = RiskInstrument.objects.filter(code=data["code"]).first()
    created = instrument is None
    if instrument is not None:
        if instrument.organisation_id != (organisation.pk if organisation else None):
            raise ValidationError([f"The code '{data['code']}' belongs to another organisation's instrument."])
        used = RiskAssessment.objects.filter(instrument=instrument).count()
        if used:
            raise ValidationError(
                [f"'{data['code']}' has been used in {used} assessment(s); load the new version under a new code."]
            )
        instrument.items.all().delete()
        instrument.thresholds.all().delete()
    else:
        instrument = RiskInstrument(code=data["code"])
    instrument.name = data["name"]
    instrument.description = data.get("description", "")
    instrument.organisation = organisation
    instrument.is_active = True
    instrument.full_clean()
    instrument.save()
    for position, item in enumerate(data["items"], start=1):
        row = RiskItem(
            instrument=instrument,
            code=item["code"],
            text_en=item["text_en"],
            text_ru=item["text_ru"],
            weight=item.get("weight", 1),
            forces_level=item.get("forces_level", ""),
            referral_flag=item.get("referral_flag", ""),
            position=position,
        )
        row.full_clean(exclude=["instrument"])
        row.save()
    RiskThreshold.objects.bulk_create(
        RiskThreshold(instrument=instrument, level=t["level"], min_score=t["min_score"]) for t in data["thresholds"]
    )
    return instrument, created
