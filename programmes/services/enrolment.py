"""Enrolling a referred person in a programme: the checks, the individual sessions' diary."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, Role
from accounts.permissions import require_clinical
from casework.models import Case
from core.dates import short_date
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
        "date": short_date(day),
    }


def _locked_case_to_enrol(case: Case) -> Case:
    """``case`` locked, if its person can be enrolled now: the case is
    open, nobody is enrolled in it, and its referral is accepted."""
    case = Case.objects.select_for_update().select_related("referral", "referral__person", "provider").get(pk=case.pk)
    referral = case.referral
    if case.status != Case.Status.OPEN:
        raise ValidationError({"__all__": [_("This case is closed.")]})
    if Enrolment.objects.filter(case=case, status=Enrolment.Status.ACTIVE).exists():
        raise ValidationError({"__all__": [_("The person is already enrolled in a programme.")]})
    if referral.status not in (Referral.Status.ACCEPTED, Referral.Status.ENROLLED):
        raise ValidationError({"__all__": [_("Only an accepted referral can be enrolled.")]})
    return case


def _closed_intake_errors(
    group: Group, template: ProgrammeTemplate, nominal: dt.date, group_from: dt.date
) -> dict[str, list]:
    """A closed group takes the person only from its first session: his
    start must bring him there, and he must be told of it in time."""
    if group.intake != Group.Intake.CLOSED:
        return {}
    if nominal > group.starts_on:
        latest = group.starts_on - dt.timedelta(days=template.first_group_offset())
        return {
            "starts_on": [
                _("The group has closed intake: start by %(date)s so that the person is there from its first session.")
                % {"date": short_date(latest)}
            ]
        }
    if group_from > group.starts_on:
        return {
            "group": [
                _(
                    "The group's first session is less than %(hours)d hours away: the person cannot be "
                    "told in time. Choose another group."
                )
                % {"hours": scheduling.notice_hours()}
            ]
        }
    return {}


def _group_choice(
    group: Group | None,
    *,
    template: ProgrammeTemplate,
    sex: str,
    provider: Organisation,
    starts_on: dt.date,
    start_ok: bool,
    now: dt.datetime | None,
    errors: dict[str, list],
) -> tuple[Group | None, dt.date | None]:
    """The group the person joins (locked) and the day he is in it from;
    what does not fit goes into ``errors``: a group for a programme without
    group sessions, none for one with them, a group that does not take him."""
    if group is not None and template.group_sessions == 0:
        errors["group"] = [_("This programme has no group sessions.")]
    elif group is None and template.group_sessions:
        errors["group"] = [_("Choose a group.")]
    elif group is not None:
        group = Group.objects.select_for_update().select_related("template").get(pk=group.pk)
        group_errors = _group_errors(group, template=template, sex=sex, provider=provider)
        if group_errors:
            errors["group"] = group_errors
        elif start_ok:
            nominal = starts_on + dt.timedelta(days=template.first_group_offset())
            group_from = scheduling.group_from(group, not_before=nominal, now=now)
            errors.update(_closed_intake_errors(group, template, nominal, group_from))
            return group, group_from
    return group, None


def _checked_choices(
    case: Case,
    *,
    template: ProgrammeTemplate,
    psychologist,
    starts_on: dt.date,
    group: Group | None,
    now: dt.datetime | None,
) -> tuple[Group | None, dt.date | None]:
    """The programme, start, group and psychologist chosen, checked
    together: returns the group (locked) and the day the person is in it
    from, or raises every error at once."""
    provider = case.provider
    sex = case.referral.person.sex
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
        group, group_from = _group_choice(
            group,
            template=template,
            sex=sex,
            provider=provider,
            starts_on=starts_on,
            start_ok=not start_error,
            now=now,
            errors=errors,
        )
    if not has_role(psychologist, provider, Role.PSYCHOLOGIST):
        errors["psychologist"] = [_("Choose a psychologist of your organisation.")]
    if errors:
        raise ValidationError(errors)
    return group, group_from


def _valid_enrolment(
    case: Case,
    *,
    template: ProgrammeTemplate,
    group: Group | None,
    group_from: dt.date | None,
    psychologist,
    starts_on: dt.date,
    by,
    now: dt.datetime | None,
) -> Enrolment:
    """The enrolment, not saved yet, once the model accepts it."""
    enrolment = Enrolment(
        case=case,
        template=template,
        provider=case.provider,
        group=group,
        group_from=group_from,
        psychologist=psychologist,
        starts_on=starts_on,
        enrolled_by=by,
        enrolled_at=now or timezone.now(),
    )
    errors: dict[str, list] = {}
    validated(enrolment, errors, "", exclude=["case", "template", "provider", "group", "psychologist", "enrolled_by"])
    if errors:
        raise ValidationError(errors)
    return enrolment


def _individual_times(
    enrolment: Enrolment, *, template: ProgrammeTemplate, psychologist, starts_on: dt.date, allow_clash: bool
) -> list[dt.datetime]:
    """When the individual sessions fall in the psychologist's diary;
    refused under "allow_clash" when it is full, unless ``allow_clash``."""
    try:
        return scheduling.plan_individual(
            practitioner_id=psychologist.pk,
            offsets=template.individual_offsets(),
            starts_on=starts_on,
            minutes=template.individual_minutes,
            allow_clash=allow_clash,
            now=enrolment.enrolled_at,
        )
    except scheduling.DiaryFull as full:
        raise ValidationError({"allow_clash": [_diary_full_message(psychologist, full.day)]}) from None


def _record_enrolled(referral: Referral, *, template: ProgrammeTemplate, group: Group | None, by) -> None:
    """The referral becomes "enrolled", and its timeline says in what."""
    if referral.status != Referral.Status.ENROLLED:
        _set_referral_status(referral, Referral.Status.ENROLLED)
    params: dict = {"programme": template.name, "version": template.version}
    if group is not None:
        params["group"] = group.name
    timeline_add(referral=referral, by=by, kind=K.ENROLLED, params=params)


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
    case = _locked_case_to_enrol(case)
    group, group_from = _checked_choices(
        case, template=template, psychologist=psychologist, starts_on=starts_on, group=group, now=now
    )
    enrolment = _valid_enrolment(
        case,
        template=template,
        group=group,
        group_from=group_from,
        psychologist=psychologist,
        starts_on=starts_on,
        by=by,
        now=now,
    )
    times = _individual_times(
        enrolment, template=template, psychologist=psychologist, starts_on=starts_on, allow_clash=allow_clash
    )
    enrolment.save()
    Session.objects.bulk_create(_individual_session_objects(enrolment, template, times, enrolment.enrolled_at))
    _record_enrolled(case.referral, template=template, group=group, by=by)
    # Outcome monitoring schedules the intake questionnaire point.
    emit(ENROLLED, enrolment=enrolment, by=by)
    return enrolment
