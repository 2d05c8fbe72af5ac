"""Writes for referrals. The web form and the API call these same functions."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from accounts.permissions import check, require_criteria_editor
from accounts.scope import Scope
from core import events
from core.timeline import timeline_add
from core.validation import validated
from core.validators import normalise_phone
from referrals import events as referral_events
from referrals import timeline as T
from referrals.models import (
    EligibilityCriterion,
    Person,
    ProtectionOrderExtension,
    Referral,
    Screening,
    Source,
    Survivor,
)
from referrals.selectors import criteria_for_provider

MAX_SURVIVORS = 10


def _set_status(referral: Referral, status: str) -> None:
    referral.status = status
    referral.status_changed_at = timezone.now()


def _status_saved(referral: Referral) -> None:
    """Tell the apps above that the saved status changed (in this transaction)."""
    events.emit(referral_events.STATUS_CHANGED, referral=referral)


# The source a referral records, by the kind of the body that enters it. A
# police unit says which source it relays (it may bring a court's or a
# commission's referral); every other body is its own source. A programme
# provider's staff enter the people who come on their own: self-referrals.
SOURCE_BY_KIND: dict[str, str] = {
    Organisation.Kind.PROGRAMME_PROVIDER: Source.SELF,
    Organisation.Kind.COURT: Source.COURT,
    Organisation.Kind.CHILD_PROTECTION: Source.CHILD_RIGHTS,
    Organisation.Kind.SURVIVOR_SERVICE: Source.WOMENS_CENTRE,
    Organisation.Kind.LOCAL_GOVERNMENT: Source.OTHER,
    Organisation.Kind.MINISTRY_DEPARTMENT: Source.OTHER,
}


def _referring_body_of(by, source: str) -> Organisation:
    """The organisation that enters the referral: a referring body, or the
    programme provider whose staff record a self-referral (``source``
    "self"; they enter no other)."""
    scope = Scope.for_user(by)
    enters = scope.is_referrer or (scope.is_provider_staff and source == Source.SELF)
    if not enters or scope.organisation is None:
        raise PermissionDenied(_("Only a referring body's officers enter referrals."))
    return scope.organisation


def _is_self_referral(unit: Organisation) -> bool:
    return unit.kind == Organisation.Kind.PROGRAMME_PROVIDER


# What a self-referral cannot carry: the person came on their own, with no
# protection order and no court decision.
ORDER_FIELDS = (
    "order_number",
    "order_issuing_authority",
    "order_issued_on",
    "order_expires_on",
    "order_obliges_programme",
)
COURT_FIELDS = ("court_decision_number", "court_decision_date")


def _check_source(unit: Organisation, source: str, order: dict[str, Any], errors: dict[str, list]) -> None:
    """A self-referral is the provider's own, and has no order; nobody
    else records one."""
    if not _is_self_referral(unit):
        if source == Source.SELF:
            errors["source"] = [_("A self-referral is recorded by the programme provider the person came to.")]
        return
    for field in (*ORDER_FIELDS, *COURT_FIELDS):
        value = order.get(field)
        if value not in (None, "", False):
            errors[field] = [_("A self-referral has no protection order or court decision.")]


def _provider_for(unit: Organisation, provider: Organisation | None, errors: dict[str, list]) -> Organisation | None:
    """The receiving provider: the one chosen, or for a self-referral the
    provider whose staff record it (no other)."""
    if not _is_self_referral(unit):
        return _checked_provider(provider, errors)
    if provider is not None and provider.pk != unit.pk:
        errors["provider"] = [_("A self-referral goes to your own programme.")]
        return None
    return _checked_provider(unit, errors)


def source_for(unit: Organisation, chosen: str) -> str:
    """The source recorded for a referral entered by ``unit``."""
    return SOURCE_BY_KIND.get(unit.kind, chosen)


def _check_court_decision(unit: Organisation, order: dict[str, Any], errors: dict[str, list]) -> None:
    """A court's referral carries the decision that orders the programme."""
    if unit.kind != Organisation.Kind.COURT:
        return
    if not (order.get("court_decision_number") or "").strip():
        errors["court_decision_number"] = [_("Enter the court decision number.")]
    if not order.get("court_decision_date"):
        errors["court_decision_date"] = [_("Enter the date of the court decision.")]


