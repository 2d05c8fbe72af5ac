"""Writes for groups: creating one with its schedule, extending, changing and closing it, moving a member."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Organisation, Role
from accounts.permissions import require_staff
from core import localnames
from core.timeline import timeline_add
from core.validation import validated
from programmes import scheduling
from programmes import timeline as K
from programmes.models import Enrolment, Facilitation, Group, ProgrammeTemplate, Session, TemplateSex
from programmes.selectors import (
    group_leaders,
    has_role,
    local_midnight,
    qualification_warnings,
)

from ._common import (
    _at,
    _group_errors,
    _locked_active,
    _sex_only_message,
    _start_error,
    _template_error,
    _timeline_many,
    _topic,
)
from .places import setting_errors

# --- Groups --------------------------------------------------------------------


def _group_session_objects(
    group: Group, template: ProgrammeTemplate, numbers: range, now: dt.datetime | None = None
) -> list[Session]:
    """Sessions number ``numbers`` of ``group``: session k falls on
    starts_on + (k - 1) × the template's group interval, at the group's time."""
    now = now or timezone.now()
    return [
        Session(
            provider_id=group.provider_id,
            kind=Session.Kind.GROUP,
            group=group,
            number=number,
            starts_at=_at(
                group.starts_on + dt.timedelta(days=(number - 1) * template.group_interval_days), group.time_of_day
            ),
            duration_minutes=template.group_minutes,
            location=group.location,
            location_translations=group.location_translations,
            facilitator_id=group.psychologist_id,
            co_facilitator_id=group.social_worker_id,
            planned_topic=_topic(template.curriculum, number),
            planned_at=now,
        )
        for number in numbers
    ]


# The sex a single facilitator must be, by the template's rule.
SINGLE_FACILITATOR_GENDER: dict[str, str] = {Facilitation.WOMAN.value: "female", Facilitation.MAN.value: "male"}


def _pair_warnings(facilitation: str, psychologist, social_worker) -> list[str]:
    """What the template's facilitation rule finds wrong with who leads:
    a pair must be a woman and a man; a single facilitator (the
    psychologist) must be of the sex the template names, whoever else
    helps."""
    wanted = SINGLE_FACILITATOR_GENDER.get(facilitation)
    if wanted is not None:
        gender = getattr(psychologist, "gender", "")
        woman = facilitation == Facilitation.WOMAN
        if not gender:
            if woman:
                return [_("The facilitator's gender is not recorded, so it cannot be checked that a woman leads.")]
            return [_("The facilitator's gender is not recorded, so it cannot be checked that a man leads.")]
        if gender != wanted:
            if woman:
                return [_("This programme's groups are led by one woman; the facilitator chosen is not a woman.")]
            return [_("This programme's groups are led by one man; the facilitator chosen is not a man.")]
        return []
    genders = (getattr(psychologist, "gender", ""), getattr(social_worker, "gender", ""))
    if not all(genders):
        return [_("The gender of a facilitator is not recorded, so the balance of the pair cannot be checked.")]
    if genders[0] == genders[1]:
        return [_("The facilitator pair is not gender-balanced.")]
    return []


def facilitator_warnings(group: Group) -> list[str]:
    """Who leads against the template's facilitation rule (a balanced pair,
    or one facilitator of the sex it names), and who of the facilitators
    lacks the qualification the group's programme asks for, on its first
    day or today, whichever is later (staffing answers
    ``FACILITATOR_WARNINGS``). A single-facilitator programme asks it of
    the one who leads."""
    on = max(group.starts_on, timezone.localdate())
    unqualified = qualification_warnings(group.template, group_leaders(group), on)
    return _pair_warnings(group.template.facilitation, group.psychologist, group.social_worker) + unqualified


def _social_worker_error(template, social_worker, provider) -> list[str]:
    """A pair needs a social worker of the provider; a single-facilitator
    programme may have one beside the facilitator, or none."""
    if social_worker is None and template is not None and template.facilitation != Facilitation.PAIR:
        return []
    if not has_role(social_worker, provider, Role.SOCIAL_WORKER):
        return [_("Choose a social worker of your organisation.")]
    return []


def _new_group_errors(*, provider, template, sex, psychologist, social_worker, language, starts_on) -> dict[str, list]:
    """The choices of a new group that do not fit: a programme without
    group sessions or not usable here, a sex the programme is not for,
    facilitators not of the provider, a language the programme is not
    offered in, a first session too far back or ahead."""
    errors: dict[str, list] = {}
    template_error = _template_error(template, provider)
    if template_error:
        errors["template"] = [template_error]
    elif template.group_sessions == 0:
        errors["template"] = [_("This programme has no group sessions.")]
    if template is not None and template.sex != TemplateSex.ANY and sex and sex != template.sex:
        errors["sex"] = [_sex_only_message(template.sex)]
    if not has_role(psychologist, provider, Role.PSYCHOLOGIST):
        errors["psychologist"] = [_("Choose a psychologist of your organisation.")]
    social_worker_error = _social_worker_error(template, social_worker, provider)
    if social_worker_error:
        errors["social_worker"] = social_worker_error
    if template is not None and language and language not in template.languages:
        errors["language"] = [_("The programme is not offered in this language.")]
    start_error = _start_error(starts_on)
    if start_error:
        errors["starts_on"] = [start_error]
    return errors


def _valid_new_group(
    *,
    provider: Organisation,
    template: ProgrammeTemplate,
    name: str,
    sex: str,
    capacity: int,
    intake: str,
    psychologist,
    social_worker,
    location_kind: str,
    location: str,
    language: str,
    starts_on: dt.date,
    time_of_day: dt.time,
    setting: str = Group.Setting.CONSULTATION_ROOM,
    facility: Organisation | None = None,
    location_translations: Mapping[str, str] | None = None,
) -> Group:
    """The new group, not saved yet, or every error at once: the choices
    that do not fit (``_new_group_errors``), where it runs
    (``places.setting_errors``) and what the model refuses."""
    errors = _new_group_errors(
        provider=provider,
        template=template,
        sex=sex,
        psychologist=psychologist,
        social_worker=social_worker,
        language=language,
        starts_on=starts_on,
    )
    errors.update(setting_errors(provider=provider, setting=setting, facility=facility))
    group = Group(
        provider=provider,
        template=template,
        name=(name or "").strip(),
        sex=sex,
        capacity=capacity,
        intake=intake,
        psychologist=psychologist,
        social_worker=social_worker,
        location_kind=location_kind,
        location=(location or "").strip(),
        location_translations=localnames.cleaned(location_translations),
        language=language,
        starts_on=starts_on,
        time_of_day=time_of_day,
        setting=setting,
        facility=facility,
    )
    validated(
        group, errors, "", exclude=["provider", "template", "psychologist", "social_worker", "starts_on", "facility"]
    )
    if errors:
        raise ValidationError(errors)
    return group


@transaction.atomic
def group_create(
    *,
    provider: Organisation,
    template: ProgrammeTemplate,
    by,
    name: str,
    sex: str,
    capacity: int,
    psychologist,
    social_worker,
    location: str,
    language: str,
    starts_on: dt.date,
    intake: str = Group.Intake.ROLLING,
    location_kind: str = Group.LocationKind.ROOM,
    time_of_day: dt.time = dt.time(10, 0),
    setting: str = Group.Setting.CONSULTATION_ROOM,
    facility: Organisation | None = None,
    location_translations: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
) -> tuple[Group, list[str]]:
    """Open a group and plan its sessions. Returns (group, warnings).

    ``starts_on`` is the day of the group's FIRST session; the template's
    group sessions follow every ``group_interval_days`` at ``time_of_day``
    (local time), numbered 1..n, led by the psychologist with the social
    worker, topics cycling through the curriculum. A participant's own
    first group day is their start + the template's first group offset, so
    for a group where everyone starts together choose starts_on = the
    common start + ``template.first_group_offset()``.

    Warnings (not errors): who leads does not follow the template's
    facilitation rule (a pair not gender-balanced, a single facilitator not
    of the sex it names), or a gender is not recorded. ``social_worker``
    may be None when the template's groups are led by one facilitator. ``setting``, ``facility``: where
    the group runs (``places.setting_errors``). ``location_translations``: the
    place in other languages (``core.localnames``). ``now``: when the group was
    planned, for groups entered afterwards (demo history, tests); the
    sessions' ``planned_at``."""
    require_staff(provider.pk, by)
    group = _valid_new_group(
        provider=provider,
        template=template,
        name=name,
        sex=sex,
        capacity=capacity,
        intake=intake,
        psychologist=psychologist,
        social_worker=social_worker,
        location_kind=location_kind,
        location=location,
        language=language,
        starts_on=starts_on,
        time_of_day=time_of_day,
        setting=setting,
        facility=facility,
        location_translations=location_translations,
    )
    group.save()
    Session.objects.bulk_create(_group_session_objects(group, template, range(1, template.group_sessions + 1), now=now))
    return group, facilitator_warnings(group)


