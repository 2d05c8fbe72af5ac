"""``{% field_strings %}``: the words of the field pages as a JSON script
element (``fieldwork.texts``), in the reader's language, with the site's
time zone (the script shows times as the site's pages do)."""

from django import template
from django.conf import settings
from django.utils.html import json_script

from fieldwork.texts import field_strings as strings

register = template.Library()


@register.simple_tag
def field_strings():
    return json_script({**strings(), "_time_zone": settings.TIME_ZONE}, "field-strings")


@register.simple_tag
def field_keep_days() -> int:
    """How many days entries recorded offline are kept on a phone."""
    return settings.FIELD_ENTRY_DAYS