def _already_recorded(
    unit: Organisation, submission_key: uuid.UUID | None, external_id: str
) -> tuple[Referral | None, uuid.UUID | None]:
    """The referral this submission repeats, if any, and the submission key
    still usable for this unit (None when another unit made it)."""
    existing = None
    if submission_key:
        same_key = Referral.objects.filter(submission_key=submission_key).first()
        if same_key is not None and same_key.referring_body_id != unit.pk:
            # A key is only meaningful within the unit that made it; never
            # reveal or return another unit's referral.
            submission_key = None
        else:
            existing = same_key
    if existing is None and external_id:
        existing = Referral.objects.filter(external_id=external_id, referring_body=unit).first()
    return existing, submission_key


def _checked_provider(provider: Organisation | None, errors: dict[str, list]) -> Organisation | None:
    if provider is None or provider.kind != Organisation.Kind.PROGRAMME_PROVIDER or not provider.is_active:
        errors["provider"] = [_("Choose a programme provider from the list.")]
        return None
    return provider


def _check_survivor_count(survivors: Sequence[dict[str, Any]], errors: dict[str, list]) -> None:
    if not survivors:
        errors["survivors"] = [_("Enter at least one survivor.")]
    if len(survivors) > MAX_SURVIVORS:
        errors["survivors"] = [_("At most %(n)d survivors can be entered on one referral.") % {"n": MAX_SURVIVORS}]


def _unsaved_person(person: dict[str, Any], errors: dict[str, list]) -> Person:
    person_obj = Person(**person)
    person_obj.phone = person.get("phone") or ""
    validated(person_obj, errors, "person.", exclude=["match_key"])
    if "person.birth_date" not in errors and person_obj.birth_date:
        person_obj.match_key = Person.make_match_key(
            person_obj.family_name, person_obj.given_name, person_obj.birth_date
        )
    return person_obj


def _unsaved_referral(
    *,
    unit: Organisation,
    by,
    provider: Organisation | None,
    source: str,
    order: dict[str, Any],
    incident_description: str,
    risk_flags: Sequence[str],
    submission_key: uuid.UUID | None,
    external_id: str,
    errors: dict[str, list],
) -> Referral:
    referral = Referral(
        referring_body=unit,
        created_by=by,
        provider=provider,
        source=source,
        incident_description=incident_description,
        risk_flags=sorted(set(risk_flags)),
        submission_key=submission_key,
        external_id=external_id or "",
        **order,
    )
    validated(
        referral, errors, "", exclude=["person", "provider", "submission_key"] if provider is None else ["person"]
    )
    return referral


def _unsaved_survivors(
    survivors: Sequence[dict[str, Any]], unit: Organisation, errors: dict[str, list]
) -> list[Survivor]:
    survivor_objs = []
    for index, data in enumerate(survivors[:MAX_SURVIVORS]):
        survivor = Survivor(**data)
        validated(survivor, errors, f"survivors.{index}.", exclude=["referral"])
        if f"survivors.{index}.phone" not in errors and survivor.phone:
            survivor.phone = normalise_phone(survivor.phone, unit.country)
        survivor_objs.append(survivor)
    return survivor_objs


def _save_or_find_winner(
    person_obj: Person,
    referral: Referral,
    unit: Organisation,
    submission_key: uuid.UUID | None,
    external_id: str,
) -> Referral:
    """Save the person and the referral; when an identical submission raced
    and won, return its referral instead."""
    try:
        with transaction.atomic():
            person_obj.save()
            referral.person = person_obj
            referral.save()
    except IntegrityError:
        # Two identical submissions raced: the other one won.
        existing = (
            Referral.objects.filter(referring_body=unit)
            .filter(**({"submission_key": submission_key} if submission_key else {"external_id": external_id}))
            .first()
        )
        if existing is None:
            raise
        return existing
    return referral


def _save_survivors(referral: Referral, survivor_objs: list[Survivor]) -> None:
    for survivor in survivor_objs:
        survivor.referral = referral
    Survivor.objects.bulk_create(survivor_objs)


