"""``{{ text|shipped }}``: a text the system shipped as data, in the
reader's language; anything else as it was typed (``core.shipped``)."""

from __future__ import annotations

from django import template

from core.shipped import shown

register = template.Library()


@register.filter(name="shipped")
def shipped_filter(text: str | None) -> str:
    return shown(text)
