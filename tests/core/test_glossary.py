"""The glossary (locale/glossary.csv): the terms with a legal or clinical
meaning, in each language of the interface, and the catalogues following it;
and each catalogue written in its own script."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from tests.core.test_translations import CATALOGUES, read_catalogue

GLOSSARY = Path(settings.BASE_DIR) / "locale" / "glossary.csv"
TERMS = (
    "protection order",
    "temporary protection order",
    "perpetrator programme",
    "survivor",
    "crisis centre",
    "consultation room",
    "dropout",
    "non-compliance",
    "safety plan",
    "risk assessment",
    "consent",
)
CYRILLIC = re.compile(r"[\u0400-\u04FF]")
LATIN = re.compile(r"[A-Za-z]")
# Letters that only the language's own alphabet has, besides Russian's.
OWN_LETTERS = {"ky": "ңөү", "tg": "ғӣқӯҳҷ", "kk": "әғқңөұүі", "uz": "ʻ", "tk": "äçňöşüýž"}


def rows() -> list[dict[str, str]]:
    with GLOSSARY.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_glossary_names_every_term_the_issue_lists_in_every_language():
    table = rows()
    assert {row["term"] for row in table} >= set(TERMS)
    assert len({row["term"] for row in table}) == len(table), "a term appears twice"
    gaps = [(row["term"], language) for row in table for language in CATALOGUES if not row[language].strip()]
    assert gaps == []
    assert all(
        row["note"] or all(row[f"note_{language}"] for language in CATALOGUES if language != "ru") for row in table
    )


@pytest.mark.parametrize("language", CATALOGUES)
def test_each_catalogue_renders_the_glossary_terms_as_the_glossary_says(language):
    differing = []
    with translation.override(language):
        for row in rows():
            if row["msgid"] and translation.gettext(row["msgid"]) != row[language]:
                differing.append(f"{row['msgid']!r}: {translation.gettext(row['msgid'])!r} != {row[language]!r}")
    assert differing == []


def test_every_glossary_message_exists_in_the_catalogue():
    msgids = {entry.msgid for entry in read_catalogue("ru")[1] if entry.msgctxt is None}
    assert [row["msgid"] for row in rows() if row["msgid"] and row["msgid"] not in msgids] == []


def test_the_laws_terms_for_a_protection_order_are_used():
    """Where a country's law names the order, its national term (Kyrgyz,
    Uzbek, Kazakh texts of the laws); the Russian is Kyrgyzstan's wording."""
    (row,) = [row for row in rows() if row["term"] == "protection order"]
    assert row["ru"] == "Охранный ордер"
    assert row["ky"] == "Коргоо ордери"
    assert row["uz"] == "Himoya orderi"
    assert row["kk"] == "Қорғау нұсқамасы"


@pytest.mark.parametrize("language", CATALOGUES)
def test_each_catalogue_is_written_in_its_own_script(language):
    """Cyrillic languages: no word mixes Cyrillic and Latin look-alike
    letters. Uzbek and Turkmen: Latin only, Uzbek's oʻ and gʻ with the
    turned comma (U+02BB), never an apostrophe or a quotation mark."""
    texts = [t for entry in read_catalogue(language)[1] for t in entry.translations()]
    joined = "\n".join(texts)
    if language in {"uz", "tk"}:
        assert CYRILLIC.findall(joined) == []
    else:
        mixed = {word for word in re.findall(r"\w+", joined) if CYRILLIC.search(word) and LATIN.search(word)}
        assert mixed == set()
    if language == "uz":
        assert re.findall(r"\b\w*[OoGg]['‘’`]\w*", joined) == []
    if language in OWN_LETTERS:
        assert set(OWN_LETTERS[language]) <= set(joined.lower())