@transaction.atomic
def referral_create(
    *,
    by,
    provider: Organisation | None,
    source: str,
    person: dict[str, Any],
    survivors: Sequence[dict[str, Any]],
    order: dict[str, Any],
    incident_description: str,
    risk_flags: Sequence[str] = (),
    submission_key: uuid.UUID | None = None,
    external_id: str = "",
) -> tuple[Referral, bool]:
    """Record a referral from a referring body (``Scope.is_referrer``: a police
    unit, a court, a child-protection body, a women's resource centre, a
    local government or a ministry department), or a self-referral recorded
    by a programme provider's staff (psychologist, social worker, programme
    manager): the provider is then both the referring body and the
    receiving provider, and the referral has no order. Returns (referral, created).
    The source is the body's own (``SOURCE_BY_KIND``); a police unit's is the
    one it names. A court's referral needs its decision number and date
    (``court_decision_number``, ``court_decision_date`` in ``order``).

    A repeated submission (same ``submission_key``, or the same police
    system reference) returns the referral already recorded instead of a
    second one. Errors are raised as one ValidationError whose keys name the
    fields: ``provider``, ``person.birth_date``, ``survivors.0.phone``,
    ``order_expires_on`` …
    """
    unit = _referring_body_of(by, source)
    existing, submission_key = _already_recorded(unit, submission_key, external_id)
    if existing is not None:
        return existing, False

    errors: dict[str, list] = {}
    provider = _provider_for(unit, provider, errors)
    _check_source(unit, source, order, errors)
    _check_survivor_count(survivors, errors)
    person_obj = _unsaved_person(person, errors)
    _check_court_decision(unit, order, errors)
    referral = _unsaved_referral(
        unit=unit,
        by=by,
        provider=provider,
        source=source_for(unit, source),
        order=order,
        incident_description=incident_description,
        risk_flags=risk_flags,
        submission_key=submission_key,
        external_id=external_id,
        errors=errors,
    )
    survivor_objs = _unsaved_survivors(survivors, unit, errors)
    if errors:
        raise ValidationError(errors)

    saved = _save_or_find_winner(person_obj, referral, unit, submission_key, external_id)
    if saved is not referral:
        return saved, False
    _save_survivors(referral, survivor_objs)
    timeline_add(referral=referral, by=by, kind=T.REFERRAL_RECEIVED)
    return referral, True


@transaction.atomic
def referral_extend_order(
    *, referral: Referral, by, extended_on, new_expiry, obliges_programme: bool
) -> ProtectionOrderExtension:
    """Record that the order was extended (or, by a court, varied), and
    whether it now obliges the person to attend. The referring police unit
    extends its own order; the referring court extends or varies its order
    and imposes or extends the obligation. The order window follows the
    latest extension (``Referral.order_current_expiry``)."""
    scope = Scope.for_user(by)
    if not (check("order_extender", scope) and referral.referring_body_id == scope.organisation_id):
        raise PermissionDenied(_("Only the referring police unit or court extends its order."))
    errors = {}
    current = referral.order_current_expiry
    if not (referral.order_number or (scope.is_court and referral.court_decision_number)):
        errors["__all__"] = [_("This referral has no protection order to extend.")]
    if current and new_expiry <= current and not scope.is_court:
        errors["new_expiry"] = [_("The new expiry date must be after the current one (%(date)s).") % {"date": current}]
    if extended_on and extended_on > timezone.localdate():
        errors["extended_on"] = [_("This date is in the future.")]
    if extended_on and new_expiry and new_expiry < extended_on:
        errors.setdefault("new_expiry", []).append(_("The new expiry date cannot be before the extension."))
    limit = _court_extension_limit(scope, referral, extended_on)
    if limit and new_expiry and new_expiry > limit:
        errors.setdefault("new_expiry", []).append(
            _("A court extends a protection order to at most one year from its issue: until %(date)s at the latest.")
            % {"date": limit}
        )
    if errors:
        raise ValidationError(errors)
    extension = ProtectionOrderExtension.objects.create(
        referral=referral,
        extended_on=extended_on,
        new_expiry=new_expiry,
        obliges_programme=obliges_programme,
        recorded_by=by,
    )
    if obliges_programme and not referral.order_obliges_programme:
        referral.order_obliges_programme = True
        referral.save(update_fields=["order_obliges_programme"])
    timeline_add(referral=referral, by=by, kind=T.ORDER_EXTENDED, params={"until": new_expiry})
    return extension


# Where a court may extend a protection order up to a year (seed 001:
# Uzbekistan, 2023).
COURT_YEAR_LIMIT_COUNTRIES = frozenset({"UZ"})


def _court_extension_limit(scope: Scope, referral: Referral, extended_on) -> dt.date | None:
    """The latest expiry a court of a year-limit country may set: one year
    from the order's issue (or from the extension, for a court decision
    without an earlier order)."""
    if not (scope.is_court and scope.organisation and scope.organisation.country in COURT_YEAR_LIMIT_COUNTRIES):
        return None
    start = referral.order_issued_on or referral.court_decision_date or extended_on
    if start is None:
        return None
    try:
        return start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        return start.replace(year=start.year + 1, day=28)


