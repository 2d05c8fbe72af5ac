"""Forms for the inbox, the acknowledgement and the violence report. They
parse; the services decide and write."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PlausibleDateField
from core.submission import SubmissionKeyMixin
from notifications.models import ACK_NOTE_MAX_LENGTH, Notice, SafetyEvent
from referrals.models import NOTE_MAX_LENGTH

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CASE_NUMBER = re.compile(r"^\s*(?:[KkКк]-?)?0*(\d{1,9})\s*$")
# A referring body (police, court, commission, ...) knows its referrals by
# their R-number ("R-00012"), not by case numbers.
REFERRAL_NUMBER = re.compile(r"^\s*(?:[RrРр]-?)?0*(\d{1,9})\s*$")

STATE_CHOICES = [
    ("open", _("Open")),
    ("overdue", _("Overdue")),
    ("acknowledged", _("Acknowledged")),
    ("all", _("All")),
]


class InboxFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("Show"), choices=STATE_CHOICES, required=False)
    kind = forms.ChoiceField(
        label=_("Event"), choices=[("", _("All events")), *SafetyEvent.Kind.choices], required=False
    )
    case = forms.CharField(label=_("Case number"), max_length=12, required=False)

    def __init__(self, *args, by_referral: bool = False, **kwargs) -> None:
        """``by_referral``: the reader knows its notices by referral number
        (a referring body's officer who reads no case)."""
        super().__init__(*args, **kwargs)
        self.by_referral = by_referral
        self.pattern = REFERRAL_NUMBER if by_referral else CASE_NUMBER
        self.example = "R-00012" if by_referral else "K-0012"
        if by_referral:
            self.fields["case"].label = _("Referral number")

    def values(self) -> dict:
        """The filter as the selector wants it; a field with bad input does
        not filter (its error is shown), the others still do."""
        self.is_valid()
        data = self.cleaned_data
        match = self.pattern.match(data.get("case") or "")
        number = int(match.group(1)) if match else None
        return {
            "state": data.get("state") or "open",
            "kind": data.get("kind") or "",
            "case_id": None if self.by_referral else number,
            "referral_id": number if self.by_referral else None,
        }

    def clean_case(self):
        value = self.cleaned_data.get("case") or ""
        if value and not self.pattern.match(value):
            if self.by_referral:
                raise forms.ValidationError(_("Enter a referral number such as R-00012."))
            raise forms.ValidationError(_("Enter a case number such as K-0012."))
        return value


class AcknowledgeForm(forms.Form):
    """One or more actions and a note. Any known action code parses; the
    service decides whether it fits this notice's recipient. Only the
    recipient's own actions are offered."""

    actions = forms.MultipleChoiceField(
        label=_("What was done"),
        choices=Notice.Action.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Tick everything that was done."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=ACK_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text=_("Needed for “No contact possible” (why) and “Other” (what). Only your organisation sees it."),
    )

    def __init__(self, *args, notice: Notice, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["actions"].widget.choices = notice.action_choices()


class ViolenceReportForm(SubmissionKeyMixin, forms.Form):
    reported_on = PlausibleDateField(label=_("Date of the violence or of the report"), widget=DATE_INPUT)
    summary = forms.CharField(
        label=_("What happened"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5, "autocomplete": "off"}),
        help_text=_(
            "Kept encrypted on the case. The survivor service and the referring body are told that new violence "
            "was reported and when, not what."
        ),
    )
