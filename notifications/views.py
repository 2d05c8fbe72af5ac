"""The inbox, a notice and its acknowledgement, the nav badge, and the
"report new violence" page.

Every signed-in member of an organisation has an inbox: their
organisation's notices and those escalated to them personally. The badge
and the inbox list refresh themselves through htmx polling; a poll does not
count as activity, so an open tab does not keep an idle session alive.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.middleware import passive
from accounts.models import Organisation
from accounts.permissions import acknowledger_required, check, member_required, reporter_required
from casework.models import RiskLevel
from core.errors import add_service_errors
from notifications import services
from notifications.forms import AcknowledgeForm, InboxFilterForm, ViolenceReportForm
from notifications.models import Delivery, Notice, SafetyEvent
from notifications.recipients import may_acknowledge
from notifications.sanctions import current_sanction, may_record_sanction
from notifications.selectors import (
    banner_notices,
    case_link_for,
    deliveries_of,
    get_case_for_reporter,
    get_notice_for_user,
    inbox_pages,
    open_counts,
    survivor_links_for,
)
from notifications.urgency import Urgency
from referrals.models import Referral

PAGE_SIZE = 25


E = SafetyEvent.Kind

GUIDANCE: dict[str, Promise] = {
    E.DROPOUT: gettext_lazy(
        "The person has left the programme. Tell the survivor and review her safety plan: the end of the "
        "programme can be a dangerous moment."
    ),
    E.EXPULSION: gettext_lazy(
        "The person was expelled from the programme. Tell the survivor and review her safety plan."
    ),
    E.NEW_VIOLENCE: gettext_lazy("New violence was reported on this case. Contact the survivor and act on her safety."),
    E.RISK_RAISED: gettext_lazy("A risk reassessment raised the risk level. Review the survivor's safety plan."),
    E.NON_COMPLIANCE: gettext_lazy(
        "A participant obliged by a protection order missed a session without excuse while the order runs."
    ),
    E.ORDER_EXPIRING: gettext_lazy(
        "The protection order expires soon and the programme is not finished. Consider an extension."
    ),
    E.COMPLETION: gettext_lazy(
        "The person completed the programme. Tell the survivor; follow-up and monitoring continue."
    ),
    E.REFERRAL_ACCEPTED: gettext_lazy(
        "The provider accepted your referral. The person waits for a place in the programme; you will be told "
        "how it ends."
    ),
    E.REFERRAL_DECLINED: gettext_lazy(
        "The provider declined your referral, for the reason below. Consider referring the person elsewhere."
    ),
}

# A referring body other than a police unit (a court, the commission on
# children's rights, local government, a ministry department, a women's
# resource centre) neither calls the survivor nor keeps her safety plan: it
# is told what happened to the person it referred.
REFERRER_GUIDANCE: dict[str, Promise] = {
    E.DROPOUT: gettext_lazy(
        "The person you referred has left the programme. Consider what follows within your own powers."
    ),
    E.EXPULSION: gettext_lazy(
        "The person you referred was expelled from the programme. Consider what follows within your own powers."
    ),
    E.NEW_VIOLENCE: gettext_lazy(
        "New violence was reported on the case of the person you referred. Act within your own powers."
    ),
    E.COMPLETION: gettext_lazy(
        "The person you referred completed the programme. Monitoring after the programme continues."
    ),
}


# A police unit does not keep the survivor's safety plan (her service does):
# it checks the order, makes sure her service knows, and records what
# followed (``Sanction``).
POLICE_GUIDANCE: dict[str, Promise] = {
    E.DROPOUT: gettext_lazy(
        "The person has left the programme. Check the protection order, make sure the survivor's service knows, "
        "and record below what followed: a warning, a fine, community service, a court hearing or no action."
    ),
    E.EXPULSION: gettext_lazy(
        "The person was expelled from the programme. Check the protection order, make sure the survivor's service "
        "knows, and record below what followed."
    ),
}


def guidance_for(notice: Notice) -> str:
    """What the notice asks of its reader's organisation."""
    kind = notice.event.kind
    if notice.organisation.kind == Organisation.Kind.POLICE_UNIT:
        return str(POLICE_GUIDANCE.get(kind) or GUIDANCE.get(kind) or "")
    if notice.for_referring_body:
        return str(REFERRER_GUIDANCE.get(kind) or GUIDANCE.get(kind) or "")
    return str(GUIDANCE.get(kind) or "")