@transaction.atomic
def group_extend_schedule(*, group: Group, by, now: dt.datetime | None = None) -> list[Session]:
    """Plan another cycle of a rolling group: the template's number of group
    sessions again, continuing the numbering, the cadence and the
    curriculum. Returns the new sessions. ``now`` as for ``group_create``."""
    require_staff(group.provider_id, by)
    group = Group.objects.select_for_update().select_related("template").get(pk=group.pk)
    if group.intake != Group.Intake.ROLLING:
        raise ValidationError({"__all__": [_("Only a rolling group's schedule can be extended.")]})
    if not group.is_active:
        raise ValidationError({"__all__": [_("This group is no longer running.")]})
    last = group.sessions.order_by("-number").values_list("number", flat=True).first() or 0
    template = group.template
    return Session.objects.bulk_create(
        _group_session_objects(group, template, range(last + 1, last + template.group_sessions + 1), now=now)
    )


class GroupUpdated(NamedTuple):
    group: Group
    warnings: list[str]
    sessions_changed: int  # sessions still to come that took the new pair or place
    sessions_moved: int  # of those, moved to the new time of day


def _split_errors(error: ValidationError) -> list[str]:
    return [str(m) for messages in error.message_dict.values() for m in messages]


def _changed_group_errors(group, psychologist, social_worker, time_of_day, capacity) -> dict[str, list]:
    """A running group's new choices that do not fit: facilitators not of
    the provider, no time, a capacity below the people in the group now."""
    errors: dict[str, list] = {}
    provider = group.provider
    if not has_role(psychologist, provider, Role.PSYCHOLOGIST):
        errors["psychologist"] = [_("Choose a psychologist of your organisation.")]
    social_worker_error = _social_worker_error(group.template, social_worker, provider)
    if social_worker_error:
        errors["social_worker"] = social_worker_error
    if time_of_day is None:
        errors["time_of_day"] = [_("Enter the time.")]
    active = group.enrolments.filter(status=Enrolment.Status.ACTIVE).count()
    if capacity is not None and active > capacity:
        errors["capacity"] = [
            ngettext(
                "%(n)d person is in the group now: the capacity cannot be lower.",
                "%(n)d people are in the group now: the capacity cannot be lower.",
                active,
            )
            % {"n": active}
        ]
    return errors


