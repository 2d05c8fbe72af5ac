"""The timeline entries the programmes app writes (``core.timeline``).

A session is named by its params ``session`` (its kind: "group" or
"individual"), ``number`` and ``at`` (when it starts)."""

from django.utils.translation import gettext_lazy as _

from accounts.models import organisation_name
from core.shipped import shown
from core.timeline import as_date, as_datetime, as_time, choice, kind
from programmes.models import Attendance, Enrolment, Session


def session_params(session: Session) -> dict:
    return {"session": session.kind, "number": session.number, "at": session.starts_at}


def _session(params, at: str = "at") -> str:
    values = {"number": params["number"], "at": as_datetime(params[at])}
    if params["session"] == Session.Kind.GROUP:
        return _("Group session %(number)s, %(at)s") % values
    return _("Individual session %(number)s, %(at)s") % values


def _enrolled(params) -> str:
    # The programme's name: a shipped template's in the reader's language.
    params = {**params, "programme": shown(params["programme"])}
    if params.get("group"):
        return _("%(programme)s (version %(version)s), group %(group)s") % params
    return _("%(programme)s (version %(version)s)") % params


def _rescheduled(params) -> str:
    if "group" in params:
        # A group's timetable moved: from which day, at what time.
        return _("Group %(group)s: sessions from %(from)s at %(time)s") % {
            "group": params["group"],
            "from": as_date(params["from"]),
            "time": as_time(params["time"]),
        }
    return _("%(session)s moved to %(to)s") % {"session": _session(params), "to": as_datetime(params["to"])}


def _attendance(params) -> str:
    values = {"session": _session(params), "mark": choice(Attendance.Mark)(params["mark"])}
    if params.get("counted") is False:
        return _("%(session)s: %(mark)s (short notice, not counted)") % values
    return _("%(session)s: %(mark)s") % values


def _moved_group(params) -> str:
    if params.get("from"):
        return _("from group %(from)s to group %(to)s") % params
    return _("to group %(to)s") % params


def _stay(params) -> str:
    if params.get("departure"):
        return _("%(arrival)s to %(departure)s") % {
            "arrival": as_date(params["arrival"]),
            "departure": as_date(params["departure"]),
        }
    return _("since %(arrival)s") % {"arrival": as_date(params["arrival"])}


ENROLLED = kind("enrolled", _("Enrolled in a programme"), referrer=True, detail=_enrolled)
SESSION_RESCHEDULED = kind("session_rescheduled", _("Session rescheduled"), detail=_rescheduled)
SESSION_CANCELLED = kind("session_cancelled", _("Session cancelled"), detail=_session)
ATTENDANCE_RECORDED = kind("attendance_recorded", _("Attendance recorded"), detail=_attendance)
MOVED_GROUP = kind("moved_group", _("Moved to another group"), detail=_moved_group)
TRANSFERRED = kind(
    "transferred",
    _("Transferred to another provider"),
    referrer=True,
    detail=_("to %(provider)s"),
    values={"provider": organisation_name},
)
DISCHARGED = kind(
    "discharged",
    _("Left the programme"),
    referrer=True,
    detail="%(status)s",
    values={"status": choice(Enrolment.Status)},
)
STAY_RECORDED = kind("stay_recorded", _("Stay at the residential centre recorded"), detail=_stay)