FACT_LABELS = {
    "ended_on": gettext_lazy("Ended on"),
    "ending": gettext_lazy("How it ended"),
    "mandatory": gettext_lazy("Mandatory referral"),
    "sessions_attended": gettext_lazy("Sessions attended"),
    "sessions_missed": gettext_lazy("Sessions missed"),
    "from_level": gettext_lazy("Risk level before"),
    "to_level": gettext_lazy("Risk level now"),
    "assessed_on": gettext_lazy("Assessed on"),
    "reported_on": gettext_lazy("Date"),
    "reported_by": gettext_lazy("Reported by"),
    "missed_on": gettext_lazy("Session missed on"),
    "session_number": gettext_lazy("Session number"),
    "session_kind": gettext_lazy("Session"),
    "order_expires_on": gettext_lazy("Protection order expires on"),
    "days_left": gettext_lazy("Days left"),
    "missed_in_a_row": gettext_lazy("Unexcused absences in a row"),
    "for_violence": gettext_lazy("Because of new violence"),
    "decline_reason": gettext_lazy("Reason for declining"),
    "recorded_in_field_at": gettext_lazy("Recorded in the field, without a network, at"),
}
ENDINGS = {
    "dropout_rule": gettext_lazy("Dropout rule reached (still enrolled; staff may record the ending)"),
    "dropped_out": gettext_lazy("Dropped out"),
    "deselected": gettext_lazy("De-selected (no longer eligible)"),
    "expelled": gettext_lazy("Expelled"),
    "completed": gettext_lazy("Completed"),
}
SESSION_KINDS = {"individual": gettext_lazy("Individual"), "group": gettext_lazy("Group")}


def _fact_value(key: str, value):
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key in {"ended_on", "assessed_on", "reported_on", "missed_on", "order_expires_on"}:
        try:
            return formats.date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except (TypeError, ValueError):
            return value
    if key in {"from_level", "to_level"} and value in RiskLevel.values:
        return RiskLevel(value).label
    if key == "ending":
        return ENDINGS.get(value, value)
    if key == "session_kind":
        return SESSION_KINDS.get(value, value)
    if key == "reported_by" and value in Organisation.Kind.values:
        return Organisation.Kind(value).label
    if key == "decline_reason" and value in Referral.DeclineReason.values:
        return Referral.DeclineReason(value).label
    if key == "recorded_in_field_at":
        moment = services.field_time_value(value)
        return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT") if moment else value
    return value


def fact_rows(event: SafetyEvent) -> list[tuple[str, str]]:
    return [(FACT_LABELS[key], _fact_value(key, value)) for key, value in event.facts.items() if key in FACT_LABELS]


def _poll(request) -> None:
    """A badge polled every 30 seconds is no sign of someone at the keyboard:
    it must not renew the idle timeout, or an open tab would keep the session
    alive for ever. (It reads the session and never changes it, so it does
    not write it either.)"""
    passive(request)


def _poll_seconds() -> int:
    return max(1, int(settings.NOTIFY_POLL_SECONDS))


# --- inbox and badge ---------------------------------------------------------------


@never_cache
@require_GET
@member_required
def inbox(request):
    scope = request.scope
    # A referring body's officer who reads no case knows notices by referral number.
    by_referral = check("referrer", scope) and not check("case_reader", scope)
    form = InboxFilterForm(request.GET or None, by_referral=by_referral)
    values = form.values() if form.is_bound else {"state": "open", "kind": "", "case_id": None, "referral_id": None}
    now = timezone.now()
    page = Paginator(inbox_pages(scope, now=now, **values), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "form": form,
        "state": values["state"],
        "now": now,
        "filtered": values["kind"]
        or values["case_id"] is not None
        or values["referral_id"] is not None
        or values["state"] != "open",
        "poll_seconds": _poll_seconds(),
    }
    if request.htmx:
        _poll(request)
        return render(request, "notifications/partials/notice_list.html", context)
    return render(request, "notifications/inbox.html", context)


@never_cache
@require_GET
@member_required
def badge(request):
    _poll(request)
    count, overdue = open_counts(request.scope)
    urgent, urgent_count = banner_notices(request.scope)
    return render(
        request,
        "notifications/partials/badge.html",
        {
            "open_count": count,
            "overdue_count": overdue,
            "urgent_notices": urgent,
            "urgent_count": urgent_count,
            "oob_banner": True,
            "scope": request.scope,
        },
    )


