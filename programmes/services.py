"""Writes for programmes: templates, groups, enrolment, sessions, attendance,
moves, transfers and discharge.

Every service takes keyword arguments only, checks who ``by`` is, validates
(raising one ValidationError whose keys name the fields, "__all__" for the
whole), writes, and records a timeline entry on the referral of every case
it changes. Timeline details never hold notes or survivor data.

Who may do what (of the provider that owns the object):
- templates and groups, rescheduling and cancelling sessions, moving a
  person between groups, transfers: provider staff (psychologists, social
  workers, programme managers);
- enrolling, logging attendance, discharging: psychologists and social
  workers (clinical staff).

Dates and times: sessions are planned in settings.TIME_ZONE; individual
sessions on the hour in the practitioner's first free slot at least the
minimum notice ahead (programmes/scheduling.py), group sessions at the
group's time of day.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Organisation, Role
from accounts.scope import Scope
from casework.models import Case
from programmes import scheduling
from programmes.models import LOGGED_STATUSES, Attendance, Enrolment, Group, ProgrammeTemplate, Session, TemplateSex
from programmes.selectors import (  # noqa: F401 - re-exported for callers of the services
    expected_by_session,
    has_role,
    legal_window,
    local_midnight,
    progress,
    progress_for_enrolments,
    template_usable_by,
)
from referrals.models import Referral, TimelineEntry
from referrals.services import _validated, timeline_add

K = TimelineEntry.Kind

INDIVIDUAL_TIME = dt.time(10, 0)
# How far back a start may be entered (groups and people already running
# when the system is introduced) and how far ahead.
MAX_BACKDATE_DAYS = 90
MAX_AHEAD_DAYS = 366
# A session may be logged from one hour before it starts.
LOG_EARLY = dt.timedelta(hours=1)

CANCEL_REASON_TRANSFERRED = "Transferred to another provider"
CANCEL_REASON_ENDED = "The enrolment ended"

TEMPLATE_FIELDS = (
    "name",
    "source",
    "status",
    "mandatory",
    "sex",
    "individual_sessions",
    "group_sessions",
    "span_weeks",
    "individual_interval_days",
    "group_interval_days",
    "individual_first",
    "group_offset_days",
    "individual_minutes",
    "group_minutes",
    "hours_required",
    "curriculum",
    "follow_up_months",
    "follow_up_close_relations",
    "dropout_consecutive",
    "dropout_total",
    "languages",
    "notes",
)

DISCHARGE_KINDS = (
    Enrolment.Status.COMPLETED,
    Enrolment.Status.DROPPED_OUT,
    Enrolment.Status.EXPELLED,
    Enrolment.Status.DESELECTED,
)


# --- Helpers -------------------------------------------------------------------


def _require_staff(provider_id: int, by) -> Scope:
    scope = Scope.for_user(by)
    if not (scope.is_provider_staff and scope.organisation_id == provider_id):
        raise PermissionDenied(_("Only the provider's staff do this."))
    return scope


def _require_clinical(provider_id: int, by) -> Scope:
    scope = Scope.for_user(by)
    if not (scope.is_clinical and scope.organisation_id == provider_id):
        raise PermissionDenied(_("Only the provider's psychologists and social workers do this."))
    return scope


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time), timezone.get_default_timezone())


def _topic(curriculum: list[str], number: int) -> str:
    topics = [t for t in curriculum if t and t.strip()]
    return topics[(number - 1) % len(topics)] if topics else ""


def _english(label) -> str:
    with translation.override("en"):
        return str(label)


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


def _timeline_many(*, referral_ids: list[int], by, kind: str, detail: str = "") -> None:
    """One timeline entry per referral, in one query."""
    organisation = by.membership.organisation
    TimelineEntry.objects.bulk_create(
        [
            TimelineEntry(referral_id=rid, actor=by, actor_organisation=organisation, kind=kind, detail=detail[:300])
            for rid in referral_ids
        ]
    )


def _session_label(session: Session) -> str:
    kind = "Group" if session.kind == Session.Kind.GROUP else "Individual"
    return f"{kind} session {session.number}, {timezone.localtime(session.starts_at):%Y-%m-%d %H:%M}"


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


def _cancel_individual_after(enrolment: Enrolment, since: dt.datetime, reason: str) -> int:
    """Cancel the enrolment's planned individual sessions from ``since`` on."""
    return enrolment.individual_sessions.filter(status=Session.Status.PLANNED, starts_at__gte=since).update(
        status=Session.Status.CANCELLED, cancel_reason=reason
    )


