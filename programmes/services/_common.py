"""What the programme writes share: who may act, the wording of common refusals, timeline entries."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from core import events
from core.timeline import timeline_add_many
from programmes.models import LOGGED_STATUSES, Enrolment, Group, ProgrammeTemplate, Session, TemplateSex
from referrals import events as referral_events
from referrals.models import Referral

# How far back a start may be entered (groups and people already running
# when the system is introduced) and how far ahead.
MAX_BACKDATE_DAYS = 90
MAX_AHEAD_DAYS = 366


# --- Helpers -------------------------------------------------------------------


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time), timezone.get_default_timezone())


def _topic(curriculum: list[str], number: int) -> str:
    topics = [t for t in curriculum if t and t.strip()]
    return topics[(number - 1) % len(topics)] if topics else ""


def _sex_only_message(sex: str) -> str:
    return _("This programme is for men only.") if sex == TemplateSex.MALE else _("This programme is for women only.")


def _template_error(template: ProgrammeTemplate | None, provider: Organisation) -> str | None:
    if template is None:
        return _("Choose a programme.")
    if not (
        template.provider_id == provider.pk or (template.provider_id is None and template.country == provider.country)
    ):
        return _("This programme template is not available to your organisation.")
    if template.status != ProgrammeTemplate.Status.ACTIVE:
        return _("This programme template is not active.")
    return None


def _start_error(day: dt.date | None) -> str | None:
    if day is None:
        return _("Enter the date.")
    today = timezone.localdate()
    if day < today - dt.timedelta(days=MAX_BACKDATE_DAYS) or day > today + dt.timedelta(days=MAX_AHEAD_DAYS):
        return _("Choose a date within the last %(back)d days or the next year.") % {"back": MAX_BACKDATE_DAYS}
    return None


def _group_started(group: Group) -> bool:
    first = group.sessions.exclude(status=Session.Status.CANCELLED).order_by("starts_at").first()
    return group.sessions.filter(status__in=LOGGED_STATUSES).exists() or (
        first is not None and first.starts_at <= timezone.now()
    )


def _group_errors(
    group: Group, *, template: ProgrammeTemplate, sex: str, provider: Organisation, ignore: Enrolment | None = None
) -> list[str]:
    """Why a person of ``sex`` in ``template`` cannot join ``group``."""
    if group.provider_id != provider.pk:
        return [_("Choose a group of your organisation.")]
    errors = []
    if not group.is_active:
        errors.append(_("This group is no longer running."))
    if group.template.code != template.code or group.template.provider_id != template.provider_id:
        errors.append(_("This group runs another programme."))
    if group.sex != sex:
        errors.append(_("Men and women are never in one group."))
    active = group.enrolments.filter(status=Enrolment.Status.ACTIVE)
    if ignore is not None:
        active = active.exclude(pk=ignore.pk)
    if active.count() >= group.capacity:
        errors.append(_("The group is full."))
    if group.intake == Group.Intake.CLOSED and _group_started(group):
        errors.append(_("The group has closed intake and has already started."))
    return errors


def _timeline_many(*, referral_ids: list[int], by, kind: str, params: dict | None = None) -> None:
    """One timeline entry per referral, in one query."""
    timeline_add_many(by=by, kind=kind, rows=[(rid, params) for rid in referral_ids])


def _affected_referral_ids(session: Session) -> list[int]:
    if session.kind == Session.Kind.INDIVIDUAL:
        return list(Enrolment.objects.filter(pk=session.enrolment_id).values_list("case__referral_id", flat=True))
    return list(
        Enrolment.objects.filter(
            group_id=session.group_id, status=Enrolment.Status.ACTIVE, group_from__lte=session.local_date
        ).values_list("case__referral_id", flat=True)
    )


def _set_referral_status(referral: Referral, status: str) -> None:
    referral.status = status
    referral.status_changed_at = timezone.now()
    referral.save(update_fields=["status", "status_changed_at"])
    events.emit(referral_events.STATUS_CHANGED, referral=referral)


# --- Moves, transfers, discharge ---------------------------------------------


def _locked_active(enrolment: Enrolment) -> Enrolment:
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("case", "case__referral", "case__referral__person", "template", "group", "provider")
        .get(pk=enrolment.pk)
    )
    if enrolment.status != Enrolment.Status.ACTIVE:
        raise ValidationError({"__all__": [_("This enrolment has already ended.")]})
    return enrolment
