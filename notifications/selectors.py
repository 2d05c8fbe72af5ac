"""Reads of notices, starting from the user's scope (404 outside it).

A user sees the notices of their organisation, and the notices escalated or
sent to them personally (a programme manager at level 2 sees another
organisation's notice, without its acknowledgement note).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import Case, Exists, F, IntegerField, Lookup, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.permissions import get_visible_or_404, may_acknowledge_notices
from accounts.scope import Scope
from casework.selectors import cases_visible_to
from core.audit import log_reads
from core.models import SensitiveRead
from notifications.models import Delivery, Notice, SafetyEvent
from notifications.recipients import ENDING_EVENTS, ending_key, recipients_for
from notifications.urgency import URGENCY_RANK, Urgency
from referrals.selectors import referrals_made_by

FILTERS = ("open", "overdue", "acknowledged", "all")


class _AnyOf(Lookup):
    """``lhs = ANY(rhs)``, ``rhs`` an array (``ArraySubquery``)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = compiler.compile(self.rhs)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


def _delivered_to(user_id: int) -> Lookup:
    """The notice has a personal delivery to the user: besides her
    organisation's notices, the only ones she sees.

    Written ``id = ANY(ARRAY(SELECT notice_id ...))``: the array is read
    once, from the personal deliveries' index, before any notice is, so
    "of the organisation or personal" is two index scans OR-ed together.
    The same condition as an EXISTS (or an IN) is a subplan that the
    planner can only test notice by notice, over every notice of every
    organisation."""
    ids = Delivery.objects.filter(user_id=user_id, notice__isnull=False).order_by().values("notice_id")
    return _AnyOf(F("pk"), ArraySubquery(ids))


def notices_visible_to(scope: Scope) -> QuerySet[Notice]:
    if scope.organisation is None or scope.user_id is None:
        return Notice.objects.none()
    return Notice.objects.filter(Q(organisation=scope.organisation) | Q(_delivered_to(scope.user_id))).select_related(
        "event", "event__case", "event__referral", "organisation", "acknowledged_by"
    )


def get_notice_for_user(scope: Scope, pk: int) -> Notice:
    return get_visible_or_404(notices_visible_to(scope), pk=pk)