def _carry_changes_to_upcoming_sessions(group: Group, old_time: dt.time) -> tuple[list[Session], list[Session]]:
    """Give the group's sessions still to come its facilitators and place;
    from tomorrow on, move those not rescheduled on their own to its new
    time of day. Returns (sessions changed, sessions moved)."""
    now = timezone.now()
    tomorrow = local_midnight(timezone.localdate() + dt.timedelta(days=1))
    upcoming = list(group.sessions.select_for_update().filter(status=Session.Status.PLANNED, starts_at__gt=now))
    moved = []
    for session in upcoming:
        session.facilitator_id = group.psychologist_id
        session.co_facilitator_id = group.social_worker_id
        session.location = group.location
        session.location_translations = group.location_translations
        if group.time_of_day != old_time and session.starts_at >= tomorrow and session.rescheduled_from is None:
            session.starts_at = _at(session.local_date, group.time_of_day)
            moved.append(session)
    Session.objects.bulk_update(
        upcoming, ["facilitator", "co_facilitator", "location", "location_translations", "starts_at"]
    )
    return upcoming, moved


@transaction.atomic
def group_update(
    *,
    group: Group,
    by,
    name: str,
    capacity: int,
    psychologist,
    social_worker,
    location: str,
    time_of_day: dt.time,
    location_kind: str = Group.LocationKind.ROOM,
    setting: str | None = None,
    facility: Organisation | None = None,
    location_translations: Mapping[str, str] | None = None,
) -> GroupUpdated:
    """Change a running group: name, capacity, facilitator pair, place and
    time of day. The programme, the sex, the intake, the language and the
    first day stay (open another group for those).

    The capacity cannot fall below the people in the group now. Sessions
    still to come (planned, starting after now) take the new pair and
    place; from tomorrow on they also move to the new time of day. Nothing
    changes in sessions that were held, cancelled or are already past, so
    the record of what happened stays as it was; a session today keeps its
    time (reschedule it on its own if needed), and so does a session that
    was rescheduled on its own. Each participant's timeline says when the
    sessions moved. ``setting`` (None: as it is) and ``facility``: where the
    group runs, checked as for ``group_create``; ``location_translations``
    (None: as they are) go to the sessions still to come with the place.
    Warnings as for ``group_create``."""
    require_staff(group.provider_id, by)
    group = Group.objects.select_for_update().select_related("template").get(pk=group.pk)
    if not group.is_active:
        raise ValidationError({"__all__": [_("This group is closed; it can no longer be changed.")]})
    old_time = group.time_of_day
    _apply_group_changes(
        group,
        name=name,
        capacity=capacity,
        psychologist=psychologist,
        social_worker=social_worker,
        location=location,
        time_of_day=time_of_day,
        location_kind=location_kind,
        setting=setting,
        facility=facility,
        location_translations=location_translations,
    )
    group.save()
    upcoming, moved = _carry_changes_to_upcoming_sessions(group, old_time)
    _note_moved_sessions(group, moved, by)
    return GroupUpdated(group, facilitator_warnings(group), len(upcoming), len(moved))


