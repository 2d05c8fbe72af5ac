"""English dates as the region writes them: day before month, 24-hour time.

Django's own English formats are American (12/05/2026, 2:30 p.m.), which a
reader in Central Asia takes for 12 May. Every language of the interface
writes a short date as day.month.year and a time on the 24-hour clock; the
input formats stay Django's (date fields are ``<input type="date">``, sent
as year-month-day)."""

DATE_FORMAT = "j F Y"  # 5 December 2026
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d.m.Y"  # 05.12.2026
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
# A typed date is read day first, never month first (12/05/2026 is not 5 December).
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"]
