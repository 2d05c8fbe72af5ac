"""Dates as the region writes them in every language of the interface:
day.month.year and the 24-hour clock, English included (config/formats/en)."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.utils import formats, translation

MOMENT = dt.datetime(2026, 12, 5, 14, 30)


@pytest.mark.parametrize(
    ("language", "short_date", "short_datetime", "time"),
    [(language, "05.12.2026", "05.12.2026 14:30", "14:30") for language in ("en", "ru", "ky", "tg", "uz", "kk", "tk")],
)
def test_short_dates_are_day_first_and_times_24_hour(language, short_date, short_datetime, time):
    with translation.override(language):
        assert formats.date_format(MOMENT.date(), "SHORT_DATE_FORMAT") == short_date
        assert formats.date_format(MOMENT, "SHORT_DATETIME_FORMAT") == short_datetime
        assert formats.time_format(MOMENT.time()) == time


def test_the_long_english_date_puts_the_day_first():
    with translation.override("en"):
        assert formats.date_format(MOMENT.date(), "DATE_FORMAT") == "5 December 2026"
        assert formats.date_format(MOMENT, "DATETIME_FORMAT") == "5 December 2026, 14:30"


class _Form(forms.Form):
    day = forms.DateField()


@pytest.mark.parametrize(
    ("typed", "read"), [("2026-12-05", dt.date(2026, 12, 5)), ("05.12.2026", dt.date(2026, 12, 5))]
)
def test_an_english_form_reads_a_typed_date_day_first(typed, read):
    with translation.override("en"):
        form = _Form({"day": typed})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["day"] == read


def test_an_english_form_refuses_a_month_first_date_rather_than_guess():
    with translation.override("en"):
        form = _Form({"day": "12/05/2026"})
        assert not form.is_valid()
        assert form.errors["day"] == ["Enter a valid date."]


@pytest.mark.parametrize(
    ("language", "long_date"),
    [
        ("ru", "5 декабря 2026 г."),
        ("ky", "5 Декабрь 2026 ж."),
        ("tg", "5 декабр 2026 с."),
        ("uz", "5-Dekabr, 2026-yil"),
        ("kk", "5 Желтоқсан 2026 ж."),
        ("tk", "5 Dekabr 2026 ý."),
    ],
)
def test_the_long_date_puts_the_day_first_with_the_languages_own_year_mark(language, long_date):
    """Django's Tajik and Turkmen formats mark the year with the Russian
    "г." and it has no Kazakh formats (config/formats/{tg,tk,kk})."""
    with translation.override(language):
        assert formats.date_format(MOMENT.date(), "DATE_FORMAT") == long_date
        assert formats.date_format(MOMENT, "DATETIME_FORMAT").startswith(long_date)
        assert "14:30" in formats.date_format(MOMENT, "DATETIME_FORMAT")


@pytest.mark.parametrize("language", ["en", "ky", "uz"])
def test_dates_put_into_sentences_read_day_first_in_local_time(language, settings):
    from core.dates import short_date, short_datetime

    settings.TIME_ZONE = "Asia/Bishkek"  # UTC+6
    with translation.override(language):
        assert short_date(dt.date(2026, 12, 5)) == "05.12.2026"
        assert short_datetime(dt.datetime(2026, 12, 5, 20, 30, tzinfo=dt.UTC)) == "06.12.2026 02:30"
        assert (short_date(None), short_datetime(None)) == ("", "")
