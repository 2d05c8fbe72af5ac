"""How an enrolment ends: transfer to another provider, discharge (completion, dropout,
expulsion), and what that tells others."""

from __future__ import annotations

import copy
import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from accounts.permissions import require_clinical, require_staff
from core.dates import short_date
from core.events import emit
from core.timeline import timeline_add
from core.validation import validated
from programmes import timeline as K
from programmes.events import ENROLMENT_ENDED
from programmes.models import Enrolment, Session
from programmes.selectors import (
    local_midnight,
    progress,
)
from referrals.models import Referral

from ._common import _locked_active, _set_referral_status

CANCEL_REASON_TRANSFERRED = "Transferred to another provider"
CANCEL_REASON_ENDED = "The enrolment ended"

DISCHARGE_KINDS = (
    Enrolment.Status.COMPLETED,
    Enrolment.Status.DROPPED_OUT,
    Enrolment.Status.EXPELLED,
    Enrolment.Status.DESELECTED,
)


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
    enrolment, is recorded as the event's author. Outcome monitoring
    schedules the end-of-programme and follow-up points. Both listen to
    ``ENROLMENT_ENDED`` (programmes/events.py)."""
    emit(ENROLMENT_ENDED, enrolment=enrolment, by=by)


@transaction.atomic
def enrolment_transfer(*, enrolment: Enrolment, provider: Organisation, by, reason: str) -> Enrolment:
    """Transfer a participant to another programme provider.

    The enrolment ends ("transferred", ``transferred_to``), its future
    individual sessions are cancelled, and the case and referral move to the
    new provider, whose staff can then enrol the person again (the referral
    stays "enrolled" with no active enrolment). The old provider keeps its
    enrolment record (``enrolments_visible_to``)."""
    require_staff(enrolment.provider_id, by)
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
    timeline_add(referral=referral, by=by, kind=K.TRANSFERRED, params={"provider": provider.name})
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
        errors["on"] = [_("The end cannot be before the start (%(date)s).") % {"date": short_date(enrolment.starts_on)}]
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
    validated(
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
    require_clinical(enrolment.provider_id, by)
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
    require_clinical(enrolment.provider_id, by)
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
    timeline_add(referral=referral, by=by, kind=K.DISCHARGED, params={"status": kind})
    _on_enrolment_ended(enrolment, by=by)
    return enrolment
