"""Kazakh dates: day.month.year, the 24-hour clock, the year marked "ж."
(жыл). Django has no Kazakh formats."""

from config.formats.common import *  # noqa: F403

DATE_FORMAT = "j E Y ж."
DATETIME_FORMAT = "j E Y ж. H:i"
YEAR_MONTH_FORMAT = "F Y ж."