def _on_enrolment_ended(enrolment: Enrolment, *, by=None) -> None:
    """Called inside the same transaction whenever an enrolment ends (completed, dropped out,
    expelled, de-selected, transferred; ``enrolment.status`` says which).
    It records the safety event for the survivor service (and the police
    for a mandatory referral); ``by``, the staff member who ended the
    enrolment, is recorded as the event's author."""
    from notifications.services import enrolment_ended_notify

    enrolment_ended_notify(enrolment, by=by)
    # Outcome monitoring: the end-of-programme and follow-up points (outcomes app).
    from outcomes.services import follow_ups_schedule

    follow_ups_schedule(enrolment=enrolment)


# --- Templates -----------------------------------------------------------------


def _clean_template_input(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(TEMPLATE_FIELDS)
    if unknown:
        raise ValueError(f"Unknown template fields: {sorted(unknown)}")
    cleaned = dict(fields)
    if "curriculum" in cleaned:
        cleaned["curriculum"] = [" ".join(str(t).split()) for t in cleaned["curriculum"] or [] if str(t).strip()]
    if "languages" in cleaned:
        cleaned["languages"] = list(dict.fromkeys(cleaned["languages"] or []))
    if "follow_up_months" in cleaned:
        cleaned["follow_up_months"] = sorted(set(cleaned["follow_up_months"] or []))
    for name in ("name", "source", "notes"):
        if name in cleaned:
            cleaned[name] = (cleaned[name] or "").strip()
    return cleaned


def _template_values(template: ProgrammeTemplate) -> dict[str, Any]:
    return {
        f.attname: getattr(template, f.attname)
        for f in ProgrammeTemplate._meta.concrete_fields
        if not f.primary_key and f.name != "created_at"
    }


@transaction.atomic
def template_copy(*, template: ProgrammeTemplate, provider: Organisation, by) -> ProgrammeTemplate:
    """Copy a shipped template (of any country) or one of the provider's own
    into a new template the provider owns and can adapt.

    The copy: code "<code>-p<provider id>" (with "-2", "-3" … when taken),
    version 1, ``parent`` = the template, the provider's country; active,
    except that a copy of a draft stays a draft."""
    _require_staff(provider.pk, by)
    if template.provider_id not in (None, provider.pk):
        raise ValidationError({"template": [_("You can copy the shipped templates and your own.")]})
    if template.status == ProgrammeTemplate.Status.RETIRED:
        raise ValidationError({"template": [_("This version is retired; copy the current version.")]})
    base = template.code if template.provider_id == provider.pk else f"{template.code}-p{provider.pk}"
    base = base[:54]
    code, n = base, 1
    if template.provider_id == provider.pk:
        n, code = 2, f"{base}-2"
    while ProgrammeTemplate.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    values = _template_values(template)
    values.update(
        code=code,
        version=1,
        provider_id=provider.pk,
        parent_id=template.pk,
        country=provider.country,
        status=ProgrammeTemplate.Status.DRAFT
        if template.status == ProgrammeTemplate.Status.DRAFT
        else ProgrammeTemplate.Status.ACTIVE,
    )
    copy = ProgrammeTemplate(**values)
    errors: dict[str, list] = {}
    _validated(copy, errors, "", exclude=["provider", "parent"])
    if errors:
        raise ValidationError(errors)
    copy.save()
    return copy


@transaction.atomic
def template_update(*, template: ProgrammeTemplate, by, **fields: Any) -> ProgrammeTemplate:
    """Change one of the provider's own templates; returns the template as
    it now stands.

    Shipped templates are read-only (copy them first). A template that is in
    use (any enrolment or group) is never changed: the change becomes a new
    version (same code, next version number, ``parent`` = the old version)
    and the old version is retired; running enrolments and groups keep the
    old version. A change of ``status`` alone is made in place. Keys of
    ``fields``: see TEMPLATE_FIELDS (anything else is a programming error,
    ValueError)."""
    scope = Scope.for_user(by)
    if not scope.is_provider_staff:
        raise PermissionDenied(_("Only the provider's staff do this."))
    cleaned = _clean_template_input(fields)
    template = ProgrammeTemplate.objects.select_for_update().get(pk=template.pk)
    if template.provider_id is None:
        raise ValidationError(
            {"__all__": [_("The shipped templates cannot be changed; copy the template and adapt the copy.")]}
        )
    if template.provider_id != scope.organisation_id:
        raise PermissionDenied(_("Only the provider that owns this template changes it."))
    if template.status == ProgrammeTemplate.Status.RETIRED:
        raise ValidationError({"__all__": [_("This version is retired; change the current version.")]})

    candidate = ProgrammeTemplate(pk=template.pk, created_at=template.created_at, **_template_values(template))
    candidate._state.adding = False  # validated as the row it may replace
    for name, value in cleaned.items():
        setattr(candidate, name, value)
    errors: dict[str, list] = {}
    _validated(candidate, errors, "", exclude=["provider", "parent"])
    if errors:
        raise ValidationError(errors)
    changed = {name for name in cleaned if getattr(candidate, name) != getattr(template, name)}
    if not changed:
        return template
    in_use = template.enrolments.exists() or template.groups.exists()
    if not (in_use and changed - {"status"}):
        candidate.save()
        return candidate

    candidate.pk = None
    candidate._state.adding = True
    candidate.created_at = None
    candidate.parent_id = template.pk
    candidate.version = (
        ProgrammeTemplate.objects.filter(code=template.code).order_by("-version").values_list("version", flat=True)[0]
        + 1
    )
    if candidate.status == ProgrammeTemplate.Status.RETIRED:
        raise ValidationError({"status": [_("A new version cannot start retired.")]})
    candidate.save()
    template.status = ProgrammeTemplate.Status.RETIRED
    template.save(update_fields=["status"])
    return candidate


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
            facilitator_id=group.psychologist_id,
            co_facilitator_id=group.social_worker_id,
            planned_topic=_topic(template.curriculum, number),
            planned_at=now,
        )
        for number in numbers
    ]