def _require_provider_staff(referral: Referral, by) -> Scope:
    scope = Scope.for_user(by)
    if not (scope.is_provider_staff and referral.provider_id == scope.organisation_id):
        raise PermissionDenied(_("Only the provider's staff screen this referral."))
    return scope


@transaction.atomic
def screening_save(
    *,
    referral: Referral,
    by,
    answers: dict[str, str],
    notes: str = "",
    decline_reason: str = "",
    decline_explanation: str = "",
) -> Screening:
    """Record answers to the provider's eligibility criteria (a draft until
    the referral is accepted or declined), with a decline reason and
    explanation typed but not yet sent (the police see them only once the
    referral is declined).

    A provider with no criteria (none of its own, none shipped for its
    country) still screens: the answers are empty, the notes and the
    decision are recorded. Answers to codes that are not criteria of the
    provider are dropped."""
    _require_provider_staff(referral, by)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status not in (Referral.Status.RECEIVED, Referral.Status.SCREENING):
        raise ValidationError({"__all__": [_("This referral has already been decided.")]})
    criteria = criteria_for_provider(referral.provider)
    valid = {choice for choice, _label in Screening.Answer.choices}
    errors = {}
    cleaned = {}
    for criterion in criteria:
        answer = answers.get(criterion.code, Screening.Answer.UNKNOWN)
        if answer not in valid:
            errors[f"answers.{criterion.code}"] = [_("Choose met, not met or not known yet.")]
        cleaned[criterion.code] = answer
    screening = getattr(referral, "screening", None) if hasattr(referral, "screening") else None
    if screening is None:
        screening = Screening(referral=referral, screened_by=by)
    screening.answers = cleaned
    screening.notes = notes
    screening.decline_reason = decline_reason or ""
    screening.decline_explanation = (decline_explanation or "").strip()
    screening.screened_by = by
    validated(screening, errors, "", exclude=["referral", "screened_by"])
    if errors:
        raise ValidationError(errors)
    screening.save()
    if referral.status == Referral.Status.RECEIVED:
        _set_status(referral, Referral.Status.SCREENING)
        referral.save(update_fields=["status", "status_changed_at"])
        _status_saved(referral)
        timeline_add(referral=referral, by=by, kind=T.SCREENING_STARTED)
    else:
        timeline_add(referral=referral, by=by, kind=T.SCREENING_SAVED)
    return screening


def unmet_criteria(referral: Referral, answers: dict[str, str] | None = None) -> list[EligibilityCriterion]:
    """The provider's criteria not answered "met": in ``answers`` when given
    (a screening not saved yet), else in the referral's saved screening."""
    if answers is None:
        answers = referral.screening.answers if hasattr(referral, "screening") else {}
    return [c for c in criteria_for_provider(referral.provider) if answers.get(c.code) != Screening.Answer.MET]


def _require_undecided(referral: Referral) -> None:
    if referral.status not in (Referral.Status.RECEIVED, Referral.Status.SCREENING):
        raise ValidationError({"__all__": [_("This referral has already been decided.")]})


def _refuse_unmet(unmet: list[EligibilityCriterion]) -> None:
    if unmet:
        raise ValidationError(
            {
                "__all__": [
                    _("Cannot accept: not every criterion is met (%(list)s).")
                    % {"list": "; ".join(c.text for c in unmet)}
                ]
            }
        )


def _decline_errors(reason: str, explanation: str) -> dict[str, list]:
    errors = {}
    if not reason:
        errors["reason"] = [_("Give the reason for declining.")]
    elif reason not in Referral.DeclineReason.values:
        errors["reason"] = [_("Choose a reason from the list.")]
    elif reason == Referral.DeclineReason.OTHER and not explanation:
        errors["explanation"] = [_("Explain the reason when you choose “Other”.")]
    if len(explanation) > 500:
        errors["explanation"] = [_("Keep the explanation under 500 characters.")]
    return errors


def referral_accept_check(*, referral: Referral, by, answers: dict[str, str]) -> None:
    """What ``referral_accept`` would refuse once these screening answers
    are saved, without writing anything. For the page that asks before it
    accepts."""
    _require_provider_staff(referral, by)
    _require_undecided(referral)
    _refuse_unmet(unmet_criteria(referral, answers))


