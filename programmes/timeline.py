"""The timeline entries the programmes app writes (``core.timeline``)."""

from django.utils.translation import gettext_lazy as _

from core.timeline import kind

ENROLLED = kind("enrolled", _("Enrolled in a programme"), referrer=True)
SESSION_RESCHEDULED = kind("session_rescheduled", _("Session rescheduled"))
SESSION_CANCELLED = kind("session_cancelled", _("Session cancelled"))
ATTENDANCE_RECORDED = kind("attendance_recorded", _("Attendance recorded"))
MOVED_GROUP = kind("moved_group", _("Moved to another group"))
TRANSFERRED = kind("transferred", _("Transferred to another provider"), referrer=True)
DISCHARGED = kind("discharged", _("Left the programme"), referrer=True)
STAY_RECORDED = kind("stay_recorded", _("Stay at the residential centre recorded"))
