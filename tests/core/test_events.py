"""core.events: a safety event is never lost. Its subscribers write in the
emitting transaction (and roll back with it); a safety event outside a
transaction, or with nobody listening, is an error."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from core import events
from core.models import Heartbeat


@pytest.fixture
def own_registry(monkeypatch):
    """Events and questions declared by a test are forgotten after it."""
    monkeypatch.setattr(events, "_EVENTS", dict(events._EVENTS))
    monkeypatch.setattr(events, "_QUERIES", dict(events._QUERIES))


def _write_a_row(**facts):
    Heartbeat.objects.create(name=facts["name"], at=timezone.now())
    return facts["name"]


def test_subscribers_get_the_facts_and_their_answers_come_back(own_registry):
    happened = events.declare("test.happened")
    seen = []
    events.subscribe(happened)(lambda **facts: seen.append(facts))
    events.subscribe(happened)(lambda **facts: "second")
    assert events.emit(happened, case=7, by="someone") == ["second"]
    assert seen == [{"case": 7, "by": "someone"}]


def test_an_event_nobody_listens_to_is_fine_when_it_is_not_a_safety_event(own_registry):
    assert events.emit(events.declare("test.quiet")) == []


@pytest.mark.django_db(transaction=True)
def test_a_safety_event_outside_a_transaction_is_refused(own_registry):
    alarm = events.declare("test.alarm", safety=True)
    events.subscribe(alarm)(_write_a_row)
    with pytest.raises(events.EventError, match="outside a transaction"):
        events.emit(alarm, name="outside")
    assert not Heartbeat.objects.filter(name="outside").exists()


@pytest.mark.django_db(transaction=True)
def test_a_safety_event_nobody_listens_to_is_refused(own_registry):
    alarm = events.declare("test.unheard", safety=True)
    with transaction.atomic(), pytest.raises(events.EventError, match="no subscriber"):
        events.emit(alarm)


@pytest.mark.django_db(transaction=True)
def test_the_subscribers_row_is_rolled_back_with_the_event(own_registry):
    alarm = events.declare("test.rolled_back", safety=True)
    events.subscribe(alarm)(_write_a_row)
    with pytest.raises(RuntimeError, match="the change failed"), transaction.atomic():
        assert events.emit(alarm, name="rolled-back") == ["rolled-back"]
        assert Heartbeat.objects.filter(name="rolled-back").exists()
        raise RuntimeError("the change failed")
    assert not Heartbeat.objects.filter(name="rolled-back").exists()


@pytest.mark.django_db(transaction=True)
def test_a_failing_subscriber_fails_the_change(own_registry):
    alarm = events.declare("test.subscriber_fails", safety=True)
    events.subscribe(alarm)(_write_a_row)
    events.subscribe(alarm)(lambda **facts: 1 / 0)
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        events.emit(alarm, name="half-done")
    assert not Heartbeat.objects.filter(name="half-done").exists()


def test_an_undeclared_event_is_an_error(own_registry):
    with pytest.raises(ImproperlyConfigured):
        events.emit("test.never_declared")


def test_a_question_has_one_answer_and_an_unanswered_question_is_an_error(own_registry):
    question = events.declare_query("test.question")
    with pytest.raises(events.EventError, match="Nobody answers"):
        events.ask(question, case=1)
    events.provide(question)(lambda *, case: case * 2)
    assert events.ask(question, case=21) == 42
    with pytest.raises(ImproperlyConfigured):
        events.provide(question)(lambda *, case: 0)


def test_every_safety_event_the_project_declares_has_a_subscriber():
    """The wiring (AppConfig.ready) is in place for every declared safety event."""
    declared = [event for event in events._EVENTS.values() if event.safety and not event.kind.startswith("test.")]
    assert declared
    for event in declared:
        assert events.subscribers_of(event), event.kind
