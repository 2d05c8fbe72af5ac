"""The notifications app's answers to the events of the apps below it
(``core.events``): each safety event becomes a SafetyEvent row and its
notices, written in the emitting service's transaction; the relay sends
them after the commit.

Imported by ``NotificationsConfig.ready``. The apps below never import
notifications: they emit, and this module listens.
"""

from __future__ import annotations

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from casework import events as casework_events
from core import events
from notifications import selectors, services, webhooks
from notifications.wording import tells_sentence, told_sentence
from outcomes import events as outcome_events
from programmes import events as programme_events
from referrals import events as referral_events

# --- Referrals -----------------------------------------------------------------

events.subscribe(referral_events.STATUS_CHANGED)(webhooks.referral_status_changed)
events.subscribe(referral_events.DECIDED)(services.referral_decided_notify)


# --- Casework ------------------------------------------------------------------

events.subscribe(casework_events.RISK_REASSESSED)(services.risk_raised_notify)
events.provide(casework_events.SAFETY_TRAIL)(selectors.case_safety_trail)


# --- Programmes ----------------------------------------------------------------


@events.subscribe(programme_events.ENROLMENT_ENDED)
def notify_enrolment_ended(*, enrolment, by=None):
    return services.enrolment_ended_notify(enrolment, by=by)


events.subscribe(programme_events.ABSENCE_COUNTED)(services.attendance_missed_notify)
events.subscribe(programme_events.DROPOUT_RULE_CHECKED)(services.dropout_rule_notify)


@events.provide(programme_events.ENDING_WOULD_TELL)
def ending_would_tell_sentence(*, enrolment, ending: str) -> str:
    preview = selectors.ending_would_tell(enrolment, ending)
    if preview.earlier is not None:
        return _("Nobody is told again: the dropout was reported on %(date)s.") % {
            "date": formats.date_format(timezone.localtime(preview.earlier.created_at), "SHORT_DATE_FORMAT")
        }
    return tells_sentence(preview.organisations)


@events.provide(programme_events.ENDING_TOLD)
def ending_told_sentence(*, enrolment) -> str:
    told = selectors.ending_told(enrolment)
    return told_sentence(told.kind, told.organisations)


# --- Outcomes ------------------------------------------------------------------

events.subscribe(outcome_events.MONITORING_VIOLENCE_REPORTED)(services.monitoring_violence_notify)
