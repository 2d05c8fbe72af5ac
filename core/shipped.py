"""Texts the system ships as data, shown in the reader's language.

The data migrations load the shipped programme templates (names, sources,
notes, curricula), the country's eligibility criteria and the basic risk
checklist in English, and a migration never changes what it stored. What a
reader sees is decided when it is shown: a stored text that is exactly one
the system shipped is translated into the active language (its msgid is the
English text, extracted by ``makemessages`` from the ``gettext_noop`` in the
app's ``shipped_texts`` module); any other text - a provider's own template,
a topic typed in a roster, a criterion a provider reworded - is shown as it
was typed. Copying a shipped text (a provider's copy of a template, a
session's planned topic) copies its English, so the copy reads in the
reader's language until someone changes it.

Each app declares its shipped texts in ``<app>/shipped_texts.py``;
``core.apps`` imports every one at start-up (as it does the timeline kinds),
so that every text is known before the first page is drawn. A long note is
declared as its sentences (``shipped_sentences``), each a message of its own,
so that two notes sharing a sentence share its translation.

Not for: interface messages (plain ``gettext``), or questionnaires loaded
with their own translations (``outcomes.models.localized``).
"""

from __future__ import annotations

from django.utils.translation import gettext

# A shipped text -> the messages it is made of (itself, or its sentences).
_TEXTS: dict[str, tuple[str, ...]] = {}


def shipped(*texts: str) -> tuple[str, ...]:
    """Declare texts shipped as data; returns them."""
    for text in texts:
        _TEXTS[text] = (text,)
    return texts


def shipped_sentences(*sentences: str) -> str:
    """Declare a text shipped as data that is these sentences joined by a
    space; each is translated on its own. Returns the text as stored."""
    text = " ".join(sentences)
    _TEXTS[text] = sentences
    return text


def is_shipped(text: str | None) -> bool:
    return bool(text) and text in _TEXTS


def shown(text: str | None) -> str:
    """``text`` in the active language if the system shipped it exactly,
    else as it is ("" for None)."""
    if not text:
        return ""
    parts = _TEXTS.get(text)
    if parts is None:
        return text
    return " ".join(gettext(part) for part in parts)
