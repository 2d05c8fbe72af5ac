"""The catalogues (Russian, Kyrgyz, Tajik, Uzbek, Kazakh, Turkmen): each
complete, with the same messages as the Russian one, placeholders intact,
the committed .mo in step with the .po; and pages actually rendered in them.

The .po is parsed here by hand (a small reader for the subset of the PO
format that makemessages writes) so the check needs no extra library."""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
PO_PATH = LOCALE_DIR / "ru" / "LC_MESSAGES" / "django.po"
RUSSIAN_PLURAL_FORMS = (
    "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
)
# Each catalogue's plural rule, as Django's own catalogue of the language has it.
PLURAL_FORMS = {
    "ru": RUSSIAN_PLURAL_FORMS,
    "ky": "nplurals=1; plural=0;",
    "tg": "nplurals=2; plural=(n != 1);",
    "uz": "nplurals=1; plural=0;",
    "kk": "nplurals=2; plural=(n!=1);",
    "tk": "nplurals=2; plural=(n != 1);",
}
CATALOGUES = sorted(PLURAL_FORMS)


def nplurals(language: str) -> int:
    return int(re.match(r"nplurals=(\d+);", PLURAL_FORMS[language]).group(1))


# %(name)s / %(n)d, bare %s / %d, and {name} / {} (a literal "%%" is not a placeholder).
PERCENT_PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[#0 +-]*\d*(?:\.\d+)?([sdifr])")
BRACE_PLACEHOLDER = re.compile(r"(?<!\{)\{(\w*)\}(?!\})")


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)

    def translations(self) -> list[str]:
        if self.msgid_plural is None:
            return [self.msgstr]
        return [self.msgstr_plural.get(i, "") for i in range(max(self.msgstr_plural, default=-1) + 1)]

    def label(self) -> str:
        return f"line {self.line}: {self.msgid!r}"


