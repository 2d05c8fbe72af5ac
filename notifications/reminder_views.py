"""Two pages for reminders:

- "Reminders": a staff member's own reminders (unlogged sessions, risk
  reassessments, safety-plan reviews, follow-ups), newest first, with a
  link to where the work is done and whether it has been done since. Not
  safety notices: no acknowledgement, no escalation, not in the badge.
- "SMS reminders" of an enrolment: the programme staff turn the
  participant's SMS the day before each session on or off, see the text he
  would get (in his language) and the last SMS sent.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Language
from accounts.permissions import member_required, provider_staff_required
from notifications import reminders
from notifications.models import Reminder
from notifications.reminder_texts import participant_language, participant_sms, staff_summary
from programmes.models import Enrolment
from programmes.selectors import get_enrolment_for_user

PAGE_SIZE = 25


K = Reminder.Kind

# Why a participant's SMS was not sent (``Delivery.last_error`` of a
# cancelled row, see ``reminders.prepare``).
UNSENT_REASONS = {
    "session_cancelled": gettext_lazy("the session was cancelled"),
    "session_held": gettext_lazy("the session was already logged"),
    "rescheduled": gettext_lazy("the session was moved"),
    "not_active": gettext_lazy("the enrolment had ended"),
    "opted_out": gettext_lazy("SMS reminders were turned off"),
    "switched_off": gettext_lazy("SMS reminders are switched off for the whole system"),
    "no_phone": gettext_lazy("no phone number"),
    "too_late": gettext_lazy("too late to send the day before"),
    "gone": gettext_lazy("the session no longer exists"),
}


def reminder_link(reminder: Reminder) -> str | None:
    """Where the work of a reminder is done (that page checks access)."""
    if reminder.kind == K.UNLOGGED_SESSION and reminder.session_id:
        return reverse("programmes:session_log", args=[reminder.session_id])
    if reminder.kind == K.MONITORING_MEETING and (reminder.facts or {}).get("monitoring_meeting"):
        return reverse("outcomes:monitoring_meeting", args=[reminder.facts["monitoring_meeting"]])
    if reminder.kind == K.SAFETY_PLAN_REVIEW and reminder.safety_plan is not None:
        return reverse("casework:safety_plan", args=[reminder.case_id, reminder.safety_plan.survivor_id])
    if reminder.case_id:
        return reverse("casework:case_detail", args=[reminder.case_id])
    return None


@never_cache
@require_GET
@member_required
def reminder_list(request):
    page = Paginator(reminders.reminder_inbox_for(request.scope), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "reminder": delivery.reminder,
            "at": delivery.created_at,
            "text": staff_summary(delivery.reminder),
            "link": reminder_link(delivery.reminder),
            "settled": reminders.is_settled(delivery.reminder, delivery.latest_assessment),
        }
        for delivery in page.object_list
    ]
    return render(request, "notifications/reminders.html", {"page": page, "rows": rows})


class ParticipantReminderForm(forms.Form):
    sms_enabled = forms.BooleanField(
        label=gettext_lazy("Send an SMS the day before each session"),
        required=False,
        help_text=gettext_lazy(
            "Turn this off if the participant asks, or if others may read the phone and a message could put "
            "anyone at risk."
        ),
    )


def _own_enrolment(scope, pk: int) -> Enrolment:
    """The enrolment, run by the user's own provider; 404 otherwise (an
    earlier enrolment of a case transferred in is not theirs to change)."""
    enrolment = get_enrolment_for_user(scope, pk)
    if enrolment.provider_id != scope.organisation_id:
        raise Http404("No such enrolment.")
    return enrolment


@never_cache
@require_http_methods(["GET", "POST"])
@provider_staff_required
def participant_reminders(request, pk: int):
    enrolment = _own_enrolment(request.scope, pk)
    person = enrolment.case.referral.person
    enabled = reminders.sms_enabled_for(enrolment)
    form = ParticipantReminderForm(request.POST if request.method == "POST" else None, initial={"sms_enabled": enabled})
    if request.method == "POST" and form.is_valid():
        try:
            reminders.participant_reminders_set(
                enrolment=enrolment, enabled=form.cleaned_data["sms_enabled"], by=request.user
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            if form.cleaned_data["sms_enabled"]:
                messages.success(request, _("SMS reminders are on."))
            else:
                messages.success(request, _("SMS reminders are off. No SMS will be sent, including any waiting."))
            return redirect("notifications:participant_reminders", pk=enrolment.pk)
    language = participant_language(person.preferred_language)
    session = reminders.next_planned_session(enrolment)
    preview = (
        participant_sms(
            language=language,
            starts_at=session.starts_at,
            place=session.location_in(language),
            provider=session.provider.name_in(language),
        )
        if session is not None
        else ""
    )
    return render(
        request,
        "notifications/participant_reminders.html",
        {
            "enrolment": enrolment,
            "case": enrolment.case,
            "form": form,
            "enabled": enabled,
            "has_phone": bool(person.phone),
            "active": enrolment.status == Enrolment.Status.ACTIVE,
            "language_label": Language(language).label,
            "language_fallback": language != person.preferred_language,
            "next_session": session,
            "preview": preview,
            "deliveries": [
                (d, UNSENT_REASONS.get(d.last_error, d.last_error)) for d in reminders.participant_deliveries(enrolment)
            ],
        },
    )
