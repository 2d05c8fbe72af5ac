"""The shipped programme templates - names, sources, notes, curricula - and
the session topics copied from them read in the reader's language, on the
pages, in the roster and in the API; what a provider typed reads as typed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from programmes import services
from tests.programmes.views_sessions_support import men_group_today

NAME_KY = "Кыргызстандын 3-тиркемеси, ыктыярдуу, эркектер (2 + жума сайын 24, 6 ай)"
NAME_RU = "Приложение 3 Кыргызстана, добровольная, мужчины (2 + 24 еженедельных, 6 месяцев)"
NAME_EN = "Kyrgyzstan Annex 3, voluntary, men (2 + 24 weekly, 6 months)"


def reading_in(client, login, user, language: str):
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    login(user)
    return client


@pytest.mark.parametrize(
    ("language", "name", "topic", "source"),
    [
        (
            "ky",
            NAME_KY,
            "Зомбулук жана анын түрлөрү; жоопкерчилик",
            "№ 390 токтом (2019), 3-тиркеме; баштапкы документ 001",
        ),
        (
            "ru",
            NAME_RU,
            "Насилие и его формы; ответственность",
            "Постановление № 390 (2019), приложение 3; исходный документ 001",
        ),
    ],
)
def test_a_shipped_template_reads_in_the_readers_language(client, login, users, men, language, name, topic, source):
    reading_in(client, login, users["manager"], language)

    listing = client.get(reverse("programmes:templates")).content.decode()
    detail = client.get(reverse("programmes:template_detail", args=[men.pk])).content.decode()

    assert name in listing and NAME_EN not in listing
    assert f'<h1 class="h3 mb-0">{name}</h1>' in detail
    assert f"<li>{topic}</li>" in detail
    assert source in detail
    assert "Violence and its forms" not in detail


def test_a_shipped_note_reads_in_the_readers_language(client, login, users, men):
    reading_in(client, login, users["manager"], "ky")
    detail = client.get(reverse("programmes:template_detail", args=[men.pk])).content.decode()
    assert "Аяктагандан 6 жана 12 ай өткөндөгү байкоо чекиттери — болжолдоо: тиркеме аларды белгилебейт." in detail


def test_a_providers_own_wording_reads_as_typed(client, login, users, orgs, men):
    own = services.template_copy(template=men, provider=orgs["provider"], by=users["manager"])
    own = services.template_update(
        template=own,
        by=users["manager"],
        name="Bishkek men's group, our way",
        curriculum=["Anger management", "Anger management at home"],
        notes="Our own note.",
    )
    reading_in(client, login, users["manager"], "ky")

    detail = client.get(reverse("programmes:template_detail", args=[own.pk])).content.decode()

    assert "Bishkek men&#x27;s group, our way" in detail
    # A topic the provider kept from the shipped curriculum reads in Kyrgyz,
    # the one it typed as it typed it.
    assert "<li>Ачууну башкаруу</li>" in detail
    assert "<li>Anger management at home</li>" in detail
    assert "Our own note." in detail


def test_the_roster_offers_the_planned_topic_in_the_readers_language(client, login, users, orgs):
    group, people, session = men_group_today(users, orgs, size=1)
    assert session.planned_topic == "Violence and its forms; responsibility"
    reading_in(client, login, users["psychologist"], "ky")

    html = client.get(reverse("programmes:session_log", args=[session.pk])).content.decode()

    # The value stays the stored English, the reader reads Kyrgyz.
    assert (
        '<option value="Violence and its forms; responsibility" selected>'
        "Зомбулук жана анын түрлөрү; жоопкерчилик</option>"
    ) in html
    group_page = client.get(reverse("programmes:group_detail", args=[group.pk])).content.decode()
    assert "Зомбулук жана анын түрлөрү; жоопкерчилик" in group_page


def test_a_topic_typed_in_the_roster_is_never_altered(client, login, users, orgs):
    group, people, session = men_group_today(users, orgs, size=1)
    typed = "Anger management (repeated, with role play)"
    session.topic_covered = typed
    session.status = "held"
    session.save(update_fields=["topic_covered", "status"])
    reading_in(client, login, users["psychologist"], "ru")

    html = client.get(reverse("programmes:session_log", args=[session.pk])).content.decode()
    group_page = client.get(reverse("programmes:group_detail", args=[group.pk])).content.decode()

    assert typed in html
    assert f"<td>{typed}</td>" in group_page


@pytest.mark.parametrize(
    ("header", "name"),
    [("ky", NAME_KY), ("ru", NAME_RU), ("", NAME_EN)],
)
def test_the_api_names_a_shipped_template_in_the_answers_language(api, users, orgs, men, header, name):
    own = services.template_copy(template=men, provider=orgs["provider"], by=users["manager"])
    services.template_update(template=own, by=users["manager"], name="Our programme")
    client = api(users["psychologist"])

    body = client.get("/api/v1/programme-templates/", HTTP_ACCEPT_LANGUAGE=header).json()

    names = {t["code"]: t["name"] for t in body}
    assert names[men.code] == name
    assert names[own.code] == "Our programme"


def test_a_programme_ending_and_the_programme_read_in_russian(client, login, users, orgs):
    """The ending is an interface choice, the programme a shipped name: both Russian."""
    from tests.programmes.views_sessions_support import completed_enrolment

    enrolment = completed_enrolment(users, orgs)
    reading_in(client, login, users["psychologist"], "ru")

    page = client.get(reverse("programmes:enrolment_detail", args=[enrolment.pk])).content.decode()

    assert f'ps-enrolment-{enrolment.status}">Программа завершена</span>' in page
    assert "Постановление 390 Кыргызстана, приложение 3, обязательная (2 + 2 за 4 недели)" in page
    assert "Completed</span>" not in page
