"""The provider's waiting list: accepted referrals not yet enrolled.

A referral waits from the moment it is accepted until it is enrolled. While
its status is "accepted", ``Referral.status_changed_at`` is the time of
acceptance (only acceptance sets that status, and enrolment is the next
change), so the list needs no field of its own.

Each row shows how long the person has waited, the order window (the
protection order's current expiry, extensions included), the current risk
level (``Case.current_risk_level``, the level of the latest risk
assessment; none before intake) and the earliest programme the person could
start:

- from a running group of the provider for the person's sex: a group that
  has not started yet starts on its first day; a rolling group that has
  started takes people at its next planned session. The person starts that
  day less the template's first group day (never before today), and the
  programme ends the template's span later. Groups of a mandatory programme
  come first for a referral with an obligation, voluntary ones otherwise;
  the other kind only when none fits;
- with no such group, from the templates the provider may run (the
  shortest that fits the person): no start is known, only the length.

The list warns when the order window has ended, when the earliest planned
start plus the programme runs past the window's end, or (no start known)
when what is left of the window is shorter than the programme.

A page is read in a fixed number of queries, whatever its size: the rows
(one query, with the window and the risk level annotated), the provider's
groups and its templates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import BooleanField, Exists, ExpressionWrapper, F, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Greatest
from django.utils import timezone

from accounts.scope import Scope
from casework.models import RiskLevel
from programmes.models import Group, ProgrammeTemplate, Session
from referrals.models import ProtectionOrderExtension, Referral
from referrals.selectors import referrals_visible_to, search_referrals

from .templates import usable_templates

SORT_WAIT = "wait"
SORT_WINDOW = "window"
SORTS = (SORT_WAIT, SORT_WINDOW)

# Why a row is flagged (the template says it in the reader's language).
WINDOW_ENDED = "window_ended"
OUTRUNS_WINDOW = "outruns_window"
WINDOW_TOO_SHORT = "window_too_short"


def waiting_referrals(scope: Scope, *, term: str = "", sort: str = SORT_WAIT) -> QuerySet[Referral]:
    """The provider's accepted referrals not yet enrolled, with
    ``window_end`` (the order's current expiry), ``obliges`` (the order or
    an extension obliges a programme), ``case_pk`` and ``risk_level``
    annotated. Longest wait first, or (``sort="window"``) the window that
    ends first, those without an order last."""
    if not scope.is_provider_staff:
        return Referral.objects.none()
    last_extension = (
        ProtectionOrderExtension.objects.filter(referral=OuterRef("pk"))
        .order_by()
        .values("referral")
        .annotate(latest=Max("new_expiry"))
        .values("latest")
    )
    qs = (
        referrals_visible_to(scope)
        .filter(status=Referral.Status.ACCEPTED)
        .annotate(
            # GREATEST skips NULLs in PostgreSQL: either date alone counts.
            window_end=Greatest("order_expires_on", Subquery(last_extension)),
            obliges=ExpressionWrapper(
                Q(order_obliges_programme=True)
                | Exists(ProtectionOrderExtension.objects.filter(referral=OuterRef("pk"), obliges_programme=True)),
                output_field=BooleanField(),
            ),
            case_pk=F("case__id"),
            risk_level=F("case__current_risk_level"),
        )
    )
    found = search_referrals(qs, term)
    if sort == SORT_WINDOW:
        return found.order_by(F("window_end").asc(nulls_last=True), "status_changed_at", "id")
    return found.order_by("status_changed_at", "id")


@dataclass(frozen=True)
class Option:
    """A programme a waiting person could start: the template, and the
    planned first day when a group gives one."""

    template: ProgrammeTemplate
    starts_on: dt.date | None = None
    group: Group | None = None


@dataclass(frozen=True)
class WaitingRow:
    referral: Referral
    accepted_on: dt.date
    waited_days: int
    window_end: dt.date | None
    window_days_left: int | None
    obliges: bool
    risk_level: str
    option: Option | None
    warning: str

    @property
    def risk_label(self) -> str:
        return str(RiskLevel(self.risk_level).label) if self.risk_level in RiskLevel.values else ""

    @property
    def programme_ends_on(self) -> dt.date | None:
        if self.option is None or self.option.starts_on is None:
            return None
        return self.option.starts_on + dt.timedelta(days=self.option.template.span_days)


def _join_days(provider_id: int, today: dt.date) -> list[tuple[Group, dt.date]]:
    """(group, the next day a newcomer can join it) for the provider's
    running groups that still take people. One query."""
    now = timezone.now()
    groups = (
        Group.objects.filter(provider_id=provider_id, is_active=True)
        .select_related("template")
        .annotate(
            next_session=Min(
                "sessions__starts_at",
                filter=Q(
                    sessions__starts_at__gte=now,
                    sessions__status=Session.Status.PLANNED,
                    sessions__kind=Session.Kind.GROUP,
                ),
            )
        )
        .order_by("starts_on", "id")
    )
    days: list[tuple[Group, dt.date]] = []
    for group in groups:
        if group.starts_on >= today:
            days.append((group, group.starts_on))
        elif group.intake == Group.Intake.ROLLING and group.next_session is not None:
            days.append((group, timezone.localdate(group.next_session)))
    return days


def _fits(template: ProgrammeTemplate, sex: str) -> bool:
    return template.sex in (sex, "any")


def _preferred(options: list[Option], mandatory: bool) -> list[Option]:
    """The options of the kind of programme the referral calls for, or
    all of them when there is none of that kind."""
    same = [o for o in options if o.template.mandatory == mandatory]
    return same or options


def _option_for(
    referral: Referral,
    mandatory: bool,
    join_days: list[tuple[Group, dt.date]],
    templates: list[ProgrammeTemplate],
    today: dt.date,
) -> Option | None:
    sex = referral.person.sex
    planned = []
    for group, day in join_days:
        if group.sex != sex:
            continue
        offset = group.template.first_group_offset() or 0
        planned.append(Option(group.template, max(today, day - dt.timedelta(days=offset)), group))
    planned = _preferred(planned, mandatory)
    if planned:
        return min(
            planned,
            key=lambda o: ((o.starts_on or today) + dt.timedelta(days=o.template.span_days), o.starts_on or today),
        )
    known = _preferred([Option(t) for t in templates if _fits(t, sex)], mandatory)
    if known:
        return min(known, key=lambda o: (o.template.span_days, o.template.name))
    return None


def _warning(window_end: dt.date | None, option: Option | None, today: dt.date) -> str:
    if window_end is None:
        return ""
    if window_end < today:
        return WINDOW_ENDED
    if option is None:
        return ""
    if option.starts_on is not None:
        ends_on = option.starts_on + dt.timedelta(days=option.template.span_days)
        return OUTRUNS_WINDOW if ends_on > window_end else ""
    return WINDOW_TOO_SHORT if (window_end - today).days < option.template.span_days else ""


def waiting_rows(scope: Scope, referrals: list[Referral], *, today: dt.date | None = None) -> list[WaitingRow]:
    """The rows of a page of ``waiting_referrals``: two more queries (the
    provider's groups and templates), whatever the number of rows."""
    if not referrals or scope.organisation is None:
        return []
    today = today or timezone.localdate()
    join_days = _join_days(scope.organisation.pk, today)
    templates = list(usable_templates(scope.organisation))
    rows = []
    for referral in referrals:
        accepted_on = timezone.localdate(referral.status_changed_at)
        # The annotations of ``waiting_referrals``.
        window_end: dt.date | None = referral.window_end  # type: ignore[attr-defined]
        obliges: bool = referral.obliges  # type: ignore[attr-defined]
        risk_level: str = referral.risk_level or ""  # type: ignore[attr-defined]
        option = _option_for(referral, obliges, join_days, templates, today)
        rows.append(
            WaitingRow(
                referral=referral,
                accepted_on=accepted_on,
                waited_days=max(0, (today - accepted_on).days),
                window_end=window_end,
                window_days_left=max(0, (window_end - today).days) if window_end else None,
                obliges=obliges,
                risk_level=risk_level,
                option=option,
                warning=_warning(window_end, option, today),
            )
        )
    return rows