def _pair_warnings(psychologist, social_worker) -> list[str]:
    genders = (getattr(psychologist, "gender", ""), getattr(social_worker, "gender", ""))
    if not all(genders):
        return [_("The gender of a facilitator is not recorded, so the balance of the pair cannot be checked.")]
    if genders[0] == genders[1]:
        return [_("The facilitator pair is not gender-balanced.")]
    return []


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

    Warnings (not errors): the facilitator pair is not gender-balanced, or a
    facilitator's gender is not recorded. ``now``: when the group was
    planned, for groups entered afterwards (demo history, tests); the
    sessions' ``planned_at``."""
    _require_staff(provider.pk, by)
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
    if not has_role(social_worker, provider, Role.SOCIAL_WORKER):
        errors["social_worker"] = [_("Choose a social worker of your organisation.")]
    if template is not None and language and language not in template.languages:
        errors["language"] = [_("The programme is not offered in this language.")]
    start_error = _start_error(starts_on)
    if start_error:
        errors["starts_on"] = [start_error]
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
        language=language,
        starts_on=starts_on,
        time_of_day=time_of_day,
    )
    _validated(group, errors, "", exclude=["provider", "template", "psychologist", "social_worker", "starts_on"])
    if errors:
        raise ValidationError(errors)
    group.save()
    Session.objects.bulk_create(_group_session_objects(group, template, range(1, template.group_sessions + 1), now=now))
    return group, _pair_warnings(psychologist, social_worker)


