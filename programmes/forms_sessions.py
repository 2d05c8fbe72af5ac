"""Forms of the daily-work pages: the attendance roster, rescheduling,
cancelling and discharge. They parse only; the services decide."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import PlausibleDateField
from core.shipped import shown
from programmes.models import Attendance, Enrolment, Session
from programmes.selectors import RosterRow
from programmes.services import DISCHARGE_KINDS
from referrals.models import NOTE_MAX_LENGTH

OTHER_TOPIC = "__other__"
NEVER_AN_ABSENCE = _("A session cancelled by the programme is never counted as an absence.")


def mark_field(enrolment_id: int) -> str:
    return f"mark-{enrolment_id}"


def confirm_field(enrolment_id: int) -> str:
    return f"confirm-{enrolment_id}"


class RosterForm(forms.Form):
    """One session's log: a mark per expected person, the topic covered and
    the facilitators' notes. Each person's mark is a set of radio buttons
    (``mark-<enrolment id>``), so the page works without JavaScript."""

    topic = forms.ChoiceField(label=_("Topic covered"), required=False)
    topic_other = forms.CharField(
        label=_("Another topic"),
        max_length=200,
        required=False,
        help_text=_("Only when the topic is not in the list."),
    )
    # What the page warned of (safety notices this save records); the save
    # goes ahead only when the warning shown is still what would happen.
    expect = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)
    notes = forms.CharField(
        label=_("Facilitator notes"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Stored encrypted. Never written into the case timeline or any notice."),
    )

    def __init__(self, data=None, *, session: Session, rows: list[RosterRow], topics: list[str], notes: str):
        self.rows = rows
        topic_initial, other_initial = _topic_initial(session, topics)
        initial = {"topic": topic_initial, "topic_other": other_initial, "notes": notes}
        for row in rows:
            initial[mark_field(row.enrolment.pk)] = row.mark or None
        super().__init__(data, initial=initial)
        self.fields["topic"].choices = [
            ("", _("— No topic (nobody came) —")),
            *[(t, shown(t)) for t in topics],
            (OTHER_TOPIC, _("Another topic (type it below)")),
        ]
        for row in rows:
            self.fields[mark_field(row.enrolment.pk)] = forms.ChoiceField(
                label=row.enrolment.case.referral.person.full_name,
                choices=Attendance.Mark.choices,
                widget=forms.RadioSelect(attrs={"class": "btn-check", "autocomplete": "off"}),
                error_messages={
                    "required": _("Mark every participant."),
                    "invalid_choice": _("Choose present, late, excused or unexcused."),
                },
            )
            if row.short_notice:
                self.fields[confirm_field(row.enrolment.pk)] = forms.BooleanField(
                    label=_("They knew of this session in time: count the unexcused absence"),
                    required=False,
                    initial=row.absence_confirmed,
                )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("topic") == OTHER_TOPIC and not (cleaned.get("topic_other") or "").strip():
            self.add_error("topic_other", _("Type the topic, or choose one from the list."))
        return cleaned

    def roster(self) -> list[tuple[RosterRow, forms.BoundField, forms.BoundField | None]]:
        return [
            (
                row,
                self[mark_field(row.enrolment.pk)],
                self[confirm_field(row.enrolment.pk)] if row.short_notice else None,
            )
            for row in self.rows
        ]

    def marks(self) -> dict[int, str]:
        return {row.enrolment.pk: self.cleaned_data[mark_field(row.enrolment.pk)] for row in self.rows}

    def confirmed(self) -> set[int]:
        """Short-notice absences the practitioner confirms as real."""
        return {
            row.enrolment.pk
            for row in self.rows
            if row.short_notice and self.cleaned_data.get(confirm_field(row.enrolment.pk))
        }

    def topic_covered(self) -> str:
        if self.cleaned_data.get("topic") == OTHER_TOPIC:
            return self.cleaned_data.get("topic_other", "")
        return self.cleaned_data.get("topic", "")

    def topic_field(self) -> str:
        """Where an error about the topic belongs."""
        return "topic_other" if self.cleaned_data.get("topic") == OTHER_TOPIC else "topic"


def session_topics(session: Session) -> list[str]:
    """The curriculum of the session's programme, plus the planned and the
    recorded topic when the curriculum does not have them."""
    template = session.group.template if session.group_id else session.enrolment.template
    topics = [t for t in template.curriculum if t and t.strip()]
    for extra in (session.planned_topic, session.topic_covered):
        if extra and extra not in topics:
            topics.append(extra)
    return topics


def _topic_initial(session: Session, topics: list[str]) -> tuple[str, str]:
    chosen = session.topic_covered if session.is_logged else session.planned_topic
    if not chosen:
        return "", ""
    if chosen in topics:
        return chosen, ""
    return OTHER_TOPIC, chosen


class RescheduleForm(forms.Form):
    day = PlausibleDateField(label=_("New date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    duration_minutes = forms.IntegerField(label=_("Length (minutes)"), min_value=15, max_value=480, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=300)
    allow_clash = forms.BooleanField(
        label=_("Keep this time despite the clash"),
        required=False,
        help_text=_("Only when the overlap is unavoidable: the practitioner or the room is then booked twice."),
    )

    def __init__(self, data=None, *, session: Session):
        local = timezone.localtime(session.starts_at)
        super().__init__(
            data,
            initial={"day": local.date(), "time": local.time(), "duration_minutes": session.duration_minutes},
        )
        self.fields["reason"].help_text = (
            _("A group session moves for everyone in the group.") if session.kind == Session.Kind.GROUP else ""
        )

    def starts_at(self) -> dt.datetime:
        return timezone.make_aware(
            dt.datetime.combine(self.cleaned_data["day"], self.cleaned_data["time"]), timezone.get_default_timezone()
        )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=300, help_text=NEVER_AN_ABSENCE)


class DischargeForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("How the programme ended"),
        choices=[(k.value, k.label) for k in DISCHARGE_KINDS],
        widget=forms.RadioSelect,
    )
    for_violence = forms.BooleanField(
        label=_("Expelled because of new violence"),
        required=False,
        help_text=_("Only with “Expelled”. The survivor service and the police get an urgent notice."),
    )
    on = PlausibleDateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        required=False,
        help_text=_("Needed unless the programme was completed. Short and non-clinical: partner agencies may see it."),
    )
    notes = forms.CharField(
        label=_("Notes"),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Stored encrypted; for your organisation only."),
    )

    def __init__(self, data=None, *, enrolment: Enrolment):
        super().__init__(data, initial={"on": timezone.localdate()})
        self.enrolment = enrolment

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if cleaned.get("for_violence") and kind and kind != Enrolment.Status.EXPELLED:
            self.add_error("for_violence", _("Only an expulsion can be because of new violence."))
        return cleaned
