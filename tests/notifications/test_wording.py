"""notifications.wording: names joined as "A, B and C" and the sentences
about who is told, in English and Russian."""

from __future__ import annotations

import pytest
from django.utils import translation

from accounts.models import Organisation
from notifications.wording import joined, tells_sentence, told_sentence

pytestmark = pytest.mark.django_db


def test_names_are_joined_in_order_each_once():
    assert joined([]) == ""
    assert joined(["A"]) == "A"
    assert joined(["A", "B"]) == "A and B"
    assert joined(["A", "B", "A", "C"]) == "A, B and C"
    assert joined([Organisation(name="Sezim Crisis Centre"), Organisation(name="Oktyabrsky District Police")]) == (
        "Sezim Crisis Centre and Oktyabrsky District Police"
    )


def test_the_sentences_before_and_after():
    names = ["Sezim Crisis Centre", "Oktyabrsky District Police"]
    assert tells_sentence(names) == "It tells: Sezim Crisis Centre and Oktyabrsky District Police."
    assert told_sentence("expulsion", names) == "A notice went to Sezim Crisis Centre and Oktyabrsky District Police."
    assert told_sentence("completion", names[:1]) == "A notice went to Sezim Crisis Centre, for information."
    assert tells_sentence([]) == told_sentence("dropout", []) == ""


def test_the_sentences_in_russian():
    with translation.override("ru"):
        assert joined(["А", "Б", "В"]) == "А, Б и В"
        assert tells_sentence(["А", "Б"]) == "Об этом узнают: А и Б."
        assert told_sentence("expulsion", ["А", "Б"]) == "Уведомление отправлено: А и Б."
