"""The timeline entries the outcomes app writes (``core.timeline``)."""

from django.utils.translation import gettext_lazy as _

from core.timeline import kind

QUESTIONNAIRE_RECORDED = kind("questionnaire_recorded", _("Questionnaire recorded"))
FOLLOW_UP_MEETING = kind("follow_up_meeting", _("Follow-up meeting recorded"))
MONITORING_BODY_ASSIGNED = kind("monitoring_body_assigned", _("Monitoring body named"))
MONITORING_MEETING = kind("monitoring_meeting", _("Monitoring meeting recorded"))
