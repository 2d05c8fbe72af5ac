"""Turkmen dates: day.month.year, the 24-hour clock, the year marked "ý."
(ýyl). Django's Turkmen formats mark the year with the Russian "г."."""

from config.formats.common import *  # noqa: F403

DATE_FORMAT = "j E Y ý."
DATETIME_FORMAT = "j E Y ý. H:i"
YEAR_MONTH_FORMAT = "F Y ý."
