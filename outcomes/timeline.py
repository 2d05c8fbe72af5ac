"""The timeline entries the outcomes app writes (``core.timeline``).

Which questionnaire, whose and when, never a score or an answer; what a
meeting came to, never its notes."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import Organisation, organisation_name
from core.timeline import as_date, choice, kind
from outcomes.models import Occasion, Respondent

_body = choice(Organisation.Kind)


def _questionnaire(params) -> str:
    values = {
        "instrument": params["instrument"].upper(),
        "respondent": choice(Respondent)(params["respondent"]),
        "occasion": choice(Occasion)(params["occasion"]),
    }
    months = params.get("months")
    if months:
        return ngettext(
            "%(instrument)s: %(respondent)s, %(occasion)s, %(months)s month",
            "%(instrument)s: %(respondent)s, %(occasion)s, %(months)s months",
            months,
        ) % {**values, "months": months}
    return _("%(instrument)s: %(respondent)s, %(occasion)s") % values


def _follow_up_meeting(params) -> str:
    values = {"date": as_date(params["met_on"])}
    if params["attended"]:
        return _("%(date)s: attended") % values
    return _("%(date)s: did not come") % values


def _monitoring_meeting(params) -> str:
    values = {"date": as_date(params["met_on"]), "body": _body(params["body"])}
    if params["contact_made"]:
        text = _("%(date)s, %(body)s: contact made") % values
    else:
        text = _("%(date)s, %(body)s: no contact") % values
    if params.get("new_violence"):
        return _("%(meeting)s; new violence reported") % {"meeting": text}
    return text


QUESTIONNAIRE_RECORDED = kind("questionnaire_recorded", _("Questionnaire recorded"), detail=_questionnaire)
FOLLOW_UP_MEETING = kind("follow_up_meeting", _("Follow-up meeting recorded"), detail=_follow_up_meeting)
MONITORING_BODY_ASSIGNED = kind(
    "monitoring_body_assigned",
    _("Monitoring body named"),
    # The body's kind, and the organisation's name as it has it.
    detail="%(body)s: %(organisation)s",
    values={"body": _body, "organisation": organisation_name},
)
MONITORING_MEETING = kind("monitoring_meeting", _("Monitoring meeting recorded"), detail=_monitoring_meeting)
