"""What followed a notice: the police or a court record the outcome of a
dropout, an expulsion or non-compliance (a warning, an administrative fine,
community service, an order extension, a court hearing, or no action and
why).

Who: the police officers of the police unit the notice went to (the
referring body), a court's judges and clerks for a notice their court
received (``accounts.permissions.SANCTION_ROLES``); never the provider, the
survivor service or anyone outside that organisation.

What is stored: a kind and its parameters (an amount and a currency code, a
number of hours, a date, a reason code), never a sentence or a note, so no
survivor data can reach it. One outcome per notice; a correction is a new
row that supersedes the last (``Sanction.corrects``), and the history stays.
Each record writes one timeline entry on the referral, which the provider
and the referring body see.

"Order extended" moves the order's window: it names an extension already
recorded on the referral, or its date is recorded as one through
``referrals.services.referral_extend_order`` with that service's rules (who
extends, after the current expiry, an Uzbek court up to a year from the
order's issue), in the same transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import SANCTION_ROLES
from accounts.scope import Scope
from core.timeline import TimelineKind, timeline_add
from notifications import timeline as T
from notifications.models import SERVICE_HOURS_MAX, SERVICE_HOURS_MIN, Notice, Sanction
from notifications.recipients import referral_is_mandatory
from referrals.services import referral_extend_order

K = Sanction.Kind

TIMELINE_KIND: dict[str, TimelineKind] = {
    K.WARNING: T.SANCTION_WARNING,
    K.FINE: T.SANCTION_FINE,
    K.COMMUNITY_SERVICE: T.SANCTION_COMMUNITY_SERVICE,
    K.ORDER_EXTENSION: T.SANCTION_ORDER_EXTENSION,
    K.COURT_HEARING: T.SANCTION_COURT_HEARING,
    K.NO_ACTION: T.SANCTION_NO_ACTION,
}

# The parameters each kind keeps; the others are left empty.
PARAMETERS: dict[str, tuple[str, ...]] = {
    K.WARNING: (),
    K.FINE: ("fine_amount", "fine_currency"),
    K.COMMUNITY_SERVICE: ("service_hours",),
    K.ORDER_EXTENSION: ("order_extension", "extended_until"),
    K.COURT_HEARING: ("hearing_on",),
    K.NO_ACTION: ("no_action_reason",),
}
ALL_PARAMETERS = ("fine_amount", "fine_currency", "service_hours", "order_extension", "extended_until", "hearing_on")
FINE_MAX = Decimal("9999999999.99")
CENTS = Decimal("0.01")
# A hearing is set at most this far ahead.
HEARING_HORIZON = dt.timedelta(days=2 * 366)


def may_record_sanction(scope: Scope, notice: Notice) -> bool:
    """The notice is a dropout, expulsion or non-compliance notice of the
    user's own organisation, and the user is one of its police officers, or
    its judges or clerks."""
    return scope.in_roles(SANCTION_ROLES) and scope.organisation_id == notice.organisation_id and notice.takes_sanction


def sanctions_of(notice: Notice) -> list[Sanction]:
    """The notice's outcomes, first recorded first; the last is current."""
    return list(notice.sanctions.select_related("recorded_by", "order_extension").order_by("recorded_at", "id"))


def current_sanction(notice: Notice) -> Sanction | None:
    return notice.sanctions.filter(corrected_by__isnull=True).select_related("recorded_by", "order_extension").first()


def order_extensions_for(notice: Notice):
    """The extensions recorded on the notice's referral, which an "order
    extended" outcome may name."""
    return notice.event.on_referral.order_extensions.order_by("-new_expiry", "-id")


@dataclass(frozen=True)
class _Values:
    kind: str
    fine_amount: Decimal | None = None
    fine_currency: str = ""
    service_hours: int | None = None
    order_extension_id: int | None = None
    extended_until: dt.date | None = None
    hearing_on: dt.date | None = None
    no_action_reason: str = ""


def _checked(notice: Notice, values: dict, today: dt.date) -> _Values:
    """The kind and the parameters it keeps, or one ValidationError keyed by field."""
    kind = values.get("kind") or ""
    if kind not in K.values:
        raise ValidationError({"kind": [_("Choose what followed.")]})
    errors: dict[str, list] = {}
    kept = {name: values.get(name) for name in PARAMETERS[kind]}
    noticed_on = timezone.localdate(notice.event.occurred_at)
    if kind == K.FINE:
        amount = kept.get("fine_amount")
        if amount is None:
            errors["fine_amount"] = [_("Enter the amount of the fine.")]
        elif not Decimal("0") < Decimal(amount) <= FINE_MAX:
            errors["fine_amount"] = [_("Enter an amount above zero.")]
        else:
            kept["fine_amount"] = Decimal(amount).quantize(CENTS)
        currency = kept.get("fine_currency") or ""
        if currency and currency not in Sanction.Currency.values:
            errors["fine_currency"] = [_("Choose a currency from the list.")]
        kept["fine_currency"] = currency
    elif kind == K.COMMUNITY_SERVICE:
        hours = kept.get("service_hours")
        if hours is None:
            errors["service_hours"] = [_("Enter the number of hours.")]
        elif not SERVICE_HOURS_MIN <= int(hours) <= SERVICE_HOURS_MAX:
            bounds = {"min": SERVICE_HOURS_MIN, "max": SERVICE_HOURS_MAX}
            errors["service_hours"] = [_("Enter a number of hours from %(min)s to %(max)s.") % bounds]
    elif kind == K.ORDER_EXTENSION:
        extension = kept.pop("order_extension", None)
        if extension is not None:
            extension = order_extensions_for(notice).filter(pk=getattr(extension, "pk", extension)).first()
            if extension is None:
                errors["order_extension"] = [_("Choose an extension of this referral's order.")]
            else:
                kept["order_extension_id"] = extension.pk
                kept["extended_until"] = extension.new_expiry
        until = kept.get("extended_until")
        if until is None and "order_extension" not in errors:
            errors["extended_until"] = [_("Enter the date the order now runs until, or choose its extension.")]
        elif until is not None and until < noticed_on:
            errors["extended_until"] = [_("The order cannot run until a date before the notice.")]
    elif kind == K.COURT_HEARING:
        hearing_on = kept.get("hearing_on")
        if hearing_on is None:
            errors["hearing_on"] = [_("Enter the date of the hearing.")]
        elif hearing_on < noticed_on:
            errors["hearing_on"] = [_("The hearing cannot be before the notice.")]
        elif hearing_on > today + HEARING_HORIZON:
            errors["hearing_on"] = [_("Enter a date within the next two years.")]
    elif kind == K.NO_ACTION:
        reason = kept.get("no_action_reason") or ""
        if not reason:
            errors["no_action_reason"] = [_("Say why no action was taken.")]
        elif reason not in Sanction.NoActionReason.values:
            errors["no_action_reason"] = [_("Choose a reason from the list.")]
    if errors:
        raise ValidationError(errors)
    return _Values(kind=kind, **{k: v for k, v in kept.items() if v is not None})