def _apply_group_changes(
    group: Group,
    *,
    name,
    capacity,
    psychologist,
    social_worker,
    location,
    time_of_day,
    location_kind,
    setting,
    facility,
    location_translations=None,
) -> None:
    """Check the changes against the group as it is, then set them on the
    (locked, unsaved) group; every problem is raised at once."""
    errors = _changed_group_errors(group, psychologist, social_worker, time_of_day, capacity)
    if setting is None:
        setting, facility = group.setting, group.facility
    errors.update(setting_errors(provider=group.provider, setting=setting, facility=facility))
    group.setting, group.facility = setting, facility
    group.name = (name or "").strip()
    group.capacity = capacity
    group.psychologist = psychologist
    group.social_worker = social_worker
    group.location_kind = location_kind
    group.location = (location or "").strip()
    if location_translations is not None:
        group.location_translations = localnames.cleaned(location_translations)
    group.time_of_day = time_of_day
    validated(
        group,
        errors,
        "",
        exclude=["provider", "template", "psychologist", "social_worker", "time_of_day", "facility"],
    )
    if errors:
        raise ValidationError(errors)


def _note_moved_sessions(group: Group, moved: list[Session], by) -> None:
    """Each active participant's timeline says from when the sessions moved."""
    if not moved:
        return
    first = min(s.starts_at for s in moved)
    _timeline_many(
        referral_ids=list(
            group.enrolments.filter(status=Enrolment.Status.ACTIVE).values_list("case__referral_id", flat=True)
        ),
        by=by,
        kind=K.SESSION_RESCHEDULED,
        params={"group": group.name, "from": timezone.localtime(first).date(), "time": group.time_of_day},
    )


class GroupClosed(NamedTuple):
    group: Group
    moved: int  # participants moved to ``move_to``
    cancelled: int  # sessions still to come, cancelled


CLOSE_REASON_MAX = 300


def _close_errors(group: Group, *, reason: str, members: list[Enrolment], move_to: Group | None) -> dict[str, list]:
    """What is wrong with closing ``group`` this way. ``move_to`` is the
    group as read now (locked by ``group_close``)."""
    errors: dict[str, list] = {}
    if not reason:
        errors["reason"] = [_("Give the reason for closing the group.")]
    elif len(reason) > CLOSE_REASON_MAX:
        errors["reason"] = [_("Keep the reason under 300 characters.")]
    if members and move_to is None:
        errors["move_to"] = [
            ngettext(
                "%(n)d person is still in this group. Choose a group to move them to, or move, transfer "
                "or discharge them first.",
                "%(n)d people are still in this group. Choose a group to move them to, or move, transfer "
                "or discharge them first.",
                len(members),
            )
            % {"n": len(members)}
        ]
    elif members:
        if move_to.pk == group.pk:
            errors["move_to"] = [_("Choose another group.")]
        else:
            free = move_to.capacity - move_to.enrolments.filter(status=Enrolment.Status.ACTIVE).count()
            if move_to.provider_id == group.provider_id and move_to.is_active and free < len(members):
                errors["move_to"] = [
                    ngettext(
                        "%(group)s has %(free)d free place; %(n)d people need one.",
                        "%(group)s has %(free)d free places; %(n)d people need one.",
                        max(free, 0),
                    )
                    % {"group": move_to.name, "free": max(free, 0), "n": len(members)}
                ]
    return errors


