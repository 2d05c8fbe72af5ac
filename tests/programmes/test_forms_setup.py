"""Parsing on the set-up forms (topics a line, follow-up months, the place
of a group), the example schedule and the legal-window note."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Role
from programmes.forms_setup import GroupForm, LinesField, MonthsField, TemplateForm
from programmes.selectors import facilitators, usable_templates
from programmes.views_setup import example_schedule, window_note
from tests import factories as f


def test_topics_are_one_a_line_without_blanks():
    assert LinesField(required=False).clean(" Anger \r\n\r\n Respect\n  \nChildren ") == [
        "Anger",
        "Respect",
        "Children",
    ]


@pytest.mark.parametrize(
    ("typed", "months"),
    [("3, 6, 12, 18", [3, 6, 12, 18]), ("3 6;12", [3, 6, 12]), ("", []), ("  ", [])],
)
def test_follow_up_months_parse(typed, months):
    assert MonthsField(required=False).clean(typed) == months


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("3, six", "Enter whole numbers of months separated by commas, e.g. 3, 6, 12."),
        ("-3", "Enter whole numbers of months separated by commas, e.g. 3, 6, 12."),
        ("0, 6", "Each follow-up point is between 1 and 120 months after the end."),
        ("121", "Each follow-up point is between 1 and 120 months after the end."),
    ],
)
def test_bad_follow_up_months_are_refused(typed, message):
    with pytest.raises(ValidationError) as exc:
        MonthsField(required=False).clean(typed)
    assert exc.value.messages == [message]


def test_the_template_form_starts_from_the_template(men):
    initial = TemplateForm.initial_for(men)
    form = TemplateForm(data={**initial, "languages": initial["languages"]})

    assert form.is_valid(), form.errors
    kwargs = form.service_kwargs()
    assert kwargs["curriculum"] == men.curriculum
    assert kwargs["follow_up_months"] == [6, 12]
    assert (kwargs["individual_sessions"], kwargs["group_sessions"], kwargs["span_weeks"]) == (2, 24, 26)
    assert kwargs["hours_required"] is None


def _group_form(orgs, **data):
    provider = orgs["provider"]
    return GroupForm(
        data,
        templates=usable_templates(provider).filter(group_sessions__gt=0),
        psychologists=facilitators(provider, Role.PSYCHOLOGIST),
        social_workers=facilitators(provider, Role.SOCIAL_WORKER),
    )


def _group_data(men, pair, **overrides):
    data = {
        "template": men.pk,
        "name": "Tuesday men",
        "sex": "male",
        "capacity": 10,
        "intake": "rolling",
        "psychologist": pair[0].pk,
        "social_worker": pair[1].pk,
        "location_kind": "room",
        "room": "Room 3",
        "village": "Kara-Suu",
        "district": "Alamedin",
        "language": "ky",
        "starts_on": "2030-01-07",
        "time_of_day": "17:30",
    }
    data.update(overrides)
    return data


def test_a_room_group_takes_the_room(orgs, men, pair):
    form = _group_form(orgs, **_group_data(men, pair))
    assert form.is_valid(), form.errors
    assert form.service_kwargs()["location"] == "Room 3"
    assert form.location_field() == "room"


def test_a_mobile_group_takes_village_and_district(orgs, men, pair):
    form = _group_form(orgs, **_group_data(men, pair, location_kind="mobile", room=""))
    assert form.is_valid(), form.errors
    assert form.service_kwargs()["location"] == "Kara-Suu, Alamedin"
    assert form.service_kwargs()["time_of_day"] == dt.time(17, 30)
    assert form.location_field() == "village"


def test_a_room_group_needs_the_room(orgs, men, pair):
    form = _group_form(orgs, **_group_data(men, pair, room=""))
    assert not form.is_valid()
    assert form.errors == {"room": ["Enter the room."]}


def test_example_schedule_interleaves_individual_and_group_sessions(db):
    tajik = f.shipped_template("tj-consultation-room")  # 10 individual every 18 days, groups every 9 from day 4

    weeks = example_schedule(tajik)

    assert (weeks[0].number, weeks[0].individual, weeks[0].group) == (1, [(1, 1)], [(1, 5)])
    assert (weeks[1].number, weeks[1].individual, weeks[1].group) == (2, [], [(2, 14)])
    assert (weeks[2].number, weeks[2].individual, weeks[2].group) == (3, [(2, 19)], [])
    assert (weeks[-1].number, weeks[-1].group) == (26, [(20, 176)])
    assert sum(len(w.individual) for w in weeks) == 10 and sum(len(w.group) for w in weeks) == 20


def test_example_schedule_of_several_sessions_a_week(db):
    ayalzat = f.shipped_template("kg-ayalzat-mandatory")  # 2 individual 3 days apart, groups every 3 days

    weeks = example_schedule(ayalzat)

    assert weeks[0].individual == [(1, 1), (2, 4)]
    assert weeks[0].group == [(1, 7)]
    assert weeks[1].group == [(2, 10), (3, 13)]


def _window(**overrides):
    window = {
        "order_expires_on": dt.date(2030, 1, 31),
        "programme_starts_on": dt.date(2030, 1, 10),
        "programme_ends_on": dt.date(2030, 7, 11),
        "obligation_ends_before_programme": True,
        "days_without_obligation": 161,
    }
    window.update(overrides)
    return window


def test_the_note_counts_weeks_without_obligation():
    assert window_note(_window()) == (
        "warning",
        "The legal obligation ends on 31 January 2030 — 23 weeks before the programme ends. Plan motivation work.",
    )


def test_the_note_counts_days_when_under_a_week():
    note = window_note(_window(programme_ends_on=dt.date(2030, 2, 2), days_without_obligation=2))
    assert (
        note[1]
        == "The legal obligation ends on 31 January 2030 — 2 days before the programme ends. Plan motivation work."
    )


def test_the_note_when_the_order_expired_before_the_start():
    note = window_note(_window(order_expires_on=dt.date(2030, 1, 5)))
    assert note == (
        "warning",
        "The legal obligation ended on 5 January 2030, before the programme starts. Plan motivation work.",
    )


def test_no_note_before_a_programme_is_chosen():
    assert window_note(_window(programme_ends_on=None)) is None


def test_the_note_when_the_obligation_outlasts_the_programme():
    note = window_note(_window(obligation_ends_before_programme=False, days_without_obligation=0))
    assert note == ("success", "The legal obligation lasts until the programme ends.")
