"""manage.py import_instrument_text: every row checked, all or nothing.

The texts here are placeholders, never real item wording."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from outcomes.models import ItemText


@pytest.fixture
def csv_file(tmp_path):
    def _write(text: str):
        path = tmp_path / "wording.csv"
        path.write_text(text, encoding="utf-8")
        return str(path)

    return _write


def run(path, *args) -> str:
    out = io.StringIO()
    call_command("import_instrument_text", path, *args, stdout=out)
    return out.getvalue()


def test_a_good_file_is_imported(db, csv_file):
    path = csv_file("instrument,item,language,text\ncts2,1,ru,[placeholder one]\ncts2,2,ru,[placeholder two]\n"
                    "cts2,1,ky,[плейсхолдер]\n")  # fmt: skip
    assert run(path) == "Imported wording for every organisation: 3 new, 0 changed.\n"
    assert sorted(ItemText.objects.values_list("item__number", "language", "text", "organisation")) == [
        (1, "ky", "[плейсхолдер]", None),
        (1, "ru", "[placeholder one]", None),
        (2, "ru", "[placeholder two]", None),
    ]
    # Again, with one text changed: replaced, not duplicated.
    path = csv_file('instrument,version,item,language,text\ncts2,1,1,ru,"[placeholder one, revised]"\n')
    assert run(path) == "Imported wording for every organisation: 0 new, 1 changed.\n"
    assert ItemText.objects.get(item__number=1, language="ru").text == "[placeholder one, revised]"
    assert ItemText.objects.count() == 3


def test_a_file_with_any_bad_row_imports_nothing_and_names_every_problem(db, csv_file):
    path = csv_file(
        "instrument,item,language,text\n"
        "cts2,1,ru,[fine]\n"
        "cts2,79,ru,[no such item]\n"
        "ctsX,1,ru,[no such instrument]\n"
        "cts2,one,ru,[not a number]\n"
        "cts2,3,xx,[bad language]\n"
        "cts2,4,ru,\n"
        "cts2,1,ru,[same item and language again]\n"
        "cts2,9,ru,[a comma, unquoted]\n"
    )
    with pytest.raises(CommandError) as exc:
        run(path)
    assert str(exc.value).splitlines() == [
        "Nothing was imported.",
        "Line 3: cts2 has no item 79.",
        "Line 4: unknown instrument 'ctsX'.",
        "Line 5: item 'one' is not a number.",
        "Line 6: unknown language 'xx' (use one of en, kk, ky, ru, tg, tk, uz).",
        "Line 7: the text is empty.",
        "Line 8: duplicate of line 2 (same item and language).",
        "Line 9: more fields than columns (put a text that holds a comma in double quotes).",
    ]
    assert not ItemText.objects.exists()


def test_missing_columns_and_empty_files(db, csv_file):
    with pytest.raises(CommandError, match="The file needs the columns instrument, item, language, text; missing: "
                                           "language, text."):  # fmt: skip
        run(csv_file("instrument,item\ncts2,1\n"))
    with pytest.raises(CommandError, match="The file has no rows."):
        run(csv_file("instrument,item,language,text\n"))
    with pytest.raises(CommandError, match="Cannot read"):
        run("/nonexistent/wording.csv")


def test_wording_for_one_licensed_organisation(db, orgs, csv_file):
    path = csv_file("instrument,item,language,text\ncts2,5,en,[placeholder]\n")
    assert run(path, "--organisation", "Bishkek Consultation Room") == (
        "Imported wording for Bishkek Consultation Room: 1 new, 0 changed.\n"
    )
    assert ItemText.objects.get().organisation == orgs["provider"]
    with pytest.raises(CommandError, match="No organisation named 'Nowhere'."):
        run(path, "--organisation", "Nowhere")
