"""The same entry sent twice at the same moment (two tabs, a retry while the
first request still runs, a send cut off after it reached the server):
the second waits for the first and gets its answer; the attendance is
recorded once."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import close_old_connections, connection, transaction

from core.models import TimelineEntry
from fieldwork.forms import EntryForm
from fieldwork.models import FieldEntry
from fieldwork.services import field_entry_apply
from programmes import timeline as K
from programmes.models import Attendance
from tests.fieldwork.conftest import entry_for


def _entry(data):
    form = EntryForm(data)
    assert form.is_valid(), form.error_dict()
    return form.entry()


@pytest.mark.django_db(transaction=True)
def test_the_same_key_at_the_same_moment_is_applied_once(users, today_group):
    _group, people, session = today_group
    entry = _entry(entry_for(session, {p: "present" for p in people}, notes="Once."))
    by = users["psychologist"]
    applied, released = threading.Event(), threading.Event()
    answers: dict[str, object] = {}

    def first():
        try:
            with transaction.atomic():
                answers["first"] = field_entry_apply(entry=entry, by=by)
                applied.set()
                released.wait(10)  # not committed yet
        finally:
            connection.close()

    def second():
        try:
            answers["second"] = field_entry_apply(entry=entry, by=by)
        finally:
            close_old_connections()
            connection.close()

    one = threading.Thread(target=first)
    one.start()
    assert applied.wait(10)
    two = threading.Thread(target=second)
    two.start()
    time.sleep(0.5)
    assert "second" not in answers  # it waits for the first to commit
    released.set()
    one.join(10)
    two.join(10)

    first_answer, second_answer = answers["first"], answers["second"]
    assert (first_answer.replayed, second_answer.replayed) == (False, True)
    assert second_answer.entry.pk == first_answer.entry.pk
    assert second_answer.entry.result == first_answer.entry.result
    assert FieldEntry.objects.count() == 1
    assert Attendance.objects.filter(session=session).count() == 3
    assert TimelineEntry.objects.filter(kind=K.ATTENDANCE_RECORDED).count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_first_attempt_that_failed_leaves_the_key_free(users, today_group):
    """The first request died before its commit (the server stopped, the
    database refused): the key is not taken, the retry applies it."""
    _group, people, session = today_group
    entry = _entry(entry_for(session, {p: "present" for p in people}))

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        field_entry_apply(entry=entry, by=users["psychologist"])
        raise Boom
    assert not FieldEntry.objects.exists() and not Attendance.objects.exists()

    again = field_entry_apply(entry=entry, by=users["psychologist"])
    assert (again.replayed, again.entry.outcome) == (False, "applied")
    assert Attendance.objects.filter(session=session).count() == 3
