"""Writes for cases: intake, consents, risk, survivor contact, safety plan."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from accounts.permissions import require_clinical, require_survivor_worker
from accounts.scope import Scope
from casework import timeline as K
from casework.events import RISK_REASSESSED
from casework.models import (
    RISK_LEVEL_ORDER,
    Case,
    Consent,
    IntakeInterview,
    RiskAssessment,
    RiskInstrument,
    SafetyPlan,
    SurvivorContact,
    SurvivorServiceReferral,
)
from casework.selectors import has_consent
from core.events import emit
from core.submission import known_submission, save_once
from core.timeline import timeline_add
from core.validation import validated
from referrals.models import Referral, Survivor


def risk_score(instrument: RiskInstrument, answers: dict[str, bool]) -> tuple[int, str]:
    """Score = sum of the weights of the items answered yes; the level is the
    threshold reached, raised to any level an item forces on its own."""
    items = list(instrument.items.all())
    score = sum(item.weight for item in items if answers.get(item.code))
    level = instrument.level_for(score)
    for item in items:
        if (
            answers.get(item.code)
            and item.forces_level
            and RISK_LEVEL_ORDER[item.forces_level] > RISK_LEVEL_ORDER[level]
        ):
            level = item.forces_level
    return score, level


def _risk_answers(instrument: RiskInstrument, answers: dict[str, Any], errors: dict, prefix: str) -> dict[str, bool]:
    codes = {item.code for item in instrument.items.all()}
    unknown = set(answers) - codes
    if unknown:
        errors[f"{prefix}answers"] = [_("Unknown items: %(codes)s.") % {"codes": ", ".join(sorted(unknown))}]
    return {code: bool(answers.get(code)) for code in codes}


def _locked_for_intake(referral: Referral, by) -> Referral:
    """The referral, locked, once it is known to be ready for intake."""
    require_clinical(referral.provider_id, by)
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != Referral.Status.ACCEPTED:
        raise ValidationError({"__all__": [_("Only an accepted referral can go to intake.")]})
    if Case.objects.filter(referral=referral).exists():
        raise ValidationError({"__all__": [_("Intake has already been done for this referral.")]})
    return referral


def _check_intake_consents(
    person_release: str,
    survivor_consents: dict[int, dict[str, str]],
    survivors: dict[int, Survivor],
    errors: dict[str, list],
) -> None:
    decisions = set(Consent.Decision.values) - {Consent.Decision.WITHDRAWN}
    if person_release not in decisions:
        errors["person_release"] = [_("Record whether the person consents to the release of information.")]
    for sid, kinds in survivor_consents.items():
        if sid not in survivors:
            errors["survivor_consents"] = [_("Unknown survivor.")]
            continue
        for kind, decision in kinds.items():
            if kind not in (Consent.Kind.SURVIVOR_CONTACT, Consent.Kind.SURVIVOR_SHARING) or decision not in decisions:
                errors[f"survivor_consents.{sid}.{kind}"] = [_("Choose given or refused.")]


def _open_case_with_interview(referral: Referral, by, intake: IntakeInterview) -> Case:
    case = Case.objects.create(referral=referral, provider=referral.provider, opened_by=by)
    timeline_add(referral=referral, by=by, kind=K.CASE_OPENED)
    intake.case = case
    intake.save()
    timeline_add(referral=referral, by=by, kind=K.INTAKE_RECORDED)
    return case


def _record_intake_consents(
    case: Case,
    referral: Referral,
    by,
    person_release: str,
    survivor_consents: dict[int, dict[str, str]],
    survivors: dict[int, Survivor],
) -> None:
    consents = [Consent(case=case, kind=Consent.Kind.PERSON_RELEASE, decision=person_release, recorded_by=by)]
    for sid, kinds in survivor_consents.items():
        for kind, decision in kinds.items():
            consents.append(Consent(case=case, survivor=survivors[sid], kind=kind, decision=decision, recorded_by=by))
    Consent.objects.bulk_create(consents)
    timeline_add(referral=referral, by=by, kind=K.CONSENT_RECORDED)


@transaction.atomic
def intake_complete(
    *,
    referral: Referral,
    by,
    interview: dict[str, Any],
    person_release: str,
    survivor_consents: dict[int, dict[str, str]],
    instrument: RiskInstrument,
    risk_answers: dict[str, Any],
    risk_notes: str = "",
) -> Case:
    """Intake on an accepted referral: open the case, record the interview,
    the consents and the initial risk assessment, all or nothing.

    ``survivor_consents`` maps survivor id → {consent kind: decision} for the
    survivor-side consents (contact, sharing with a survivor service)."""
    referral = _locked_for_intake(referral, by)

    errors: dict[str, list] = {}
    survivors = {s.pk: s for s in referral.survivors.all()}
    _check_intake_consents(person_release, survivor_consents, survivors, errors)
    if instrument is None or not instrument.is_active:
        errors["instrument"] = [_("Choose a risk instrument.")]
    intake = IntakeInterview(case=None, interviewer=by, **interview)
    validated(intake, errors, "interview.", exclude=["case", "interviewer"])
    answers = _risk_answers(instrument, risk_answers, errors, "risk.") if instrument else {}
    if len(risk_notes or "") > 8000:
        errors["risk.notes"] = [_("Keep the notes under 8000 characters.")]
    if errors:
        raise ValidationError(errors)

    case = _open_case_with_interview(referral, by, intake)
    _record_intake_consents(case, referral, by, person_release, survivor_consents, survivors)
    _risk_record(case=case, instrument=instrument, answers=answers, notes=risk_notes, by=by, is_initial=True)
    return case


def _risk_record(
    *,
    case: Case,
    instrument: RiskInstrument,
    answers: dict[str, bool],
    notes: str,
    by,
    is_initial: bool,
    submission_key: uuid.UUID | None = None,
) -> RiskAssessment:
    score, level = risk_score(instrument, answers)
    previous = case.current_risk_level
    assessment, created = save_once(
        RiskAssessment(
            case=case,
            instrument=instrument,
            answers=answers,
            score=score,
            level=level,
            notes=notes or "",
            assessed_by=by,
            is_initial=is_initial,
            submission_key=submission_key,
        ),
        RiskAssessment.objects.filter(case=case, assessed_by=by),
    )
    if not created:
        return assessment
    case.current_risk_level = level
    case.save(update_fields=["current_risk_level"])
    timeline_add(
        referral=case.referral, by=by, kind=K.RISK_ASSESSED, params={"instrument": instrument.name, "level": level}
    )
    if not is_initial:
        # A higher level than before: the survivor service(s) and the police hear of it.
        emit(RISK_REASSESSED, assessment=assessment, previous=previous, by=by)
    return assessment


@transaction.atomic
def risk_reassess(
    *,
    case: Case,
    by,
    instrument: RiskInstrument,
    answers: dict[str, Any],
    notes: str = "",
    submission_key: uuid.UUID | None = None,
) -> RiskAssessment:
    """A reassessment; a higher level than before notifies the survivor
    service(s) and the police. A resend with the same ``submission_key``
    returns the first assessment."""
    require_clinical(case.provider_id, by)
    existing, submission_key = known_submission(
        RiskAssessment.objects.filter(case=case, assessed_by=by), submission_key
    )
    if existing is not None:
        return existing
    errors: dict[str, list] = {}
    if instrument is None or not instrument.is_active:
        raise ValidationError({"instrument": [_("Choose a risk instrument.")]})
    cleaned = _risk_answers(instrument, answers, errors, "")
    if len(notes or "") > 8000:
        errors["notes"] = [_("Keep the notes under 8000 characters.")]
    if errors:
        raise ValidationError(errors)
    return _risk_record(
        case=case,
        instrument=instrument,
        answers=cleaned,
        notes=notes,
        by=by,
        is_initial=False,
        submission_key=submission_key,
    )


@transaction.atomic
def consent_record(*, case: Case, by, kind: str, decision: str, survivor: Survivor | None = None) -> Consent:
    scope = Scope.for_user(by)
    is_party = (scope.is_clinical and scope.organisation_id == case.provider_id) or (
        scope.is_survivor_worker and case.survivor_services.filter(organisation=scope.organisation).exists()
    )
    if not is_party:
        raise PermissionDenied(_("You cannot record consent on this case."))
    if survivor is not None and survivor.referral_id != case.referral_id:
        raise ValidationError({"survivor": [_("Unknown survivor.")]})
    consent = Consent(case=case, kind=kind, decision=decision, survivor=survivor, recorded_by=by)
    errors: dict[str, list] = {}
    validated(consent, errors, "", exclude=["case", "recorded_by"])
    if errors:
        raise ValidationError(errors)
    consent.save()
    timeline_add(referral=case.referral, by=by, kind=K.CONSENT_RECORDED, survivor_side=survivor is not None)
    return consent


@transaction.atomic
def survivor_contact_log(
    *,
    case: Case,
    survivor: Survivor,
    by,
    contacted_on: dt.date,
    method: str,
    outcome: str,
    informed_about_programme: bool = False,
    notes: str = "",
    submission_key: uuid.UUID | None = None,
) -> SurvivorContact:
    """Log a contact with a survivor. Only with her consent to be contacted.
    A resend with the same ``submission_key`` returns the first entry."""
    scope = Scope.for_user(by)
    allowed = (scope.is_clinical and scope.organisation_id == case.provider_id) or (
        scope.is_survivor_worker and case.survivor_services.filter(organisation=scope.organisation).exists()
    )
    if not allowed:
        raise PermissionDenied(_("You cannot log survivor contact on this case."))
    if survivor.referral_id != case.referral_id:
        raise ValidationError({"survivor": [_("Unknown survivor.")]})
    mine = SurvivorContact.objects.filter(case=case, survivor=survivor, recorded_by=by)
    existing, submission_key = known_submission(mine, submission_key)
    if existing is not None:
        return existing
    if not has_consent(case, survivor, Consent.Kind.SURVIVOR_CONTACT):
        raise ValidationError({"__all__": [_("She has not agreed to be contacted: record her consent first.")]})
    contact = SurvivorContact(
        case=case,
        survivor=survivor,
        contacted_on=contacted_on,
        method=method,
        outcome=outcome,
        informed_about_programme=informed_about_programme,
        notes=notes or "",
        recorded_by=by,
        submission_key=submission_key,
    )
    errors: dict[str, list] = {}
    validated(contact, errors, "", exclude=["case", "survivor", "recorded_by", "submission_key"])
    if contacted_on and contacted_on > timezone.localdate():
        errors.setdefault("contacted_on", []).append(_("This date is in the future."))
    if errors:
        raise ValidationError(errors)
    contact, created = save_once(contact, mine)
    if not created:
        return contact
    timeline_add(referral=case.referral, by=by, kind=K.SURVIVOR_CONTACTED, survivor_side=True)
    return contact


@transaction.atomic
def survivor_service_refer(*, case: Case, organisation: Organisation | None, by) -> SurvivorServiceReferral:
    """Refer the survivor(s) to a crisis centre, which becomes a party to the
    case. Needs at least one survivor's consent to share her details."""
    require_clinical(case.provider_id, by)
    if organisation is None or organisation.kind != Organisation.Kind.SURVIVOR_SERVICE or not organisation.is_active:
        raise ValidationError({"organisation": [_("Choose a survivor service from the list.")]})
    if not any(has_consent(case, s, Consent.Kind.SURVIVOR_SHARING) for s in case.referral.survivors.all()):
        raise ValidationError({"__all__": [_("No survivor has agreed that her details go to a survivor service.")]})
    link, created = SurvivorServiceReferral.objects.get_or_create(
        case=case, organisation=organisation, defaults={"referred_by": by}
    )
    if not created:
        raise ValidationError({"organisation": [_("The case is already referred to this service.")]})
    timeline_add(
        referral=case.referral, by=by, kind=K.SURVIVOR_SERVICE_REFERRED, params={"organisation": organisation.name}
    )
    return link


