"""A prison or correctional facility's pages: the programme groups held at
the facility and, for each, its sessions with who is to be brought to the
room or who attended.

Facility officers only (403 for every other role); a group of another
facility is missing (404). The pages show names, dates, places and
attendance marks: never session notes or topics, risk, survivor data or
questionnaire scores (the selectors do not load them).
"""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from accounts.permissions import requires
from programmes.selectors import facility_attendance, facility_groups_for, get_facility_group_for_user

facility_required = requires("facility")


@never_cache
@facility_required
def facility_groups(request):
    return render(request, "programmes/facility/group_list.html", {"groups": list(facility_groups_for(request.scope))})


@never_cache
@facility_required
def facility_group(request, pk: int):
    group = get_facility_group_for_user(request.scope, pk)
    sessions = facility_attendance(group)
    now = timezone.now()
    return render(
        request,
        "programmes/facility/group_detail.html",
        {
            "group": group,
            "upcoming": [s for s in sessions if s.starts_at >= now and s.status == "planned"],
            "past": [s for s in sessions if not (s.starts_at >= now and s.status == "planned")][::-1],
        },
    )