def referral_decline_check(*, referral: Referral, by, reason: str, explanation: str = "") -> None:
    """What ``referral_decline`` would refuse, without writing anything."""
    _require_provider_staff(referral, by)
    _require_undecided(referral)
    errors = _decline_errors(reason, (explanation or "").strip())
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def referral_accept(*, referral: Referral, by) -> Referral:
    _require_provider_staff(referral, by)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _require_undecided(referral)
    if not hasattr(referral, "screening"):
        raise ValidationError({"__all__": [_("Screen the referral against the eligibility criteria first.")]})
    _refuse_unmet(unmet_criteria(referral))
    _set_status(referral, Referral.Status.ACCEPTED)
    referral.decline_reason = ""
    referral.decline_explanation = ""
    referral.save(update_fields=["status", "status_changed_at", "decline_reason", "decline_explanation"])
    _status_saved(referral)
    events.emit(referral_events.DECIDED, referral=referral, by=by)
    # Say so when nothing was checked, so the timeline does not suggest
    # that criteria were met.
    params = {} if referral.screening.answers else {"criteria": False}
    timeline_add(referral=referral, by=by, kind=T.ACCEPTED, params=params)
    return referral


@transaction.atomic
def referral_decline(*, referral: Referral, by, reason: str, explanation: str = "") -> Referral:
    _require_provider_staff(referral, by)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _require_undecided(referral)
    explanation = (explanation or "").strip()
    errors = _decline_errors(reason, explanation)
    if errors:
        raise ValidationError(errors)
    _set_status(referral, Referral.Status.DECLINED)
    referral.decline_reason = reason
    referral.decline_explanation = explanation
    referral.save(update_fields=["status", "status_changed_at", "decline_reason", "decline_explanation"])
    _status_saved(referral)
    events.emit(referral_events.DECIDED, referral=referral, by=by)
    timeline_add(referral=referral, by=by, kind=T.DECLINED, params={"reason": referral.decline_reason})
    return referral


# --- A provider's own eligibility criteria ---------------------------------


@transaction.atomic
def criteria_adopt_defaults(*, provider: Organisation, by) -> list[EligibilityCriterion]:
    """Copy the country's shipped criteria into rows the provider owns (and
    can then edit). Codes the provider already has are left alone, so doing
    it twice changes nothing."""
    require_criteria_editor(provider.pk, by)
    have = set(EligibilityCriterion.objects.filter(organisation=provider).values_list("code", flat=True))
    copies = [
        EligibilityCriterion(
            organisation=provider,
            country=provider.country,
            code=default.code,
            text_en=default.text_en,
            text_ru=default.text_ru,
            effect=default.effect,
            position=default.position,
        )
        for default in EligibilityCriterion.objects.filter(
            organisation__isnull=True, country=provider.country, is_active=True
        )
        if default.code not in have
    ]
    return EligibilityCriterion.objects.bulk_create(copies)


@transaction.atomic
def criterion_save(
    *,
    provider: Organisation,
    by,
    code: str,
    text_en: str,
    text_ru: str,
    effect: str,
    position: int | None = None,
    is_active: bool = True,
    criterion: EligibilityCriterion | None = None,
) -> EligibilityCriterion:
    """Add a criterion of the provider's own, or change one (``criterion``)."""
    require_criteria_editor(provider.pk, by)
    if criterion is None:
        criterion = EligibilityCriterion(organisation=provider, country=provider.country)
    elif criterion.organisation_id != provider.pk:
        raise PermissionDenied(_("Only the provider's own criteria can be changed."))
    code = (code or "").strip()
    if position is None:
        last = EligibilityCriterion.objects.filter(organisation=provider).order_by("-position").first()
        position = criterion.position if criterion.pk else (last.position + 1 if last else 1)
    criterion.code = code
    criterion.text_en = (text_en or "").strip()
    criterion.text_ru = (text_ru or "").strip()
    criterion.effect = effect
    criterion.position = position
    criterion.is_active = is_active
    errors: dict[str, list] = {}
    for field in ("text_en", "text_ru"):
        if not getattr(criterion, field):
            errors[field] = [_("Enter the text of the criterion.")]
    if code and EligibilityCriterion.objects.filter(organisation=provider, code=code).exclude(pk=criterion.pk).exists():
        errors["code"] = [_("Your organisation already has a criterion with this code.")]
    validated(criterion, errors, "", exclude=["organisation"])
    if errors:
        raise ValidationError(errors)
    criterion.save()
    return criterion


@transaction.atomic
def criterion_deactivate(*, criterion: EligibilityCriterion, by) -> EligibilityCriterion:
    """Stop asking a criterion in new screenings (earlier answers stay)."""
    if criterion.organisation is None:
        raise PermissionDenied(_("The shipped defaults cannot be changed; adapt them for your organisation first."))
    require_criteria_editor(criterion.organisation.pk, by)
    criterion.is_active = False
    criterion.save(update_fields=["is_active"])
    return criterion