def notice_list_for(
    scope: Scope,
    *,
    state: str = "open",
    kind: str = "",
    case_id: int | None = None,
    referral_id: int | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[Notice]:
    """The inbox rows: open before acknowledged, urgent before action
    before information, then newest first."""
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
    if referral_id is not None:
        qs = qs.filter(event__referral_id=referral_id)
    rank = Case(
        *(When(urgency=urgency, then=Value(value)) for urgency, value in URGENCY_RANK.items()),
        default=Value(len(URGENCY_RANK)),
        output_field=IntegerField(),
    )
    is_open = Case(When(status=Notice.Status.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField())
    return (
        qs.annotate(open_first=is_open, urgency_rank=rank)
        .prefetch_related("sanctions")
        .order_by("open_first", "urgency_rank", "-created_at", "-id")
    )


class InboxPages:
    """The inbox rows as ``Paginator`` reads them (``count()``, a slice):
    a page's notices are chosen on the notices table alone, by id, and only
    they are then read with their events, cases and referrals. PostgreSQL
    joins before it sorts, so the queryset paged directly joined every
    notice the filter kept (all of an organisation's, for "all") to sort
    them and keep twenty-five."""

    def __init__(self, rows: QuerySet[Notice]):
        self.rows = rows

    def count(self) -> int:
        return self.rows.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page: slice) -> list[Notice]:
        if not isinstance(page, slice):
            raise TypeError("InboxPages is read a page at a time")
        return list(self.rows.filter(pk__in=self.rows.values("pk")[page]))


def inbox_pages(scope: Scope, **filters) -> InboxPages:
    """``notice_list_for`` (same filters) for the inbox's paginator."""
    return InboxPages(notice_list_for(scope, **filters))


@dataclass(frozen=True)
class EndingNotices:
    """Who hears of an enrolment's ending. ``kind``: the safety event it is
    (None: a transfer, no event). ``earlier``: the event that already told
    them (a dropout recorded when the dropout rule was reached), in which
    case nobody is told again and ``organisations`` is empty."""

    kind: str | None
    organisations: list
    earlier: SafetyEvent | None = None


def _ending_event(kind: str, enrolment_id: int) -> SafetyEvent | None:
    return (
        SafetyEvent.objects.filter(dedupe_key=ending_key(kind, enrolment_id))
        .prefetch_related("notices__organisation")
        .first()
    )


def ending_would_tell(enrolment, ending: str) -> EndingNotices:
    """Before an enrolment ends as ``ending`` (an ``Enrolment.Status``
    value): the organisations its notice will go to, in the order the
    notices are made."""
    kind = ENDING_EVENTS.get(ending)
    if kind is None:
        return EndingNotices(None, [])
    earlier = _ending_event(kind, enrolment.pk)
    if earlier is not None:
        return EndingNotices(kind, [], earlier)
    return EndingNotices(kind, [r.organisation for r in recipients_for(kind, enrolment.case)])


def ending_told(enrolment) -> EndingNotices:
    """After an enrolment ended: the organisations its ending event's
    notices went to. An event recorded for something else (the dropout
    rule, before the discharge) is ``earlier``, not this ending's."""
    kind = ENDING_EVENTS.get(enrolment.status)
    if kind is None:
        return EndingNotices(None, [])
    event = _ending_event(kind, enrolment.pk)
    if event is None:
        return EndingNotices(kind, [])
    if event.facts.get("ending") != enrolment.status:
        return EndingNotices(kind, [], event)
    return EndingNotices(kind, [n.organisation for n in sorted(event.notices.all(), key=lambda n: n.pk)])


def urgent_open_for(scope: Scope) -> QuerySet[Notice]:
    """Urgent notices this user may acknowledge and nobody has yet: the
    banner on every page. Empty for anyone who may not act on them."""
    if scope.user_id is None or not may_acknowledge_notices(scope):
        return Notice.objects.none()
    return (
        Notice.objects.filter(organisation=scope.organisation, status=Notice.Status.OPEN, urgency=Urgency.URGENT)
        .select_related("event", "event__case", "event__referral")
        .order_by("-created_at", "-id")
    )


# The nav badge and the banner run on every signed-in page and every poll of
# the badge: one short statement each, written out, since composing the
# same query through the ORM cost several times what the database spends
# answering it. Each is checked against the ORM's own query of what it
# counts (tests/notifications/test_query_plans.py, test_views.py).
_OPEN_COUNTS_SQL = """
SELECT count(*), count(*) FILTER (WHERE n.ack_due_at <= %(now)s)
  FROM notifications_notice n
 WHERE n.organisation_id = %(organisation)s AND n.status = %(open)s
UNION ALL
SELECT count(*), count(*) FILTER (WHERE n.ack_due_at <= %(now)s)
  FROM notifications_notice n
 WHERE n.status = %(open)s AND n.organisation_id <> %(organisation)s
   AND EXISTS (SELECT 1 FROM notifications_delivery d WHERE d.notice_id = n.id AND d.user_id = %(user)s)
"""

_URGENT_OPEN_SQL = """
SELECT n.id, count(*) OVER ()
  FROM notifications_notice n
 WHERE n.organisation_id = %(organisation)s AND n.status = %(open)s AND n.urgency = %(urgent)s
 ORDER BY n.created_at DESC, n.id DESC
 LIMIT %(limit)s
"""


def open_counts(scope: Scope, now: dt.datetime | None = None) -> tuple[int, int]:
    """(open, of which overdue) for the nav badge, in one query, of the
    open notices ``notices_visible_to`` shows: the organisation's, and the
    user's personal ones of other organisations, each counted from its own
    index (the inbox, the personal deliveries). One condition "of the
    organisation or personal" would read every open notice of every
    organisation, on every page."""
    if scope.organisation is None or scope.user_id is None:
        return 0, 0
    params = {
        "now": now or timezone.now(),
        "organisation": scope.organisation_id,
        "open": Notice.Status.OPEN.value,
        "user": scope.user_id,
    }
    with connection.cursor() as cursor:
        cursor.execute(_OPEN_COUNTS_SQL, params)
        rows = cursor.fetchall()
    return sum(row[0] for row in rows), sum(row[1] for row in rows)


def banner_notices(scope: Scope, limit: int = 3) -> tuple[list[Notice], int]:
    """(the newest urgent open notices this user may acknowledge, how many
    there are) for the banner: one short query on every page, and the
    notices themselves only when there are any (``urgent_open_for``)."""
    if scope.user_id is None or not may_acknowledge_notices(scope):
        return [], 0
    params = {
        "organisation": scope.organisation_id,
        "open": Notice.Status.OPEN.value,
        "urgent": Urgency.URGENT.value,
        "limit": limit,
    }
    with connection.cursor() as cursor:
        cursor.execute(_URGENT_OPEN_SQL, params)
        rows = cursor.fetchall()
    if not rows:
        return [], 0
    by_pk = urgent_open_for(scope).in_bulk([pk for pk, _total in rows])
    return [by_pk[pk] for pk, _total in rows if pk in by_pk], rows[0][1]


def case_link_for(scope: Scope, notice: Notice) -> tuple[str, int] | None:
    """Where this user may open the notice's case: the referral status page
    (the referring body's officers, on its own notice: police, a court, a
    commission, ...) or the case page (provider staff, survivor workers of
    the case). None if nowhere."""
    case, referral = notice.event.case, notice.event.on_referral
    if notice.for_referring_body and referrals_made_by(scope).filter(pk=referral.pk).exists():
        return "referrals:police_detail", referral.pk
    if case is None:
        return None
    if (scope.is_provider_staff or scope.is_survivor_worker) and cases_visible_to(scope).filter(pk=case.pk).exists():
        return "casework:case_detail", case.pk
    return None


@dataclass(frozen=True)
class SurvivorLinks:
    """Where a survivor worker goes from a notice: her record, her safety
    plan, the contact log; and her phone, when she agreed to share it."""

    survivor_id: int
    case_id: int
    label: str
    phone: str


def survivor_links_for(scope: Scope, notice: Notice, *, via: str) -> list[SurvivorLinks]:
    """The survivors of the notice's case, for a survivor worker of a
    survivor service on that case reading its survivor-service notice.
    Nobody else (programme staff, police, managers it escalated to) gets
    any. The phone only while her latest decision on sharing is "given",
    as on her record; a phone returned is a read of her record, logged here
    for the page ``via``."""
    from casework.forms import survivor_labels
    from casework.models import Consent

    if not scope.is_survivor_worker or notice.role_hint != Notice.Recipient.SURVIVOR_SERVICE:
        return []
    case = notice.event.on_case
    if notice.organisation_id != scope.organisation_id or not cases_visible_to(scope).filter(pk=case.pk).exists():
        return []
    sharing: dict[int, str] = {}
    for consent in case.consents.filter(kind=Consent.Kind.SURVIVOR_SHARING).order_by("recorded_at", "id"):
        sharing[consent.survivor_id] = consent.decision
    rows = [
        SurvivorLinks(
            survivor_id=survivor.pk,
            case_id=case.pk,
            label=label,
            phone=survivor.phone if sharing.get(survivor.pk) == Consent.Decision.GIVEN else "",
        )
        for survivor, label in survivor_labels(case.referral.survivors.all())
    ]
    log_reads(
        user_id=scope.user_id,
        record_type=SensitiveRead.RecordType.SURVIVOR,
        record_ids=[row.survivor_id for row in rows if row.phone],
        via=via,
    )
    return rows


def deliveries_of(notice: Notice) -> QuerySet[Delivery]:
    return notice.deliveries.exclude(channel=Delivery.Channel.INBOX, user__isnull=True).select_related("user")


def get_case_for_reporter(scope: Scope, pk: int):
    """A case on which the user may report new violence: provider staff and
    survivor workers through the case selector, police officers of the
    referring unit through their referral. 404 otherwise."""
    from casework.models import Case
    from casework.selectors import get_case_for_user

    if scope.is_police:
        return get_visible_or_404(
            Case.objects.select_related("referral", "provider"), pk=pk, referral__referring_body=scope.organisation
        )
    return get_case_for_user(scope, pk)


# --- the case page's trail ---------------------------------------------------------


@dataclass(frozen=True)
class ChannelRow:
    label: str
    # When the first message on this channel was delivered (the inbox: when
    # the notice was recorded); None while none has been.
    delivered_at: dt.datetime | None
    # "sent", "pending", "failed": the best any message on it got to.
    state: str
    recipients: int


@dataclass(frozen=True)
class TrailNotice:
    notice: Notice
    channels: list[ChannelRow]
    show_note: bool


@dataclass(frozen=True)
class TrailEvent:
    event: SafetyEvent
    notices: list[TrailNotice]


def channel_label(code: str) -> str:
    """A delivery channel's name; a channel this code does not know (a new
    backend) gets a generic label with its code."""
    from django.utils.translation import gettext as _

    if code in Delivery.Channel.values:
        return str(Delivery.Channel(code).label)
    return _("Other channel (%(code)s)") % {"code": code}


_STATE_ORDER = {Delivery.Status.SENT: 0, Delivery.Status.SENDING: 1, Delivery.Status.PENDING: 1}


def _channel_rows(notice: Notice) -> list[ChannelRow]:
    by_channel: dict[str, list[Delivery]] = {}
    for delivery in notice.deliveries.all():
        by_channel.setdefault(delivery.channel, []).append(delivery)
    rows = []
    order = {code: i for i, code in enumerate(Delivery.Channel.values)}
    for code in sorted(by_channel, key=lambda c: (order.get(c, len(order)), c)):
        deliveries = by_channel[code]
        sent = [d.sent_at for d in deliveries if d.status == Delivery.Status.SENT and d.sent_at]
        if sent:
            state = "sent"
        elif any(d.status in {Delivery.Status.PENDING, Delivery.Status.SENDING} for d in deliveries):
            state = "pending"
        elif any(d.status == Delivery.Status.FAILED for d in deliveries):
            state = "failed"
        else:
            state = "cancelled"
        rows.append(
            ChannelRow(
                label=channel_label(code),
                delivered_at=min(sent) if sent else None,
                state=state,
                recipients=len({d.user_id for d in deliveries}),
            )
        )
    return rows


def case_safety_trail(scope: Scope, case) -> list[TrailEvent]:
    """For each safety event of the case that this user sees a notice of:
    every organisation notified, by which channels and when, who
    acknowledged and when, and what was done. The note only for the
    organisation that wrote it. Two queries however many events: the
    notices with their events, then their deliveries."""
    from django.db.models import Prefetch

    visible = notices_visible_to(scope).filter(event=OuterRef("event_id"))
    notices = (
        Notice.objects.filter(event__case=case)
        .filter(Exists(visible))
        .select_related("event", "organisation", "acknowledged_by")
        .prefetch_related(Prefetch("deliveries", queryset=Delivery.objects.order_by("id")))
        .order_by("-event__created_at", "-event_id", "id")
    )
    trail: dict[int, TrailEvent] = {}
    for notice in notices:
        event = trail.setdefault(notice.event_id, TrailEvent(event=notice.event, notices=[]))
        event.notices.append(
            TrailNotice(
                notice=notice,
                channels=_channel_rows(notice),
                show_note=bool(notice.ack_note) and notice.organisation_id == scope.organisation_id,
            )
        )
    return list(trail.values())
