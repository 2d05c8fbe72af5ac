"""Names an organisation gives in several languages: its own name, its
rooms, the villages its groups meet in.

Such a name is typed by the organisation, so it is not in the catalogues.
It is stored twice: the name as typed (the model's own field, which search,
uniqueness and every language without a name of its own use) and, beside
it, a map from a language code to the name in that language
(``names_field``). The reader sees her language's name, else the name as
typed (``pick``); a participant's SMS and certificate use the participant's
language (``pick(..., language=...)``).

Forms ask for one optional text box per interface language
(``add_name_fields``, or ``bound_name_fields`` to lay them out with
``partials/names_in_languages.html``) and read them back with
``names_from``, so every form that edits such a name says the same thing in
the same way.

Not for: texts the system ships (``core.shipped``) or interface messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# What the name boxes are for, shown above them (``NameFields.help``).
HELP = _("Optional. Readers see the name in their language; where one is left empty, the name as typed above.")


def names_field(verbose_name: Any) -> models.JSONField:
    """The map of a name's translations, {language code: name}; {} when the
    name is only as typed (also in the database, for rows written in SQL)."""
    return models.JSONField(verbose_name, default=dict, db_default={}, blank=True)


def pick(typed: str, names: Mapping[str, str] | None, language: str | None = None) -> str:
    """The name in ``language`` (default: the active one) if it was given,
    else as typed."""
    if names:
        code = (language or get_language() or settings.LANGUAGE_CODE).split("-")[0]
        given = names.get(code)
        if isinstance(given, str) and given:
            return given
    return typed


def cleaned(names: Mapping[str, Any] | None) -> dict[str, str]:
    """Only interface languages, only non-empty names, stripped."""
    known = dict(settings.LANGUAGES)
    return {
        code: value.strip()
        for code, value in (names or {}).items()
        if code in known and isinstance(value, str) and value.strip()
    }


def field_name(field: str, code: str) -> str:
    return f"{field}_{code}"


def name_field_names(field: str) -> list[str]:
    """The names of ``field``'s text boxes, in the order of ``settings.LANGUAGES``."""
    return [field_name(field, code) for code, _language in settings.LANGUAGES]


def name_form_fields(field: str, label: Any, *, max_length: int) -> dict[str, forms.CharField]:
    """One optional text box per interface language for the name ``field``
    (``<field>_<code>``, labelled "<label> (<language>)"), in the order of
    ``settings.LANGUAGES``; for a form class's declared fields."""
    return {
        field_name(field, code): forms.CharField(
            label=format_lazy("{} ({})", label, language), required=False, max_length=max_length
        )
        for code, language in settings.LANGUAGES
    }


def add_name_fields(form: forms.BaseForm, field: str, label: Any, *, max_length: int) -> list[str]:
    """Add ``name_form_fields`` to a form instance; returns their names."""
    fields = name_form_fields(field, label, max_length=max_length)
    form.fields.update(fields)
    return list(fields)


def initial_names(field: str, names: Mapping[str, str] | None) -> dict[str, str]:
    """A form's initial data for its name boxes of ``field``."""
    return {field_name(field, code): name for code, name in cleaned(names).items()}


class NameFields(list):
    """A form's bound name boxes for one name, for ``partials/names_in_languages.html``."""

    help = HELP

    @property
    def open(self) -> bool:
        """Shown unfolded: one holds a name or an error."""
        return any(field.value() or field.errors for field in self)


def bound_name_fields(form: forms.BaseForm, field: str, label: Any, *, max_length: int) -> NameFields:
    """``add_name_fields``, returning the bound fields to lay out."""
    return NameFields(form[name] for name in add_name_fields(form, field, label, max_length=max_length))


def names_from(cleaned_data: Mapping[str, Any], field: str) -> dict[str, str]:
    """The map a form's name boxes for ``field`` make (``add_name_fields``)."""
    return cleaned({code: cleaned_data.get(field_name(field, code)) or "" for code, _name in settings.LANGUAGES})
