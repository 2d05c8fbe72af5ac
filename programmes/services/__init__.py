"""Writes for programmes: templates, groups, enrolment, sessions, attendance,
moves, transfers and discharge.

Every service takes keyword arguments only, checks who ``by`` is, validates
(raising one ValidationError whose keys name the fields, "__all__" for the
whole), writes, and records a timeline entry on the referral of every case
it changes. Timeline details never hold notes or survivor data.

Who may do what (of the provider that owns the object):
- templates and groups, rescheduling and cancelling sessions, moving a
  person between groups, transfers: provider staff (psychologists, social
  workers, programme managers);
- enrolling (with a participant's stay at a residential centre), logging
  attendance, discharging: psychologists and social workers (clinical staff).

Dates and times: sessions are planned in settings.TIME_ZONE; individual
sessions on the hour in the practitioner's first free slot at least the
minimum notice ahead (programmes/scheduling.py), group sessions at the
group's time of day.

The package is split by subject; every name stays importable from here."""

from ._common import MAX_AHEAD_DAYS, MAX_BACKDATE_DAYS, _at
from .endings import (
    CANCEL_REASON_ENDED,
    CANCEL_REASON_TRANSFERRED,
    DISCHARGE_KINDS,
    _on_enrolment_ended,
    enrolment_discharge,
    enrolment_discharge_check,
    enrolment_transfer,
)
from .enrolment import INDIVIDUAL_TIME, enrol
from .groups import (
    CLOSE_REASON_MAX,
    GroupClosed,
    GroupUpdated,
    enrolment_move_group,
    group_close,
    group_close_check,
    group_create,
    group_extend_schedule,
    group_update,
)
from .places import StayDetails, enrol_with_stay, setting_errors, stay_errors, stay_record
from .sessions import (
    LOG_EARLY,
    AttendanceUnconfirmed,
    Logged,
    attendance_log,
    attendance_preview,
    attendance_record,
    clash_message,
    session_cancel,
    session_reschedule,
    told_signature,
)
from .templates import TEMPLATE_FIELDS, template_copy, template_update

__all__ = [
    "CANCEL_REASON_ENDED",
    "CANCEL_REASON_TRANSFERRED",
    "CLOSE_REASON_MAX",
    "DISCHARGE_KINDS",
    "GroupClosed",
    "GroupUpdated",
    "INDIVIDUAL_TIME",
    "K",
    "LOG_EARLY",
    "AttendanceUnconfirmed",
    "Logged",
    "StayDetails",
    "MAX_AHEAD_DAYS",
    "MAX_BACKDATE_DAYS",
    "TEMPLATE_FIELDS",
    "_at",
    "_on_enrolment_ended",
    "attendance_log",
    "attendance_preview",
    "attendance_record",
    "told_signature",
    "clash_message",
    "enrol",
    "enrol_with_stay",
    "enrolment_discharge",
    "enrolment_discharge_check",
    "enrolment_move_group",
    "enrolment_transfer",
    "group_close",
    "group_close_check",
    "group_create",
    "group_extend_schedule",
    "group_update",
    "session_cancel",
    "session_reschedule",
    "setting_errors",
    "stay_errors",
    "stay_record",
    "template_copy",
    "template_update",
]
