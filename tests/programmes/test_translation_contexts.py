"""'Group' (a session kind / a programme group) and 'Intake' (a group's
intake mode / the intake interview) are translated separately: the
session-kind and intake-mode labels carry a gettext context."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, trans_real

from programmes.models import Group, Session

CONTEXT_SEPARATOR = "\x04"
# Made-up translations, distinct from the catalogue's: only the context
# decides which one a label gets.
FAKE = {
    f"session kind{CONTEXT_SEPARATOR}Group": "ГРУППОВОЕ (вид занятия)",
    f"session kind{CONTEXT_SEPARATOR}Individual": "ИНДИВИДУАЛЬНОЕ (вид занятия)",
    f"group intake mode{CONTEXT_SEPARATOR}Intake": "НАБОР (режим группы)",
    f"group intake mode{CONTEXT_SEPARATOR}intake": "набор (режим группы)",
    f"group intake mode{CONTEXT_SEPARATOR}Rolling (people join at any time)": "СКОЛЬЗЯЩИЙ",
    f"group intake mode{CONTEXT_SEPARATOR}Closed (everyone starts together)": "ЗАКРЫТЫЙ",
}


@pytest.fixture
def russian_with_contexts():
    """Russian active, with the contextual entries above put in its catalogue
    (over the real ones) for the length of the test."""
    with translation.override("ru"):
        parts = trans_real.translation("ru")._catalog._catalogs
        saved = [(part, key, part[key]) for part in parts for key in FAKE if key in part]
        for part in parts:
            part.update(FAKE)
        try:
            yield
        finally:
            for part in parts:
                for key in FAKE:
                    part.pop(key, None)
            for part, key, value in saved:
                part[key] = value


def test_session_kind_labels_have_their_own_context(russian_with_contexts):
    assert str(Session.Kind.GROUP.label) == "ГРУППОВОЕ (вид занятия)"
    assert str(Session.Kind.INDIVIDUAL.label) == "ИНДИВИДУАЛЬНОЕ (вид занятия)"
    # "Group" without a context (a programme group) is untouched.
    assert gettext("Group") != "ГРУППОВОЕ (вид занятия)"


def test_group_intake_labels_have_their_own_context(russian_with_contexts):
    assert str(Group.Intake.ROLLING.label) == "СКОЛЬЗЯЩИЙ"
    assert str(Group.Intake.CLOSED.label) == "ЗАКРЫТЫЙ"
    assert str(Group._meta.get_field("intake").verbose_name) == "набор (режим группы)"
    # "Intake" without a context (the intake interview) is untouched.
    assert gettext("Intake") != "НАБОР (режим группы)"


def test_the_english_labels_are_unchanged():
    with translation.override("en"):
        assert [str(label) for label in Session.Kind.labels] == ["Individual", "Group"]
        assert [str(label) for label in Group.Intake.labels] == [
            "Rolling (people join at any time)",
            "Closed (everyone starts together)",
        ]


def test_the_group_page_labels_the_intake_mode_with_its_context(
    client, login, users, men, group_of, russian_with_contexts
):
    group = group_of(men, intake="closed")
    login(users["psychologist"])
    client.cookies["django_language"] = "ru"
    content = client.get(reverse("programmes:group_detail", args=[group.pk]), HTTP_ACCEPT_LANGUAGE="ru").content
    content = content.decode()
    assert '<html lang="ru">' in content
    assert "НАБОР (режим группы)</dt>" in content
    assert "ЗАКРЫТЫЙ" in content
