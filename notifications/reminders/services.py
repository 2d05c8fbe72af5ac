"""Sending a reminder and a participant's reminder settings."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import Scope
from notifications.models import Delivery, ParticipantReminderSetting, Reminder
from notifications.reminder_texts import participant_sms, staff_email
from programmes.models import Enrolment, Session
from programmes.selectors import local_midnight

from .selectors import still_due

logger = logging.getLogger(__name__)
K = Reminder.Kind


def _at_local(day: dt.date, hour: int) -> dt.datetime:
    return local_midnight(day) + dt.timedelta(hours=hour)


# --- just before sending (called by the relay) ----------------------------------------


@dataclass(frozen=True)
class Outgoing:
    """What the relay does with a reminder delivery: send ``body`` (and
    ``subject``) to ``to``; or cancel it (``cancel``: a short reason code,
    kept in ``last_error``); or put it back until ``defer_until``."""

    to: str = ""
    subject: str = ""
    body: str = ""
    cancel: str = ""
    defer_until: dt.datetime | None = None

    @property
    def held(self) -> bool:
        return bool(self.cancel or self.defer_until)


def _participant_outgoing(reminder: Reminder, delivery: Delivery, now: dt.datetime) -> Outgoing:
    session = reminder.session
    enrolment = reminder.enrolment
    if session is None or enrolment is None:
        return Outgoing(cancel="gone")
    if session.status != Session.Status.PLANNED:
        return Outgoing(cancel=f"session_{session.status}")
    if session.starts_at.isoformat() != (reminder.facts or {}).get("starts_at"):
        return Outgoing(cancel="rescheduled")
    if enrolment.status != Enrolment.Status.ACTIVE:
        return Outgoing(cancel="not_active")
    if ParticipantReminderSetting.objects.filter(enrolment=enrolment, sms_enabled=False).exists():
        return Outgoing(cancel="opted_out")
    if not settings.REMIND_PARTICIPANT_SMS:
        return Outgoing(cancel="switched_off")
    person = enrolment.case.referral.person
    if not person.phone:
        return Outgoing(cancel="no_phone")
    local = timezone.localtime(now)
    day_before = session.local_date - dt.timedelta(days=1)
    if local.date() > day_before or (
        local.date() == day_before and local.hour >= settings.REMIND_PARTICIPANT_UNTIL_HOUR
    ):
        return Outgoing(cancel="too_late")
    if local.date() < day_before or local.hour < settings.REMIND_PARTICIPANT_FROM_HOUR:
        return Outgoing(defer_until=_at_local(day_before, settings.REMIND_PARTICIPANT_FROM_HOUR))
    body = participant_sms(
        language=delivery.language,
        starts_at=session.starts_at,
        place=session.location_in(delivery.language),
        provider=session.provider.name_in(delivery.language),
    )
    return Outgoing(to=person.phone.as_e164, body=body)


def prepare(delivery: Delivery, now: dt.datetime) -> Outgoing:
    """Read the reminder behind ``delivery`` and say what to do with it."""
    reminder = (
        Reminder.objects.select_related(
            "session", "session__provider", "enrolment", "enrolment__case__referral__person"
        )
        .filter(pk=delivery.reminder_id)
        .first()
    )
    if reminder is None:
        return Outgoing(cancel="gone")
    if reminder.kind == K.SESSION_TOMORROW:
        return _participant_outgoing(reminder, delivery, now)
    if not still_due(reminder):
        return Outgoing(cancel="done")
    subject, body = staff_email(reminder, language=delivery.language)
    return Outgoing(to=delivery.address, subject=subject, body=body)


@transaction.atomic
def participant_reminders_set(
    *, enrolment: Enrolment, enabled: bool, by, now: dt.datetime | None = None
) -> ParticipantReminderSetting:
    """Turn a participant's SMS reminders on or off (the participant asked,
    or staff judge the phone unsafe to write to). Provider staff of the
    enrolment's provider, while the enrolment is active."""
    scope = Scope.for_user(by)
    if not (scope.is_provider_staff and scope.organisation_id == enrolment.provider_id):
        raise PermissionDenied(_("Only the programme staff of this provider can change reminders."))
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status != Enrolment.Status.ACTIVE:
        raise ValidationError({"__all__": [_("This enrolment has ended; no reminders are sent.")]})
    setting = ParticipantReminderSetting.objects.select_for_update().filter(enrolment=enrolment).first()
    if setting is None:
        setting = ParticipantReminderSetting(enrolment=enrolment, changed_by=by)
    setting.sms_enabled = bool(enabled)
    setting.changed_by = by
    setting.changed_at = now or timezone.now()
    setting.full_clean(exclude=["enrolment", "changed_by"])
    setting.save()
    logger.info("SMS reminders of enrolment #%s turned %s.", enrolment.pk, "on" if setting.sms_enabled else "off")
    return setting