def group_close_check(*, group: Group, by, reason: str, move_to: Group | None = None) -> None:
    """What ``group_close`` would refuse, without writing anything (each
    person's move is checked as ``enrolment_move_group`` checks it). For
    the page that asks before it closes."""
    require_staff(group.provider_id, by)
    group = Group.objects.select_related("template").get(pk=group.pk)
    if not group.is_active:
        raise ValidationError({"__all__": [_("This group is already closed.")]})
    members = list(
        group.enrolments.filter(status=Enrolment.Status.ACTIVE)
        .select_related("case__referral__person", "template", "provider")
        .order_by("pk")
    )
    target = Group.objects.select_related("template").get(pk=move_to.pk) if move_to is not None else None
    errors = _close_errors(group, reason=" ".join((reason or "").split()), members=members, move_to=target)
    if not errors and members:
        moves = [message for enrolment in members for message in _move_errors(enrolment, target)]
        if moves:
            errors["move_to"] = list(dict.fromkeys(moves))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def group_close(*, group: Group, by, reason: str, move_to: Group | None = None) -> GroupClosed:
    """Close a group: it takes nobody new and its sessions still to come
    (planned, starting after now) are cancelled with ``reason`` (shown with
    each of them, so short and never clinical). Held and
    past sessions stay as they are (a past session can still be logged).

    People still in the group need a decision first: either ``move_to``,
    another running group of the same programme for the same sex with room
    for all of them (each move as ``enrolment_move_group``, on their
    timelines), or they are moved, transferred or discharged one by one
    before closing. Without one the close is refused, naming how many."""
    require_staff(group.provider_id, by)
    group = Group.objects.select_for_update().select_related("template").get(pk=group.pk)
    if not group.is_active:
        raise ValidationError({"__all__": [_("This group is already closed.")]})
    reason = " ".join((reason or "").split())
    members = list(group.enrolments.filter(status=Enrolment.Status.ACTIVE).order_by("pk"))
    target = None
    if members and move_to is not None and move_to.pk != group.pk:
        target = Group.objects.select_for_update().get(pk=move_to.pk)
    errors = _close_errors(group, reason=reason, members=members, move_to=target or move_to)
    if errors:
        raise ValidationError(errors)
    for enrolment in members:
        try:
            enrolment_move_group(enrolment=enrolment, group=move_to, by=by)
        except ValidationError as exc:
            raise ValidationError({"move_to": list(dict.fromkeys(_split_errors(exc)))}) from exc
    group.is_active = False
    group.save(update_fields=["is_active"])
    cancelled = group.sessions.filter(status=Session.Status.PLANNED, starts_at__gt=timezone.now()).update(
        status=Session.Status.CANCELLED, cancel_reason=reason
    )
    return GroupClosed(group, len(members), cancelled)


def _move_errors(enrolment: Enrolment, group: Group | None) -> list[str]:
    """What is wrong with moving ``enrolment`` to ``group``."""
    if enrolment.template.group_sessions == 0:
        return [_("This programme has no group sessions.")]
    if group is None:
        return [_("Choose a group.")]
    if group.pk == enrolment.group_id:
        return [_("The person is already in this group.")]
    return _group_errors(
        group,
        template=enrolment.template,
        sex=enrolment.case.referral.person.sex,
        provider=enrolment.provider,
        ignore=enrolment,
    )


@transaction.atomic
def enrolment_move_group(*, enrolment: Enrolment, group: Group, by, now: dt.datetime | None = None) -> Enrolment:
    """Move a participant to another group of the same programme (same rules
    as enrolling: provider, programme, sex, room, closed intake). They are
    expected in the new group from its first session at least the minimum
    notice away (and not before their first group day); marks in the old
    group stay and count."""
    require_staff(enrolment.provider_id, by)
    enrolment = _locked_active(enrolment)
    if group is not None and group.pk != enrolment.group_id:
        group = Group.objects.select_for_update().select_related("template").get(pk=group.pk)
    errors = _move_errors(enrolment, group)
    if errors:
        raise ValidationError({"group": errors})
    old_name = enrolment.group.name if enrolment.group else ""
    today = timezone.localtime(now).date() if now else timezone.localdate()
    enrolment.group = group
    enrolment.group_from = scheduling.group_from(group, not_before=max(enrolment.group_from or today, today), now=now)
    enrolment.save(update_fields=["group", "group_from"])
    timeline_add(
        referral=enrolment.case.referral, by=by, kind=K.MOVED_GROUP, params={"from": old_name, "to": group.name}
    )
    return enrolment
