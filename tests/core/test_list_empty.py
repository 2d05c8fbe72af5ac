"""The empty-list partial (templates/partials/list_empty.html) that the
searchable lists share: the including page's two sentences, one while a
search is on and one otherwise, in the reader's language."""

from __future__ import annotations

import pytest
from django.template import engines
from django.utils import translation

PAGE = (
    '{% include "partials/list_empty.html" with no_match=_("Nobody matches this search.") '
    'empty=_("Your organisation has no psychologists or social workers yet.") %}'
)


def _render(language: str, search_term: str) -> str:
    with translation.override(language):
        return engines["django"].from_string(PAGE).render({"search_term": search_term})


@pytest.mark.parametrize(
    ("language", "no_match", "empty"),
    [
        ("en", "Nobody matches this search.", "Your organisation has no psychologists or social workers yet."),
        ("ru", "По этому запросу никого не найдено.", None),
    ],
)
def test_it_says_no_match_while_searching_and_empty_otherwise(language, no_match, empty):
    searching, idle = _render(language, "Асанов"), _render(language, "")

    assert no_match in searching and no_match not in idle
    if empty is not None:
        assert empty in idle and empty not in searching
    # Russian readers get the page's sentence translated, never the English one.
    if language == "ru":
        assert "Nobody matches" not in searching and "Your organisation" not in idle
