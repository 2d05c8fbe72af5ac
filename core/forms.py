"""Form fields every app uses.

``PlausibleDateField`` is the only date field our forms use (a test walks
every form and checks): it refuses years before 1900 and after 2099 with a
field error, so 0001-01-01 never reaches a service or the database.
"""

from __future__ import annotations

from django import forms

from core.validators import not_after_2099, not_before_1900


class DateInput(forms.DateInput):
    """The browser's own date picker; the value travels as YYYY-MM-DD."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class PlausibleDateField(forms.DateField):
    """``latest=False`` for a field whose form refuses the future with a
    message of its own (a report period)."""

    widget = DateInput

    def __init__(self, *, latest: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.validators = [not_before_1900, *([not_after_2099] if latest else []), *self.validators]
