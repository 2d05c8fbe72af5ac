"""Reads of notices, starting from the user's scope (404 outside it).

A user sees the notices of their organisation, and the notices escalated or
sent to them personally (a programme manager at level 2 sees another
organisation's notice, without its acknowledgement note).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.scope import Scope
from casework.selectors import cases_visible_to
from notifications.models import Delivery, Notice, SafetyEvent
from referrals.selectors import referrals_visible_to

FILTERS = ("open", "overdue", "acknowledged", "all")


def notices_visible_to(scope: Scope) -> QuerySet[Notice]:
    if scope.organisation is None or scope.user_id is None:
        return Notice.objects.none()
    personal = Delivery.objects.filter(notice=OuterRef("pk"), user_id=scope.user_id)
    return Notice.objects.filter(Q(organisation=scope.organisation) | Q(Exists(personal))).select_related(
        "event", "event__case", "organisation", "acknowledged_by"
    )


def get_notice_for_user(scope: Scope, pk: int) -> Notice:
    try:
        return notices_visible_to(scope).get(pk=pk)
    except (Notice.DoesNotExist, ValueError, TypeError):
        raise Http404("No such notice.") from None


def notice_list_for(
    scope: Scope, *, state: str = "open", kind: str = "", case_id: int | None = None, now: dt.datetime | None = None
) -> QuerySet[Notice]:
    """The inbox rows: overdue first among open ones, then newest."""
    now = now or timezone.now()
    qs = notices_visible_to(scope)
    if state == "open":
        qs = qs.filter(status=Notice.Status.OPEN)
    elif state == "overdue":
        qs = qs.filter(status=Notice.Status.OPEN, ack_due_at__lte=now)
    elif state == "acknowledged":
        qs = qs.filter(status=Notice.Status.ACKNOWLEDGED)
    if kind in SafetyEvent.Kind.values:
        qs = qs.filter(event__kind=kind)
    if case_id is not None:
        qs = qs.filter(event__case_id=case_id)
    if state in {"open", "overdue"}:
        return qs.order_by("ack_due_at", "-id")  # the most overdue first
    return qs.order_by("-created_at", "-id")


def open_counts(scope: Scope, now: dt.datetime | None = None) -> tuple[int, int]:
    """(open, of which overdue) for the nav badge, in one query."""
    from django.db.models import Count

    now = now or timezone.now()
    counts = (
        notices_visible_to(scope)
        .filter(status=Notice.Status.OPEN)
        .aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(ack_due_at__lte=now)))
    )
    return counts["open"], counts["overdue"]


def case_link_for(scope: Scope, notice: Notice) -> tuple[str, int] | None:
    """Where this user may open the notice's case: the case page (provider
    staff, survivor workers of the case) or the referral status page
    (police of the referring unit). None if nowhere."""
    case = notice.event.case
    if (scope.is_provider_staff or scope.is_survivor_worker) and cases_visible_to(scope).filter(pk=case.pk).exists():
        return "casework:case_detail", case.pk
    if scope.is_police and referrals_visible_to(scope).filter(pk=case.referral_id).exists():
        return "referrals:police_detail", case.referral_id
    return None


def deliveries_of(notice: Notice) -> QuerySet[Delivery]:
    return notice.deliveries.exclude(channel=Delivery.Channel.INBOX, user__isnull=True).select_related("user")


def get_case_for_reporter(scope: Scope, pk: int):
    """A case on which the user may report new violence: provider staff and
    survivor workers through the case selector, police officers of the
    referring unit through their referral. 404 otherwise."""
    from casework.models import Case
    from casework.selectors import get_case_for_user

    if scope.is_police:
        try:
            return Case.objects.select_related("referral", "provider").get(
                pk=pk, referral__police_unit=scope.organisation
            )
        except (Case.DoesNotExist, ValueError, TypeError):
            raise Http404("No such case.") from None
    return get_case_for_user(scope, pk)