# --- a notice ----------------------------------------------------------------------


UNREACHABLE_REASONS = {
    Urgency.URGENT: gettext_lazy(
        "Escalated at once: when the notice was made, nobody at %(org)s who handles it could be alerted away from "
        "the screen (by SMS, Telegram or email) for urgent notices, so the next level was alerted without waiting "
        "for the deadline."
    ),
    Urgency.ACTION: gettext_lazy(
        "Escalated at once: when the notice was made, nobody at %(org)s who handles it could be alerted away from "
        "the screen (by SMS, Telegram or email) for notices that need action, so the next level was alerted "
        "without waiting for the deadline."
    ),
}


def escalation_reason(notice: Notice) -> str:
    """Why the notice went up the chain, in plain words; "" if it did not."""
    if notice.escalated_because == services.UNREACHABLE and notice.urgency in UNREACHABLE_REASONS:
        return UNREACHABLE_REASONS[notice.urgency] % {"org": notice.organisation.shown_name}
    if notice.escalation_level:
        return _("Escalated because it was not acknowledged by the deadline.")
    return ""


def _detail(request, notice: Notice, form: AcknowledgeForm | None = None, status: int = 200):
    scope = request.scope
    own = notice.organisation_id == scope.organisation_id
    may_ack = may_acknowledge(scope, notice) and notice.status == Notice.Status.OPEN
    deliveries = list(deliveries_of(notice)) if own else []
    survivors = survivor_links_for(scope, notice, via=request.resolver_match.view_name)
    # What the police unit or the court did after it, on their own notice.
    records_sanction = may_record_sanction(scope, notice)
    return render(
        request,
        "notifications/notice_detail.html",
        {
            "notice": notice,
            "event": notice.event,
            "case": notice.event.case,
            "facts": fact_rows(notice.event),
            "guidance": guidance_for(notice),
            "escalation_reason": escalation_reason(notice),
            "case_link": case_link_for(scope, notice),
            "own": own,
            "may_acknowledge": may_ack,
            "form": form or (AcknowledgeForm(notice=notice) if may_ack else None),
            "survivors": survivors,
            # The referring body's own notice, or one about a referral with no
            # case yet: known by the referral's number.
            "referral_view": (check("referrer", scope) and notice.for_referring_body) or notice.event.case_id is None,
            "deliveries": deliveries,
            "may_record_sanction": records_sanction,
            "sanction": current_sanction(notice) if own and notice.takes_sanction else None,
            "failed": [d for d in deliveries if d.status == Delivery.Status.FAILED],
            "now": timezone.now(),
        },
        status=status,
    )


@never_cache
@require_GET
@member_required
def notice_detail(request, pk: int):
    return _detail(request, get_notice_for_user(request.scope, pk))


@never_cache
@require_POST
@acknowledger_required
def acknowledge(request, pk: int):
    notice = get_notice_for_user(request.scope, pk)
    if not may_acknowledge(request.scope, notice):
        raise PermissionDenied
    form = AcknowledgeForm(request.POST, notice=notice)
    if form.is_valid():
        try:
            services.notice_acknowledge(
                notice=notice, by=request.user, actions=form.cleaned_data["actions"], note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Notice acknowledged. Thank you."))
            return redirect("notifications:notice_detail", pk=notice.pk)
    notice.refresh_from_db()
    return _detail(request, notice, form)


# --- new violence ------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@reporter_required
def report_violence(request, pk: int):
    scope = request.scope
    case = get_case_for_reporter(scope, pk)
    form = ViolenceReportForm(
        request.POST if request.method == "POST" else None, initial={"reported_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.new_violence_report(case=case, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("New violence reported. The survivor service, the referring body and the programme staff were told."),
            )
            if scope.is_police:
                return redirect("referrals:police_detail", pk=case.referral_id)
            return redirect("casework:case_detail", pk=case.pk)
    # Only a police officer reports new violence from the referral's page (``reporter``).
    if scope.is_police:
        back = ("referrals:police_detail", case.referral_id, case.referral.reference)
    else:
        back = ("casework:case_detail", case.pk, case.number)
    return render(request, "notifications/report_violence.html", {"case": case, "form": form, "back": back})
