"""Monitoring after the programme: the monitoring body's list of meetings
and one meeting (recording it), and the provider's page where the bodies
of an enrolment are named.

Views are thin: a decorator decides the role (403), a selector the object
(404 outside the user's organisation), a form parses, a service writes.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Organisation
from accounts.permissions import provider_staff_required, requires
from core.errors import add_service_errors
from outcomes import monitoring_selectors as selectors
from outcomes import monitoring_services as services
from outcomes.forms import MonitoringBodiesForm, MonitoringMeetingForm
from outcomes.models import MonitoringMeeting
from outcomes.pages import meeting_recorded, page_of, view_name
from programmes.selectors import get_enrolment_for_user

post_monitor_required = requires("post_monitor")


@never_cache
@require_GET
@post_monitor_required
def monitoring_list(request):
    today = timezone.localdate()
    show = request.GET.get("show")
    if show not in selectors.SHOWS:
        show = "due"
    qs = selectors.monitoring_list_for(request.scope, show=show, today=today)
    return render(
        request,
        "outcomes/monitoring_list.html",
        {
            "page": page_of(request, qs),
            "show": show,
            "counts": selectors.monitoring_counts(request.scope, today=today),
            "today": today,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
@post_monitor_required
def monitoring_meeting(request, pk: int):
    # A recorded note is read through the selector, which logs the read.
    meeting = selectors.get_monitoring_meeting_for_user(request.scope, pk, via=view_name(request))
    form = MonitoringMeetingForm(request.POST if request.method == "POST" else None)

    def record(data):
        services.monitoring_meeting_record(
            meeting=meeting,
            by=request.user,
            met_on=data["met_on"],
            contact_made=data["contact_made"],
            new_violence=data["new_violence"],
            note=data["note"],
        )

    if meeting_recorded(request, form, record, done=_("Monitoring meeting recorded.")):
        return redirect("outcomes:monitoring_meeting", pk=meeting.pk)
    today = timezone.localdate()
    return render(
        request,
        "outcomes/monitoring_meeting.html",
        {
            "meeting": meeting,
            "enrolment": meeting.enrolment,
            "person": meeting.enrolment.case.referral.person,
            "form": form,
            "missed": meeting.is_missed_on(today),
            "others": selectors.earlier_meetings(meeting),
            "today": today,
        },
    )


def _assign_all(request, form, enrolment, kinds: list[str], assigned: dict) -> bool:
    """Name each body chosen on the form that changed; all or nothing. The
    errors go onto the kind's field."""
    with transaction.atomic():
        for kind in kinds:
            chosen = form.cleaned_data.get(kind)
            current = assigned.get(kind)
            if chosen is None or (current is not None and current.organisation_id == chosen.pk):
                continue
            try:
                services.monitoring_body_assign(
                    enrolment=enrolment, body_kind=kind, organisation=chosen, by=request.user
                )
            except ValidationError as exc:
                add_service_errors(form, exc, {"organisation": kind, "body_kind": kind})
                transaction.set_rollback(True)
                return False
    return True


@never_cache
@require_http_methods(["GET", "POST"])
@provider_staff_required
def monitoring_bodies(request, pk: int):
    enrolment = get_enrolment_for_user(request.scope, pk)
    template = enrolment.template
    assigned = selectors.assignments_of(enrolment)
    kinds = [kind for kind in template.monitoring_bodies if kind in Organisation.Kind.values]
    choices = {
        kind: (Organisation.Kind(kind).label, selectors.monitoring_candidates(enrolment, kind)) for kind in kinds
    }
    initial = {kind: assigned[kind].organisation_id for kind in kinds if kind in assigned}
    if "police_unit" in kinds and "police_unit" not in initial:
        # The referring police unit, when there is one, is the likely choice.
        initial["police_unit"] = enrolment.case.referral.referring_body_id
    form = MonitoringBodiesForm(request.POST if request.method == "POST" else None, choices=choices, initial=initial)
    if request.method == "POST" and form.is_valid() and _assign_all(request, form, enrolment, kinds, assigned):
        messages.success(request, _("Monitoring bodies saved."))
        return redirect("outcomes:monitoring_bodies", pk=enrolment.pk)
    return render(
        request,
        "outcomes/monitoring_bodies.html",
        {
            "enrolment": enrolment,
            "case": enrolment.case,
            "template": template,
            "form": form,
            "kinds": kinds,
            "meetings": selectors.provider_meetings_of(enrolment),
            "can_assign": enrolment.status in services.ASSIGNABLE,
            "today": timezone.localdate(),
            "status_missed": MonitoringMeeting.Status.MISSED,
        },
    )
