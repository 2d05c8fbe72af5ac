"""The CTS2 structure shipped by migration (scale names, answer categories,
the questionnaire's name) reads in the reader's language."""

from __future__ import annotations

from django.urls import reverse


def test_the_entry_form_labels_the_scales_and_answers_in_kyrgyz(client, login, users, case):
    users["psychologist"].preferred_language = "ky"
    users["psychologist"].save(update_fields=["preferred_language"])
    login(users["psychologist"])

    page = client.get(reverse("outcomes:administration_new", args=[case.pk])).content.decode()

    assert "Психологиялык агрессия" in page
    assert "Акыркы бир жылда бир жолу" in page
    assert "Psychological Aggression" not in page
    assert "Once in the past year" not in page
