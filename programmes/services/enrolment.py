"""Enrolling a referred person in a programme: the checks, the individual sessions' diary."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.permissions import require_clinical
from casework.models import Case
from core.events import emit
from core.timeline import timeline_add
from core.validation import validated
from programmes import scheduling
from programmes import timeline as K
from programmes.events import ENROLLED
from programmes.models import Enrolment, Group, ProgrammeTemplate, Session, TemplateSex
from programmes.selectors import (
    has_role,
)
from referrals.models import Referral

from ._common import (
    _group_errors,
    _set_referral_status,
    _sex_only_message,
    _start_error,
    _template_error,
    _topic,
)

INDIVIDUAL_TIME = dt.time(10, 0)


# --- Enrolment -----------------------------------------------------------------


def _individual_session_objects(
    enrolment: Enrolment, template: ProgrammeTemplate, times: list[dt.datetime], now: dt.datetime
) -> list[Session]:
    return [
        Session(
            provider_id=enrolment.provider_id,
            kind=Session.Kind.INDIVIDUAL,
            enrolment=enrolment,
            number=index,
            starts_at=starts_at,
            duration_minutes=template.individual_minutes,
            facilitator_id=enrolment.psychologist_id,
            planned_topic=_topic(template.curriculum, index),
            planned_at=now,
        )
        for index, starts_at in enumerate(times, start=1)
    ]


def _diary_full_message(psychologist, day: dt.date) -> str:
    return _(
        "%(name)s has no free hour within %(days)d days of %(date)s. Choose another psychologist, or tick "
        "“Plan despite clashes” to put the sessions in the first hours after the notice anyway."
    ) % {
        "name": psychologist.get_full_name() or psychologist.get_username(),
        "days": scheduling.SEARCH_DAYS,
        "date": day.isoformat(),
    }


@transaction.atomic
def enrol(
    *,
    case: Case,
    template: ProgrammeTemplate,
    psychologist,
    starts_on: dt.date,
    by,
    group: Group | None = None,
    allow_clash: bool = False,
    now: dt.datetime | None = None,
) -> Enrolment:
    """Enrol the person of an open case in a programme and plan their
    individual sessions with ``psychologist``: the template's cadence from
    the first free slot on or after ``starts_on`` that is at least the
    minimum notice from now (``scheduling.plan_individual``), never in the
    past and never overlapping another session of the psychologist. When
    the psychologist's diary is full the enrolment is refused under
    "allow_clash" unless ``allow_clash``. The referral becomes "enrolled".
    ``now``: when the enrolment was made, for enrolments entered afterwards
    (demo history, tests); the views never pass it.

    The referral must be accepted (or enrolled with no active enrolment,
    after a transfer in). ``group`` is required when the template has group
    sessions: a running group of the provider, of the same programme (any
    version of the template), of the person's sex, with room, and - for a
    closed group - not yet started; the person is in the group from its
    first session on or after ``starts_on + template.first_group_offset()``
    that is at least the minimum notice away (``scheduling.group_from``)."""
    require_clinical(case.provider_id, by)
    case = Case.objects.select_for_update().select_related("referral", "referral__person", "provider").get(pk=case.pk)
    referral = case.referral
    if case.status != Case.Status.OPEN:
        raise ValidationError({"__all__": [_("This case is closed.")]})
    if Enrolment.objects.filter(case=case, status=Enrolment.Status.ACTIVE).exists():
        raise ValidationError({"__all__": [_("The person is already enrolled in a programme.")]})
    if referral.status not in (Referral.Status.ACCEPTED, Referral.Status.ENROLLED):
        raise ValidationError({"__all__": [_("Only an accepted referral can be enrolled.")]})

    provider = case.provider
    sex = referral.person.sex
    errors: dict[str, list] = {}
    template_error = _template_error(template, provider)
    if template_error:
        errors["template"] = [template_error]
    elif template.sex != TemplateSex.ANY and template.sex != sex:
        errors["template"] = [_sex_only_message(template.sex)]
    start_error = _start_error(starts_on)
    if start_error:
        errors["starts_on"] = [start_error]
    group_from = None
    if template is not None and not template_error:
        if group is not None and template.group_sessions == 0:
            errors["group"] = [_("This programme has no group sessions.")]
        elif group is None and template.group_sessions:
            errors["group"] = [_("Choose a group.")]
        elif group is not None:
            group = Group.objects.select_for_update().select_related("template").get(pk=group.pk)
            group_errors = _group_errors(group, template=template, sex=sex, provider=provider)
            if group_errors:
                errors["group"] = group_errors
            elif not start_error:
                nominal = starts_on + dt.timedelta(days=template.first_group_offset())
                group_from = scheduling.group_from(group, not_before=nominal, now=now)
                if group.intake == Group.Intake.CLOSED and nominal > group.starts_on:
                    latest = group.starts_on - dt.timedelta(days=template.first_group_offset())
                    errors["starts_on"] = [
                        _(
                            "The group has closed intake: start by %(date)s so that the person is there "
                            "from its first session."
                        )
                        % {"date": latest.isoformat()}
                    ]
                elif group.intake == Group.Intake.CLOSED and group_from > group.starts_on:
                    errors["group"] = [
                        _(
                            "The group's first session is less than %(hours)d hours away: the person cannot be "
                            "told in time. Choose another group."
                        )
                        % {"hours": scheduling.notice_hours()}
                    ]
    if not has_role(psychologist, provider, Role.PSYCHOLOGIST):
        errors["psychologist"] = [_("Choose a psychologist of your organisation.")]
    if errors:
        raise ValidationError(errors)

    enrolment = Enrolment(
        case=case,
        template=template,
        provider=provider,
        group=group,
        group_from=group_from,
        psychologist=psychologist,
        starts_on=starts_on,
        enrolled_by=by,
        enrolled_at=now or timezone.now(),
    )
    validated(enrolment, errors, "", exclude=["case", "template", "provider", "group", "psychologist", "enrolled_by"])
    if errors:
        raise ValidationError(errors)
    try:
        times = scheduling.plan_individual(
            practitioner_id=psychologist.pk,
            offsets=template.individual_offsets(),
            starts_on=starts_on,
            minutes=template.individual_minutes,
            allow_clash=allow_clash,
            now=enrolment.enrolled_at,
        )
    except scheduling.DiaryFull as full:
        raise ValidationError({"allow_clash": [_diary_full_message(psychologist, full.day)]}) from None
    enrolment.save()
    Session.objects.bulk_create(_individual_session_objects(enrolment, template, times, enrolment.enrolled_at))
    if referral.status != Referral.Status.ENROLLED:
        _set_referral_status(referral, Referral.Status.ENROLLED)
    detail = f"{template.name} (v{template.version})"
    if group is not None:
        detail += f", group {group.name}"
    timeline_add(referral=referral, by=by, kind=K.ENROLLED, detail=detail)
    # Outcome monitoring schedules the intake questionnaire point.
    emit(ENROLLED, enrolment=enrolment, by=by)
    return enrolment
