"""The submission key every create-form carries (core.submission): a fresh
key on each empty form, the posted one kept when the page comes back with
errors, and a missing or garbled key refused with a fresh one in its
place."""

from __future__ import annotations

import uuid

import pytest
from django import forms

from core.submission import EXPIRED, SubmissionKeyMixin

pytestmark = pytest.mark.django_db


class NoteForm(SubmissionKeyMixin, forms.Form):
    text = forms.CharField()


def test_each_empty_form_has_a_fresh_key():
    first, second = NoteForm(), NoteForm()
    assert first["submission_key"].value() != second["submission_key"].value()
    uuid.UUID(str(first["submission_key"].value()))
    assert 'type="hidden" name="submission_key"' in str(first["submission_key"])


def test_a_posted_key_is_kept_when_the_page_comes_back_with_errors():
    key = str(uuid.uuid4())
    form = NoteForm({"text": "", "submission_key": key})
    assert not form.is_valid()
    assert list(form.errors) == ["text"]
    assert form["submission_key"].value() == key


def test_a_valid_post_gives_the_key_as_a_uuid():
    key = uuid.uuid4()
    form = NoteForm({"text": "x", "submission_key": str(key)})
    assert form.is_valid()
    assert form.cleaned_data["submission_key"] == key


@pytest.mark.parametrize("sent", [None, "", "not-a-uuid", "123", "\x00"])
def test_a_missing_or_garbled_key_is_a_field_error_and_a_fresh_key(sent):
    data = {"text": "typed"} if sent is None else {"text": "typed", "submission_key": sent}
    form = NoteForm(data)
    assert not form.is_valid()
    assert form.errors == {"submission_key": [str(EXPIRED)]}
    fresh = form["submission_key"].value()
    assert fresh != sent
    uuid.UUID(fresh)
    # What was typed is still there; the next submission goes through.
    assert form["text"].value() == "typed"
    assert NoteForm({"text": "typed", "submission_key": fresh}).is_valid()


def test_the_key_of_a_prefixed_form_is_prefixed():
    key = str(uuid.uuid4())
    form = NoteForm({"p-text": "x", "p-submission_key": key}, prefix="p")
    assert form.is_valid()
    assert str(form.cleaned_data["submission_key"]) == key