def _same(row: Sanction, values: _Values) -> bool:
    return (
        row.kind == values.kind
        and row.fine_amount == values.fine_amount
        and row.fine_currency == values.fine_currency
        and row.service_hours == values.service_hours
        # A date recorded as an extension names the extension it made.
        and (row.order_extension_id == values.order_extension_id or values.order_extension_id is None)
        and row.extended_until == values.extended_until
        and row.hearing_on == values.hearing_on
        and row.no_action_reason == values.no_action_reason
    )


def timeline_params(row: Sanction) -> dict:
    """The entry's parameter, in no language: an amount and a currency
    code, a number of hours, a date (``notifications.timeline`` reads them)."""
    if row.kind == K.FINE and row.fine_amount is not None:
        return {"amount": row.fine_amount, "currency": row.fine_currency}
    if row.kind == K.COMMUNITY_SERVICE and row.service_hours is not None:
        return {"hours": row.service_hours}
    if row.kind == K.ORDER_EXTENSION and row.extended_until is not None:
        return {"until": row.extended_until}
    if row.kind == K.COURT_HEARING and row.hearing_on is not None:
        return {"on": row.hearing_on}
    return {}


def _extension_recorded(notice: Notice, by, values: _Values, today: dt.date) -> _Values:
    """Record the order's extension to ``values.extended_until`` on the
    referral, as its page would, and name it; what that service refuses is
    said on the date field."""
    referral = notice.event.on_referral
    try:
        extension = referral_extend_order(
            referral=referral,
            by=by,
            extended_on=today,
            new_expiry=values.extended_until,
            obliges_programme=referral_is_mandatory(referral),
        )
    except PermissionDenied as exc:
        raise ValidationError({"extended_until": [str(exc)]}) from exc
    except ValidationError as exc:
        raise ValidationError({"extended_until": [m for ms in exc.message_dict.values() for m in ms]}) from exc
    return dataclasses.replace(values, order_extension_id=extension.pk)


@transaction.atomic
def sanction_record(
    *,
    notice: Notice,
    by,
    kind: str,
    replaces: int | None = None,
    now: dt.datetime | None = None,
    **parameters,
) -> Sanction:
    """Record what followed ``notice``. ``replaces``: the outcome shown when
    the form was opened (None for the first one); the new row corrects it.

    If someone else recorded or corrected the outcome since, nothing is
    written and the form comes back with a message. A resend of the same
    submission returns the row it recorded."""
    scope = Scope.for_user(by)
    if not may_record_sanction(scope, notice):
        raise PermissionDenied(_("Only the police unit or the court this notice went to records what followed."))
    unknown = set(parameters) - {*ALL_PARAMETERS, "no_action_reason"}
    if unknown:
        raise TypeError(f"Unknown parameters: {sorted(unknown)}")
    now = now or timezone.now()
    notice = Notice.objects.select_for_update(of=("self",)).select_related("event", "event__referral").get(pk=notice.pk)
    values = _checked(notice, {"kind": kind, **parameters}, timezone.localdate(now))
    current = notice.sanctions.filter(corrected_by__isnull=True).first()
    if (current.pk if current else None) != replaces:
        if current is not None and current.corrects_id == replaces and _same(current, values):
            return current
        raise ValidationError(
            {"__all__": [_("What followed this notice was recorded by someone else in the meantime. Check it below.")]}
        )
    if current is not None and _same(current, values):
        raise ValidationError({"__all__": [_("Nothing changed: this is what is recorded already.")]})
    if values.kind == K.ORDER_EXTENSION and values.order_extension_id is None:
        values = _extension_recorded(notice, by, values, timezone.localdate(now))
    row = Sanction(
        notice=notice,
        kind=values.kind,
        fine_amount=values.fine_amount,
        fine_currency=values.fine_currency,
        service_hours=values.service_hours,
        order_extension_id=values.order_extension_id,
        extended_until=values.extended_until,
        hearing_on=values.hearing_on,
        no_action_reason=values.no_action_reason,
        corrects=current,
        recorded_by=by,
        recorded_at=now,
    )
    row.full_clean(exclude=["notice", "corrects", "recorded_by", "order_extension"])
    row.save()
    timeline_add(referral=notice.event.on_referral, by=by, kind=TIMELINE_KIND[row.kind], params=timeline_params(row))
    return row