@transaction.atomic
def group_extend_schedule(*, group: Group, by, now: dt.datetime | None = None) -> list[Session]:
    """Plan another cycle of a rolling group: the template's number of group
    sessions again, continuing the numbering, the cadence and the
    curriculum. Returns the new sessions. ``now`` as for ``group_create``."""
    _require_staff(group.provider_id, by)
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
    sessions moved. Warnings as for ``group_create``."""
    _require_staff(group.provider_id, by)
    group = Group.objects.select_for_update().select_related("template").get(pk=group.pk)
    if not group.is_active:
        raise ValidationError({"__all__": [_("This group is closed; it can no longer be changed.")]})
    errors: dict[str, list] = {}
    provider = group.provider
    if not has_role(psychologist, provider, Role.PSYCHOLOGIST):
        errors["psychologist"] = [_("Choose a psychologist of your organisation.")]
    if not has_role(social_worker, provider, Role.SOCIAL_WORKER):
        errors["social_worker"] = [_("Choose a social worker of your organisation.")]
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
    old_time = group.time_of_day
    group.name = (name or "").strip()
    group.capacity = capacity
    group.psychologist = psychologist
    group.social_worker = social_worker
    group.location_kind = location_kind
    group.location = (location or "").strip()
    group.time_of_day = time_of_day
    _validated(group, errors, "", exclude=["provider", "template", "psychologist", "social_worker", "time_of_day"])
    if errors:
        raise ValidationError(errors)
    group.save()

    now = timezone.now()
    tomorrow = local_midnight(timezone.localdate() + dt.timedelta(days=1))
    upcoming = list(group.sessions.select_for_update().filter(status=Session.Status.PLANNED, starts_at__gt=now))
    moved = []
    for session in upcoming:
        session.facilitator_id = group.psychologist_id
        session.co_facilitator_id = group.social_worker_id
        session.location = group.location
        if time_of_day != old_time and session.starts_at >= tomorrow and session.rescheduled_from is None:
            session.starts_at = _at(session.local_date, time_of_day)
            moved.append(session)
    Session.objects.bulk_update(upcoming, ["facilitator", "co_facilitator", "location", "starts_at"])
    if moved:
        first = min(s.starts_at for s in moved)
        _timeline_many(
            referral_ids=list(
                group.enrolments.filter(status=Enrolment.Status.ACTIVE).values_list("case__referral_id", flat=True)
            ),
            by=by,
            kind=K.SESSION_RESCHEDULED,
            detail=f"Group {group.name}: sessions from {timezone.localtime(first):%Y-%m-%d} at {time_of_day:%H:%M}",
        )
    return GroupUpdated(group, _pair_warnings(psychologist, social_worker), len(upcoming), len(moved))


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
    _require_staff(group.provider_id, by)
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
    _require_staff(group.provider_id, by)
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
    _require_clinical(case.provider_id, by)
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
    _validated(enrolment, errors, "", exclude=["case", "template", "provider", "group", "psychologist", "enrolled_by"])
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
    # Outcome monitoring: the intake questionnaire point (outcomes app).
    from outcomes.services import follow_ups_schedule

    follow_ups_schedule(enrolment=enrolment)
    return enrolment


# --- Sessions ------------------------------------------------------------------


def _clash_label(other: Session) -> str:
    when = timezone.localtime(other.starts_at)
    end = timezone.localtime(other.ends_at)
    if other.kind == Session.Kind.GROUP:
        what = _("group session %(number)d of %(group)s") % {"number": other.number, "group": other.group.name}
    else:
        what = _("individual session %(number)d of case %(case)s") % {
            "number": other.number,
            "case": other.enrolment.case.number,
        }
    return _("%(what)s, %(date)s %(start)s–%(end)s") % {
        "what": what,
        "date": when.date().isoformat(),
        "start": f"{when:%H:%M}",
        "end": f"{end:%H:%M}",
    }


def clash_message(clashes: list[Session]) -> str:
    return _(
        "This overlaps %(sessions)s of the same practitioner or room. Choose another time, or tick "
        "“Keep this time despite the clash”."
    ) % {"sessions": "; ".join(_clash_label(c) for c in clashes)}


@transaction.atomic
def session_reschedule(
    *,
    session: Session,
    starts_at: dt.datetime,
    by,
    reason: str = "",
    duration_minutes: int | None = None,
    allow_clash: bool = False,
) -> Session:
    """Move a planned session to ``starts_at`` (timezone-aware), and change
    its length when ``duration_minutes`` is given. A group session moves
    for everyone in the group. The first planned time is kept in
    ``rescheduled_from``; ``planned_at`` becomes now (the participants
    learn of the new time now, see ``scheduling.is_short_notice``).

    Never into the past (a past session may still change its length). A time that overlaps another session of the same
    facilitators or room is refused under "allow_clash" unless
    ``allow_clash``."""
    _require_staff(session.provider_id, by)
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status != Session.Status.PLANNED:
        raise ValidationError({"__all__": [_("Only a planned session can be rescheduled.")]})
    errors: dict[str, list] = {}
    if starts_at is None or timezone.is_naive(starts_at):
        errors["starts_at"] = [_("Enter the new date and time.")]
    elif starts_at != session.starts_at and starts_at < timezone.now():
        errors["starts_at"] = [_("A session cannot be moved into the past.")]
    reason = (reason or "").strip()
    if len(reason) > 300:
        errors["reason"] = [_("Keep the reason under 300 characters.")]
    if errors:
        raise ValidationError(errors)
    duration_minutes = duration_minutes or session.duration_minutes
    if starts_at == session.starts_at and duration_minutes == session.duration_minutes:
        return session
    if not allow_clash:
        clashes = scheduling.clashes(session, starts_at=starts_at, minutes=duration_minutes)
        if clashes:
            raise ValidationError({"allow_clash": [clash_message(clashes)]})
    old = _session_label(session)
    if starts_at != session.starts_at:
        session.rescheduled_from = session.rescheduled_from or session.starts_at
        session.planned_at = timezone.now()
    session.starts_at = starts_at
    session.duration_minutes = duration_minutes
    session.reschedule_reason = reason
    _validated(session, errors, "", exclude=["provider", "group", "enrolment", "facilitator", "co_facilitator"])
    if errors:
        raise ValidationError(errors)
    session.save()
    _timeline_many(
        referral_ids=_affected_referral_ids(session),
        by=by,
        kind=K.SESSION_RESCHEDULED,
        detail=f"{old} → {timezone.localtime(starts_at):%Y-%m-%d %H:%M}",
    )
    return session


@transaction.atomic
def session_cancel(*, session: Session, reason: str, by) -> Session:
    """Cancel a planned session (for everyone, if it is a group session).
    A cancelled session is never an absence: it has no marks and does not
    count in progress."""
    _require_staff(session.provider_id, by)
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status in LOGGED_STATUSES:
        raise ValidationError({"__all__": [_("A session that was logged cannot be cancelled.")]})
    if session.status == Session.Status.CANCELLED:
        raise ValidationError({"__all__": [_("This session is already cancelled.")]})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for cancelling.")]})
    if len(reason) > 300:
        raise ValidationError({"reason": [_("Keep the reason under 300 characters.")]})
    session.status = Session.Status.CANCELLED
    session.cancel_reason = reason
    session.save(update_fields=["status", "cancel_reason"])
    _timeline_many(
        referral_ids=_affected_referral_ids(session), by=by, kind=K.SESSION_CANCELLED, detail=_session_label(session)
    )
    return session


class Logged(NamedTuple):
    session: Session
    # The safety events this log recorded (dropout, non-compliance), in order.
    events: list


class _Preview(Exception):
    def __init__(self, logged: Logged):
        super().__init__()
        self.logged = logged


def attendance_preview(**arguments: Any) -> list[dict]:
    """What ``attendance_record`` would tell whom, without writing anything:
    the same call inside a savepoint that is rolled back. Returns one dict
    per safety event: ``kind``, ``enrolment_id``, ``facts`` and
    ``organisations`` (names of the recipient organisations, in order).
    Raises the same ValidationError as the real call."""
    try:
        with transaction.atomic():
            logged = attendance_record(**arguments)
            summary = [
                {
                    "kind": event.kind,
                    "enrolment_id": event.enrolment_id,
                    "facts": dict(event.facts),
                    "organisations": [n.organisation.name for n in event.notices.select_related("organisation")],
                }
                for event in logged.events
            ]
            raise _Preview(Logged(logged.session, summary))
    except _Preview as preview:
        return preview.logged.events


def attendance_log(**arguments: Any) -> Session:
    """``attendance_record`` (same arguments) for callers that need only the session."""
    return attendance_record(**arguments).session


@transaction.atomic
def attendance_record(
    *,
    session: Session,
    by,
    marks: dict[int, str],
    topic_covered: str,
    notes: str = "",
    confirmed: set[int] | frozenset[int] = frozenset(),
) -> Logged:
    """Log a whole session in one call: every expected person's mark
    (enrolment id → present / late / excused / unexcused), the topic
    covered and the facilitator's notes (encrypted). The session becomes
    "held", or "not held" when nobody was present or late (then no topic
    was covered and none is stored).

    Expected: for an individual session its enrolment; for a group session
    the group's active enrolments in the group by the session's date (see
    ``selectors.expected_by_session``). A missing mark is an error under
    "marks.<enrolment id>"; ids of people not expected are refused under
    "marks". Submitting again replaces the marks (idempotent). The number of
    queries does not depend on the size of the group.

    Short notice: a person told of the session less than the minimum notice
    before it (``scheduling.is_short_notice``) has the mark flagged; his
    unexcused absence counts towards the dropout rule and non-compliance
    only when his enrolment id is in ``confirmed`` (the practitioner
    confirms he knew of it). Returns the session and the safety events
    recorded."""
    _require_clinical(session.provider_id, by)
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status == Session.Status.CANCELLED:
        raise ValidationError({"__all__": [_("A cancelled session cannot be logged.")]})
    if session.starts_at > timezone.now() + LOG_EARLY:
        raise ValidationError({"__all__": [_("This session has not taken place yet.")]})

    expected = expected_by_session([session])[session.pk]
    expected_ids = {e.pk for e in expected}
    if not expected_ids:
        raise ValidationError({"__all__": [_("Nobody is expected at this session; cancel it instead.")]})
    errors: dict[str, list] = {}
    cleaned: dict[int, str] = {}
    unknown = []
    for key, mark in (marks or {}).items():
        try:
            enrolment_id = int(key)
        except (TypeError, ValueError):
            unknown.append(key)
            continue
        if enrolment_id not in expected_ids:
            unknown.append(key)
        elif mark not in Attendance.Mark.values:
            errors[f"marks.{enrolment_id}"] = [_("Choose present, late, excused or unexcused.")]
        else:
            cleaned[enrolment_id] = mark
    if unknown:
        errors["marks"] = [_("Some of the people marked are not expected at this session.")]
    for enrolment_id in expected_ids - set(cleaned):
        errors.setdefault(f"marks.{enrolment_id}", [_("Mark this person's attendance.")])
    topic_covered = " ".join((topic_covered or "").split())
    anyone_there = any(m in (Attendance.Mark.PRESENT, Attendance.Mark.LATE) for m in cleaned.values())
    if anyone_there and not topic_covered:
        errors["topic_covered"] = [_("Enter the topic covered.")]
    session.topic_covered = topic_covered if anyone_there else ""
    session.notes = notes or ""
    session.status = Session.Status.HELD if anyone_there else Session.Status.NOT_HELD
    session.logged_by = by
    session.logged_at = timezone.now()
    _validated(
        session,
        errors,
        "",
        exclude=["provider", "group", "enrolment", "facilitator", "co_facilitator", "logged_by"],
    )
    if errors:
        raise ValidationError(errors)
    session.save()

    by_id = {e.pk: e for e in expected}
    short = {eid for eid in cleaned if scheduling.is_short_notice(session, by_id[eid])}
    confirmed_ids = {int(c) for c in confirmed or () if str(c).isdigit()}
    before = {
        eid: (mark, counted)
        for eid, mark, counted in Attendance.objects.filter(session=session)
        .annotate(
            counted=ExpressionWrapper(
                Q(mark=Attendance.Mark.UNEXCUSED) & (Q(short_notice=False) | Q(absence_confirmed=True)),
                output_field=BooleanField(),
            )
        )
        .values_list("enrolment_id", "mark", "counted")
    }
    rows = []
    for eid, mark in cleaned.items():
        is_short = eid in short
        rows.append(
            Attendance(
                session=session,
                enrolment_id=eid,
                mark=mark,
                recorded_by=by,
                short_notice=is_short,
                absence_confirmed=is_short and mark == Attendance.Mark.UNEXCUSED and eid in confirmed_ids,
            )
        )
    Attendance.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["session", "enrolment"],
        update_fields=["mark", "recorded_by", "recorded_at", "short_notice", "absence_confirmed"],
    )
    label = _session_label(session)
    organisation = by.membership.organisation
    TimelineEntry.objects.bulk_create(
        [
            TimelineEntry(
                referral_id=by_id[row.enrolment_id].case.referral_id,
                actor=by,
                actor_organisation=organisation,
                kind=K.ATTENDANCE_RECORDED,
                detail=(
                    f"{label}: {_english(Attendance.Mark(row.mark).label)}"
                    + (
                        " (short notice, not counted)"
                        if row.mark == Attendance.Mark.UNEXCUSED and not row.counts_as_absence
                        else ""
                    )
                )[:300],
            )
            for row in rows
            if before.get(row.enrolment_id, (None, None))[0] != row.mark
            or before.get(row.enrolment_id, (None, None))[1] != row.counts_as_absence
        ]
    )
    newly_counted = [
        row.enrolment_id for row in rows if row.counts_as_absence and not before.get(row.enrolment_id, (None, False))[1]
    ]
    events = []
    if newly_counted:
        # Non-compliance inside the protection order's window reaches the
        # police in this same transaction (mandatory referrals only).
        from notifications.services import attendance_missed_notify, dropout_rule_notify

        for eid in newly_counted:
            event = attendance_missed_notify(enrolment=by_id[eid], session=session, by=by)
            if event is not None:
                event.enrolment_id = eid
                events.append(event)
        # The template's dropout rule, checked the moment the absence is
        # logged (the scheduled dropout sweep is the safety net).
        states = progress_for_enrolments([by_id[eid] for eid in newly_counted])
        for eid in newly_counted:
            event = dropout_rule_notify(enrolment=by_id[eid], state=states[eid], by=by)
            if event is not None:
                event.enrolment_id = eid
                events.append(event)
    return Logged(session, events)


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
    _require_staff(enrolment.provider_id, by)
    enrolment = _locked_active(enrolment)
    if group is not None and group.pk != enrolment.group_id:
        group = Group.objects.select_for_update().select_related("template").get(pk=group.pk)
    errors = _move_errors(enrolment, group)
    if errors:
        raise ValidationError({"group": errors})
    old_name = enrolment.group.name if enrolment.group else "-"
    today = timezone.localtime(now).date() if now else timezone.localdate()
    enrolment.group = group
    enrolment.group_from = scheduling.group_from(group, not_before=max(enrolment.group_from or today, today), now=now)
    enrolment.save(update_fields=["group", "group_from"])
    timeline_add(referral=enrolment.case.referral, by=by, kind=K.MOVED_GROUP, detail=f"{old_name} → {group.name}")
    return enrolment


@transaction.atomic
def enrolment_transfer(*, enrolment: Enrolment, provider: Organisation, by, reason: str) -> Enrolment:
    """Transfer a participant to another programme provider.

    The enrolment ends ("transferred", ``transferred_to``), its future
    individual sessions are cancelled, and the case and referral move to the
    new provider, whose staff can then enrol the person again (the referral
    stays "enrolled" with no active enrolment). The old provider keeps its
    enrolment record (``enrolments_visible_to``)."""
    _require_staff(enrolment.provider_id, by)
    enrolment = _locked_active(enrolment)
    errors: dict[str, list] = {}
    if (
        provider is None
        or provider.kind != Organisation.Kind.PROGRAMME_PROVIDER
        or not provider.is_active
        or provider.pk == enrolment.provider_id
    ):
        errors["provider"] = [_("Choose another active programme provider.")]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("Give the reason for the transfer.")]
    elif len(reason) > 300:
        errors["reason"] = [_("Keep the reason under 300 characters.")]
    if errors:
        raise ValidationError(errors)
    enrolment.status = Enrolment.Status.TRANSFERRED
    enrolment.transferred_to = provider
    enrolment.ended_on = timezone.localdate()
    enrolment.end_reason = reason
    enrolment.save(update_fields=["status", "transferred_to", "ended_on", "end_reason"])
    _cancel_individual_after(enrolment, timezone.now(), CANCEL_REASON_TRANSFERRED)
    case = enrolment.case
    case.provider = provider
    case.save(update_fields=["provider"])
    referral = case.referral
    referral.provider = provider
    referral.save(update_fields=["provider"])
    timeline_add(referral=referral, by=by, kind=K.TRANSFERRED, detail=provider.name)
    _on_enrolment_ended(enrolment, by=by)
    return enrolment


def _discharge_errors(
    enrolment: Enrolment, *, kind: str, on: dt.date | None, reason: str, notes: str, for_violence: bool
) -> dict[str, list]:
    """Set the ending on ``enrolment`` (not saved) and return what is wrong
    with it, keyed by field."""
    if kind not in DISCHARGE_KINDS:
        return {"kind": [_("Choose how the programme ended.")]}
    errors: dict[str, list] = {}
    reason = (reason or "").strip()
    if kind != Enrolment.Status.COMPLETED and not reason:
        errors["reason"] = [_("Give the reason.")]
    if for_violence and kind != Enrolment.Status.EXPELLED:
        errors["for_violence"] = [_("Only an expulsion can be because of new violence.")]
    if on is None:
        errors["on"] = [_("Enter the date.")]
    elif on > timezone.localdate():
        errors["on"] = [_("This date is in the future.")]
    elif on < enrolment.starts_on:
        errors["on"] = [_("The end cannot be before the start (%(date)s).") % {"date": enrolment.starts_on.isoformat()}]
    if kind == Enrolment.Status.COMPLETED:
        state = progress(enrolment)
        if not state.requirements_met:
            errors["__all__"] = [
                _("Cannot record completion: %(missing)s still missing.") % {"missing": state.missing_text()}
            ]
    enrolment.status = kind
    enrolment.ended_on = on
    enrolment.end_reason = reason
    enrolment.end_notes = notes or ""
    enrolment.for_violence = bool(for_violence)
    _validated(
        enrolment,
        errors,
        "",
        exclude=["case", "template", "provider", "group", "psychologist", "enrolled_by", "transferred_to"],
    )
    if "end_reason" in errors:
        errors.setdefault("reason", []).extend(errors.pop("end_reason"))
    if "end_notes" in errors:
        errors.setdefault("notes", []).extend(errors.pop("end_notes"))
    return errors


def enrolment_discharge_check(
    *,
    enrolment: Enrolment,
    kind: str,
    by,
    on: dt.date | None,
    reason: str = "",
    notes: str = "",
    for_violence: bool = False,
) -> None:
    """What ``enrolment_discharge`` would refuse, without writing anything:
    the same ValidationError. For the page that asks before it acts."""
    _require_clinical(enrolment.provider_id, by)
    if enrolment.status != Enrolment.Status.ACTIVE:
        raise ValidationError({"__all__": [_("This enrolment has already ended.")]})
    errors = _discharge_errors(
        copy.copy(enrolment), kind=kind, on=on, reason=reason, notes=notes, for_violence=for_violence
    )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def enrolment_discharge(
    *,
    enrolment: Enrolment,
    kind: str,
    by,
    on: dt.date,
    reason: str = "",
    notes: str = "",
    for_violence: bool = False,
) -> Enrolment:
    """End an enrolment: completed (only when the requirements are met),
    dropped out, expelled (non-compliance or new violence) or de-selected
    (no longer eligible; these three need a reason). ``for_violence``: an
    expulsion because of new violence (only with "expelled"); its notice
    is urgent.

    Planned individual sessions after ``on`` are cancelled. The referral becomes
    "completed" for a completion and "dropped_out" for every other ending
    (the enrolment's status keeps which). ``reason`` is short and
    non-clinical (partner agencies may see it); ``notes`` are encrypted."""
    _require_clinical(enrolment.provider_id, by)
    enrolment = _locked_active(enrolment)
    errors = _discharge_errors(enrolment, kind=kind, on=on, reason=reason, notes=notes, for_violence=for_violence)
    if errors:
        raise ValidationError(errors)
    enrolment.save(update_fields=["status", "ended_on", "end_reason", "end_notes", "for_violence"])
    # Planned individual sessions after the last day (and any still ahead).
    _cancel_individual_after(
        enrolment, min(timezone.now(), local_midnight(on + dt.timedelta(days=1))), CANCEL_REASON_ENDED
    )
    referral = enrolment.case.referral
    _set_referral_status(
        referral, Referral.Status.COMPLETED if kind == Enrolment.Status.COMPLETED else Referral.Status.DROPPED_OUT
    )
    timeline_add(referral=referral, by=by, kind=K.DISCHARGED, detail=_english(Enrolment.Status(kind).label))
    _on_enrolment_ended(enrolment, by=by)
    return enrolment
