"""The basic risk checklist shipped by migration reads in the reader's
language: its name, its description and its items."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

from casework.models import RiskInstrument, RiskItem


def test_the_reassessment_page_shows_the_checklist_in_kyrgyz(client, login, users, case):
    users["psychologist"].preferred_language = "ky"
    users["psychologist"].save(update_fields=["preferred_language"])
    login(users["psychologist"])

    content = client.get(reverse("casework:risk_reassess", args=[case.pk])).content.decode()

    assert "Тобокелдиктердин негизги тизмеси" in content
    assert "Жолдомодогу тобокелдик белгилеринен түзүлгөн. Валидацияланган инструмент эмес." in content
    assert "Өлтүрөм деп коркутуу" in content
    assert "Basic risk checklist" not in content
    assert "Threat to kill" not in content


def test_an_item_reads_its_own_russian_and_the_catalogue_elsewhere(db):
    item = RiskItem.objects.get(instrument__code="basic-checklist", code="threat_to_kill")
    with translation.override("ru"):
        assert item.text == "Угрозы убийством"
    with translation.override("tk"):
        assert item.text == "Öldürmek bilen haýbat"
    with translation.override("en"):
        assert item.text == "Threat to kill"


def test_an_item_an_organisation_loaded_reads_as_loaded(db):
    instrument = RiskInstrument.objects.create(code="own-list", name="Our list")
    item = RiskItem.objects.create(instrument=instrument, code="own", text_en="Threat to kill a pet", text_ru="Х")
    with translation.override("ky"):
        assert item.text == "Threat to kill a pet"
