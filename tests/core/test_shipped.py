"""core.shipped: a text the system shipped as data reads in the reader's
language; any other text, as it was typed."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation

from casework.models import RiskInstrument, RiskItem
from core.shipped import is_shipped, shown
from programmes.models import ProgrammeTemplate
from referrals.models import EligibilityCriterion

ANGER = "Anger management"


def test_a_shipped_text_reads_in_the_active_language():
    with translation.override("ky"):
        assert shown(ANGER) == "Ачууну башкаруу"
    with translation.override("uz"):
        assert shown(ANGER) == "Gʻazabni boshqarish"
    with translation.override("en"):
        assert shown(ANGER) == ANGER


def test_a_typed_text_is_shown_as_typed_even_when_the_interface_has_it_as_a_message():
    # "Draft" is an interface message; as typed data it is nobody's to translate.
    with translation.override("ru"):
        assert shown("Draft") == "Draft"
        assert shown("Anger management, our way") == "Anger management, our way"
        assert shown("anger management") == "anger management"
        assert shown("") == "" and shown(None) == ""


def test_a_long_note_reads_sentence_by_sentence(db):
    tj = ProgrammeTemplate.objects.get(code="tj-consultation-room", provider=None, version=1)
    with translation.override("ru"):
        text = shown(tj.notes)
    assert text.startswith("Индивидуальные занятия ведёт психолог; групповые — психолог и социальный работник. ")
    assert "охранного ордера" in text and "хукумата" in text


def test_the_filter_translates_a_shipped_text_only():
    template = Template("{% load shipped %}{{ a|shipped }} / {{ b|shipped }}")
    with translation.override("tg"):
        html = template.render(Context({"a": ANGER, "b": "Our own topic"}))
    assert html == "Идораи хашм / Our own topic"


def test_every_text_the_migrations_shipped_is_known(db):
    """Names, sources, notes, curricula, criteria and the risk checklist as
    the data migrations stored them: each one is declared (a new shipped text
    without its declaration, and its translations, fails here)."""
    texts = []
    for template in ProgrammeTemplate.objects.filter(provider=None):
        texts += [template.name, template.source, template.notes, *template.curriculum]
    texts += EligibilityCriterion.objects.filter(organisation=None).values_list("text_en", flat=True)
    texts += RiskItem.objects.filter(instrument__code="basic-checklist").values_list("text_en", flat=True)
    checklist = RiskInstrument.objects.get(code="basic-checklist")
    texts += [checklist.name, checklist.description]
    assert len(texts) > 100
    assert [text for text in texts if text and not is_shipped(text)] == []


def test_every_shipped_text_reads_in_every_language_but_english():
    from core.shipped import _TEXTS

    for language in ("ru", "ky", "tg", "uz", "kk", "tk"):
        with translation.override(language):
            untranslated = [text for text in _TEXTS if shown(text) == text]
        assert untranslated == [], language


def test_organisation_kinds_and_programme_endings_are_choices_in_every_language():
    """Not shipped data: interface choices, translated as every label is."""
    from accounts.models import Organisation
    from programmes.models import Enrolment

    labels = [*Organisation.Kind.labels, *Enrolment.Status.labels]
    for language in ("ru", "ky", "tg", "uz", "kk", "tk"):
        with translation.override("en"):
            english = [str(label) for label in labels]
        with translation.override(language):
            shown_labels = [str(label) for label in labels]
        assert [a for a, b in zip(english, shown_labels, strict=True) if a == b] == [], language


def test_the_timeline_names_a_shipped_programme_and_checklist_in_the_readers_language():
    from core.timeline import detail_text

    params = {"programme": "Turkmenistan pilot (draft)", "version": 1}
    with translation.override("tk"):
        assert detail_text("enrolled", params).startswith("Türkmenistanda synag taslamasy (garalama)")
        assert detail_text("enrolled", {"programme": "Our pilot", "version": 2}).startswith("Our pilot")
    with translation.override("ru"):
        assert detail_text("risk_assessed", {"instrument": "Basic risk checklist", "level": "high"}).startswith(
            "Базовый перечень факторов риска: "
        )