def parse_po(text: str) -> list[Entry]:
    """Entries of a .po file, header included; obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None

    def finish() -> None:
        nonlocal current, target
        if current is not None:
            entries.append(current)
        current, target = None, None

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#"):
            if current is not None and target is not None:
                finish()
            if current is None:
                current = Entry(line=number)
            if line.startswith("#,"):
                current.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if current is None:
            current = Entry(line=number)
        if line.startswith('"'):
            assert target is not None, f"line {number}: a string continues nothing"
            _append(current, target, ast.literal_eval(line))
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in {"msgctxt", "msgid"} and target is not None and target[0] != "msgctxt":
            finish()  # a new entry begins without a blank line in between
            current = Entry(line=number)
        plural = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if plural:
            target = ("msgstr_plural", int(plural.group(1)))
            current.msgstr_plural[target[1]] = ""
        elif keyword in {"msgctxt", "msgid", "msgid_plural", "msgstr"}:
            target = (keyword, None)
            setattr(current, keyword, "")
        else:
            raise AssertionError(f"line {number}: unexpected {keyword!r}")
        _append(current, target, ast.literal_eval(rest))
    finish()
    return entries


def _append(entry: Entry, target: tuple[str, int | None], value: str) -> None:
    name, index = target
    if name == "msgstr_plural":
        entry.msgstr_plural[index] += value
    else:
        setattr(entry, name, (getattr(entry, name) or "") + value)


def placeholders(text: str) -> set[str]:
    found = {
        f"%({name}){kind}" if name else f"%{kind}" for name, kind in PERCENT_PLACEHOLDER.findall(text.replace("%%", ""))
    }
    found |= {f"{{{name}}}" for name in BRACE_PLACEHOLDER.findall(text)}
    return found


def read_catalogue(language: str) -> tuple[Entry, list[Entry]]:
    path = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    entries = parse_po(path.read_text(encoding="utf-8"))
    header = [e for e in entries if e.msgid == "" and e.msgctxt is None]
    assert len(header) == 1, "the catalogue needs exactly one header"
    return header[0], [e for e in entries if e is not header[0]]


@pytest.fixture(scope="module", params=CATALOGUES)
def catalogue(request) -> tuple[str, Entry, list[Entry]]:
    return (request.param, *read_catalogue(request.param))


def test_the_interface_offers_every_catalogue_and_english():
    assert [code for code, _label in settings.LANGUAGES] == ["ru", "ky", "tg", "uz", "kk", "tk", "en"]
    assert sorted(code for code, _label in settings.LANGUAGES if code != "en") == CATALOGUES


def test_the_parser_reads_plural_and_continued_entries():
    entries = parse_po(
        'msgid ""\nmsgstr ""\n"Language: ru\\n"\n\n'
        '#: a.html:1\n#, fuzzy, python-format\nmsgid "%(n)s child"\nmsgid_plural "%(n)s children"\n'
        'msgstr[0] "%(n)s ребёнок"\nmsgstr[1] ""\n"%(n)s ребёнка"\nmsgstr[2] "%(n)s детей"\n\n'
        '#~ msgid "gone"\n#~ msgstr "нет"\n'
    )
    assert [e.msgid for e in entries] == ["", "%(n)s child"]
    assert entries[0].msgstr == "Language: ru\n"
    assert entries[1].flags == {"fuzzy", "python-format"}
    assert entries[1].translations() == ["%(n)s ребёнок", "%(n)s ребёнка", "%(n)s детей"]


def test_placeholders_are_found_in_every_notation():
    assert placeholders("Case %(number)s, score %(score)d, %s of %d, {codes} 100%%") == {
        "%(number)s",
        "%(score)d",
        "%s",
        "%d",
        "{codes}",
    }


def test_the_header_declares_its_language_and_plural_forms(catalogue):
    language, header, _ = catalogue
    assert "fuzzy" not in header.flags
    fields = dict(line.split(": ", 1) for line in header.msgstr.splitlines() if ": " in line)
    assert fields["Language"] == language
    assert fields["Plural-Forms"] == PLURAL_FORMS[language]
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"


def test_every_message_is_translated_and_none_is_fuzzy(catalogue):
    language, _, entries = catalogue
    assert len(entries) > 100
    fuzzy = [e.label() for e in entries if "fuzzy" in e.flags]
    untranslated = [e.label() for e in entries if not all(t.strip() for t in e.translations())]
    wrong_plurals = [
        e.label() for e in entries if e.msgid_plural is not None and len(e.translations()) != nplurals(language)
    ]
    assert fuzzy == []
    assert untranslated == []
    assert wrong_plurals == []


def test_every_catalogue_holds_the_same_messages_as_the_russian_one(catalogue):
    language, _, entries = catalogue
    russian = {(e.msgctxt, e.msgid, e.msgid_plural) for e in read_catalogue("ru")[1]}
    own = {(e.msgctxt, e.msgid, e.msgid_plural) for e in entries}
    assert len(entries) == len(own), f"{language}: a message appears twice"
    assert sorted(russian - own, key=str) == [], f"{language} lacks these"
    assert sorted(own - russian, key=str) == [], f"{language} has messages the code no longer uses"


def test_every_translation_keeps_the_placeholders_of_its_message(catalogue):
    language, _, entries = catalogue
    mismatches = []
    for entry in entries:
        expected = placeholders(entry.msgid)
        if entry.msgid_plural is not None:
            expected |= placeholders(entry.msgid_plural)
        for index, translation in enumerate(entry.translations()):
            found = placeholders(translation)
            # A language with one form for "one" may leave out the number there ("a session", not "1 session").
            if found != expected and not (entry.msgid_plural is not None and index == 0 and found < expected):
                mismatches.append(f"{language} {entry.label()}: {sorted(expected)} != {sorted(found)}")
    assert mismatches == []


def test_the_committed_mo_file_matches_the_po_file(catalogue):
    language, _, entries = catalogue
    with (LOCALE_DIR / language / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog  # noqa: SLF001
    stale = []
    for entry in entries:
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            if compiled.get(key) != entry.msgstr:
                stale.append(entry.label())
        elif [compiled.get((key, i)) for i in range(nplurals(language))] != entry.translations():
            stale.append(entry.label())
    assert stale == [], f"{language}: run python manage.py compilemessages --ignore .venv"


@pytest.mark.django_db
def test_the_sign_in_page_is_russian_for_a_russian_browser(client):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200
    assert response["Content-Language"] == "ru"
    content = response.content.decode()
    assert "<title>Вход · Программы коррекции поведения</title>" in content
    assert "Имя пользователя" in content
    assert "Sign in" not in content


@pytest.mark.django_db
def test_the_sign_in_page_stays_english_for_an_english_browser(client):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en")
    assert "<title>Sign in · Perpetrator programmes</title>" in response.content.decode()


def test_russian_plural_forms_are_chosen_by_the_number():
    from django.utils import translation

    with translation.override("ru"):
        forms = [
            translation.ngettext("%(n)s child in the household", "%(n)s children in the household", n) % {"n": n}
            for n in (1, 3, 5, 21, 11)
        ]
    assert forms == [
        "1 ребёнок в домохозяйстве",
        "3 ребёнка в домохозяйстве",
        "5 детей в домохозяйстве",
        "21 ребёнок в домохозяйстве",
        "11 детей в домохозяйстве",
    ]


def test_a_case_page_shows_model_labels_in_russian(login, users, case, settings):
    settings.LANGUAGE_CODE = "ru"
    client = login(users["psychologist"])
    response = client.get(reverse("casework:case_detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200
    content = response.content.decode()
    assert f"Дело {case.number}" in content
    assert "Хронология" in content
    assert "Дело открыто при первичном приёме" in content
    assert "Timeline" not in content


def test_the_catalogue_holds_exactly_the_messages_of_the_code(tmp_path):
    """makemessages over a copy of the tracked files finds exactly the
    committed catalogue's messages: a new string without its Russian fails
    here, not in front of a Russian-speaking user, and a string the code
    dropped does not linger in the catalogues."""
    import shutil
    import subprocess
    import sys

    root = Path(settings.BASE_DIR)
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True, text=True
    ).stdout.split("\0")
    if not any(tracked):
        pytest.skip("not a git checkout")
    for name in filter(None, tracked):
        if (root / name).is_file():
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / name, tmp_path / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ru", "--no-obsolete", "--verbosity", "0"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )

    def msgids(path: Path) -> set[tuple[str | None, str]]:
        return {(e.msgctxt, e.msgid) for e in parse_po(path.read_text("utf-8")) if e.msgid}

    extracted = msgids(tmp_path / "locale" / "ru" / "LC_MESSAGES" / "django.po")
    missing = sorted(extracted - msgids(PO_PATH), key=str)
    assert missing == [], "run `make messages` and translate: " + ", ".join(repr(m) for _, m in missing)
    # Nor does the catalogue keep a message the code no longer has: the
    # catalogues hold as many messages as the extracted template.
    unused = sorted(msgids(PO_PATH) - extracted, key=str)
    assert unused == [], "remove from every catalogue: " + ", ".join(repr(m) for _, m in unused)
