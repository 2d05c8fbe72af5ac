"""The form of the webhook page (``notifications.webhooks`` decides; this
form only parses)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class WebhookForm(forms.Form):
    url = forms.CharField(
        label=_("Address (URL)"),
        max_length=500,
        help_text=_("Where your system receives the status changes, e.g. https://cases.example.org/hooks/casework."),
        widget=forms.URLInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