SAFETY_PLAN_FIELDS = ("risks", "safe_contacts", "safe_places", "code_word", "children_safety", "next_review_on")


@transaction.atomic
def safety_plan_save(*, case: Case, survivor: Survivor, by, **fields: Any) -> SafetyPlan:
    scope = require_survivor_worker(case, by)
    if survivor.referral_id != case.referral_id:
        raise ValidationError({"survivor": [_("Unknown survivor.")]})
    unknown = set(fields) - set(SAFETY_PLAN_FIELDS)
    if unknown:
        raise ValueError(f"Unknown safety plan fields: {sorted(unknown)}")
    plan = SafetyPlan.objects.filter(survivor=survivor).first() or SafetyPlan(
        survivor=survivor, case=case, organisation=scope.organisation
    )
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.updated_by = by
    errors: dict[str, list] = {}
    validated(plan, errors, "", exclude=["survivor", "case", "organisation", "updated_by"])
    review = fields.get("next_review_on")
    if review and review < timezone.localdate():
        errors.setdefault("next_review_on", []).append(_("The next review cannot be in the past."))
    if errors:
        raise ValidationError(errors)
    plan.save()
    timeline_add(referral=case.referral, by=by, kind=K.SAFETY_PLAN_UPDATED, survivor_side=True)
    return plan
