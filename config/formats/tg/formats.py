"""Tajik dates: day.month.year, the 24-hour clock, the year marked "с."
(сол). Django's Tajik formats mark the year with the Russian "г."."""

from config.formats.common import *  # noqa: F403

DATE_FORMAT = "j E Y с."
DATETIME_FORMAT = "j E Y с. H:i"
YEAR_MONTH_FORMAT = "F Y с."
