"""English dates as the region writes them: day before month, 24-hour time.

Django's own English formats are American (12/05/2026, 2:30 p.m.), which a
reader in Central Asia takes for 12 May. Every language of the interface
writes a short date as day.month.year and a time on the 24-hour clock; the
input formats stay Django's (date fields are ``<input type="date">``, sent
as year-month-day)."""

from config.formats.common import *  # noqa: F403

DATE_FORMAT = "j F Y"  # 5 December 2026
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
# English keeps its decimal point.
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
