"""Reads for programmes, starting from the user's scope (404 outside it).

Who sees what:
- templates: every signed-in organisation sees the shipped templates;
  a provider sees its country's shipped templates and its own copies;
- groups and sessions: the provider's staff (psychologists, social workers,
  programme managers) of the group's provider;
- enrolments: the provider's staff (enrolments they run, and earlier ones of
  a case transferred to them); survivor workers see the enrolments of cases
  referred to their service, for the status only;
- the waiting list (accepted referrals not yet enrolled): the provider's
  staff of the referral's provider;
- a group held in a prison or correctional facility: that facility's
  officers, for its sessions' dates and attendance only (names and marks).

Every list selector loads what a page shows in a fixed number of queries.

The package is split by subject; every name stays importable from here."""

from ._common import has_role, local_midnight
from .enrolment import (
    active_enrolment,
    enrolment_for_case,
    enrolment_sessions,
    enrolments_visible_to,
    get_enrolment_for_user,
    legal_window,
)
from .facility import (
    FacilityPerson,
    FacilitySession,
    facilities_for,
    facility_attendance,
    facility_groups_for,
    get_facility_group_for_user,
    police_units_for,
)
from .groups import (
    facilitators,
    get_group_for_user,
    group_leaders,
    group_members,
    group_sessions,
    groups_choosable,
    groups_for_enrolment,
    groups_list_for,
    groups_to_take_over,
    groups_visible_to,
    qualification_warnings,
    running_groups_of,
)
from .progress import NOT_COUNTED, ONE_DECIMAL, Progress, progress, progress_for_enrolments
from .sessions import (
    Roster,
    RosterRow,
    Today,
    expected_and_marks,
    expected_by_session,
    get_session_for_user,
    provider_sessions_on,
    provider_unlogged_past_sessions,
    roster_for,
    roster_of,
    session_notes_for,
    sessions_for_calendar,
    sessions_today,
    sessions_visible_to,
    today_for,
    unlogged_past_sessions,
    with_expected,
)
from .templates import (
    get_browsable_template_for_user,
    get_own_template_for_user,
    get_template_for_user,
    template_in_use,
    template_usable_by,
    template_versions,
    templates_browsable,
    templates_for,
    usable_templates,
)
from .waiting import (
    OUTRUNS_WINDOW,
    SORT_WAIT,
    SORT_WINDOW,
    SORTS,
    WINDOW_ENDED,
    WINDOW_TOO_SHORT,
    WaitingRow,
    waiting_referrals,
    waiting_rows,
)

__all__ = [
    "FacilityPerson",
    "FacilitySession",
    "facilities_for",
    "police_units_for",
    "facility_attendance",
    "facility_groups_for",
    "get_facility_group_for_user",
    "OUTRUNS_WINDOW",
    "SORTS",
    "SORT_WAIT",
    "SORT_WINDOW",
    "WINDOW_ENDED",
    "WINDOW_TOO_SHORT",
    "WaitingRow",
    "waiting_referrals",
    "waiting_rows",
    "NOT_COUNTED",
    "ONE_DECIMAL",
    "Progress",
    "RosterRow",
    "Today",
    "active_enrolment",
    "enrolment_for_case",
    "enrolment_sessions",
    "enrolments_visible_to",
    "expected_and_marks",
    "expected_by_session",
    "facilitators",
    "get_browsable_template_for_user",
    "get_enrolment_for_user",
    "get_group_for_user",
    "get_own_template_for_user",
    "get_session_for_user",
    "get_template_for_user",
    "group_members",
    "group_leaders",
    "group_sessions",
    "groups_choosable",
    "groups_for_enrolment",
    "groups_list_for",
    "groups_to_take_over",
    "groups_visible_to",
    "has_role",
    "legal_window",
    "local_midnight",
    "progress",
    "progress_for_enrolments",
    "provider_sessions_on",
    "provider_unlogged_past_sessions",
    "Roster",
    "roster_for",
    "roster_of",
    "session_notes_for",
    "qualification_warnings",
    "running_groups_of",
    "sessions_for_calendar",
    "sessions_today",
    "sessions_visible_to",
    "template_in_use",
    "template_usable_by",
    "template_versions",
    "templates_browsable",
    "templates_for",
    "today_for",
    "unlogged_past_sessions",
    "with_expected",
    "usable_templates",
]
