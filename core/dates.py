"""A date or a moment as a reader reads it, in the active language:
day.month.year and the 24-hour clock in every language
(``config/formats``), local time for a moment.

For dates put into sentences: messages, option labels, emails, exports.
Templates use ``|date:"SHORT_DATE_FORMAT"``; stored params keep ISO dates
(``core.timeline``)."""

from __future__ import annotations

import datetime as dt

from django.utils import formats, timezone


def short_date(day: dt.date | None) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT") if day else ""


def short_datetime(moment: dt.datetime | None) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT") if moment else ""
