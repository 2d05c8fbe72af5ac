"""Reads for monitoring: what a monitoring user may count, and the counts.

Everything here starts from the user's ``Scope``: a monitoring body counts
its country, a provider's programme manager their own provider, anyone else
nothing. The figures are aggregations computed by the database (one
``GROUP BY`` query per population, by provider × sex × source or
programme, which the report adds up into each breakdown), never a list of
people: the number of queries does not depend on the number of records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, TruncDate

from accounts.models import Membership, Organisation
from accounts.permissions import SANCTION_ROLES
from accounts.scope import CLINICAL_STAFF, Scope
from core.localnames import pick
from core.shipped import shown
from notifications.models import SANCTIONABLE, Notice, Sanction
from programmes.models import Attendance, Enrolment, Facilitation, ProgrammeTemplate, Session
from programmes.selectors import local_midnight
from programmes.standards import Standard, standard_expression
from referrals.models import Referral
from staffing.models import Qualification, valid_on

# Enrolment endings counted in completion and dropout rates. A transfer is
# not an ending of the programme (it goes on at another provider).
ENDINGS = (
    Enrolment.Status.COMPLETED,
    Enrolment.Status.DROPPED_OUT,
    Enrolment.Status.EXPELLED,
    Enrolment.Status.DESELECTED,
)
ATTENDED = (Attendance.Mark.PRESENT, Attendance.Mark.LATE)
ENROLLED_PERSON = "case__referral__person"


@dataclass(frozen=True)
class Filters:
    """What the figures are restricted to. Dates are inclusive, in the
    site's time zone; ``provider`` / ``region`` / ``template`` (a template
    code: all its versions) are already checked against the scope; ``sex``
    is the referred person's."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    provider: Organisation | None = None
    region: str = ""
    template: str = ""
    sex: str = ""  # the referred person's: "male", "female" or both


# --- Scope -----------------------------------------------------------------------


def monitored_providers(scope: Scope) -> QuerySet[Organisation]:
    """The programme providers whose figures the user may see (active or
    not: past figures stay)."""
    if scope.organisation is None or not scope.can_monitor:
        return Organisation.objects.none()
    if scope.is_monitoring:
        return Organisation.objects.filter(
            kind=Organisation.Kind.PROGRAMME_PROVIDER, country=scope.organisation.country
        ).order_by("name")
    return Organisation.objects.filter(pk=scope.organisation_id)


def monitored_referrals(scope: Scope) -> QuerySet[Referral]:
    if scope.organisation is None or not scope.can_monitor:
        return Referral.objects.none()
    if scope.is_monitoring:
        return Referral.objects.filter(provider__country=scope.organisation.country)
    return Referral.objects.filter(provider=scope.organisation)


def monitored_enrolments(scope: Scope) -> QuerySet[Enrolment]:
    """Enrolments run by the providers in scope (a transferred one counts
    at the provider that ran it)."""
    if scope.organisation is None or not scope.can_monitor:
        return Enrolment.objects.none()
    if scope.is_monitoring:
        return Enrolment.objects.filter(provider__country=scope.organisation.country)
    return Enrolment.objects.filter(provider=scope.organisation)


def provider_names_shown() -> dict[int, str]:
    """The organisations' names in the reader's language, of those that have
    names in other languages (``core.localnames``); the report's rows carry
    the name as typed."""
    translated = Organisation.objects.exclude(name_translations={}).values_list("pk", "name", "name_translations")
    return {pk: pick(name, names) for pk, name, names in translated}


def monitored_templates(scope: Scope) -> list[tuple[str, str]]:
    """(code, name) of the programme templates with enrolments in scope, by
    name; the name is that of the code's newest version, a shipped
    template's in the reader's language (``core.shipped``)."""
    rows = (
        ProgrammeTemplate.objects.filter(
            Exists(monitored_enrolments(scope).filter(template_id=OuterRef("pk")).order_by())
        )
        .order_by("code", "-version")
        .values_list("code", "name")
    )
    names: dict[str, str] = {}
    for code, name in rows:
        names.setdefault(code, shown(name))
    return sorted(names.items(), key=lambda item: (item[1].casefold(), item[0]))


# --- Filters ---------------------------------------------------------------------


def _period(qs: QuerySet, field: str, filters: Filters, *, is_datetime: bool) -> QuerySet:
    """Restrict ``field`` to the period: a datetime by the local-day range
    (so that its index serves), a date directly."""
    if is_datetime:
        if filters.date_from:
            qs = qs.filter(**{f"{field}__gte": local_midnight(filters.date_from)})
        if filters.date_to:
            qs = qs.filter(**{f"{field}__lt": local_midnight(filters.date_to + dt.timedelta(days=1))})
        return qs
    if filters.date_from:
        qs = qs.filter(**{f"{field}__gte": filters.date_from})
    if filters.date_to:
        qs = qs.filter(**{f"{field}__lte": filters.date_to})
    return qs


def _where(qs: QuerySet, filters: Filters, *, template: bool, person: str) -> QuerySet:
    """The filters but the period; ``person`` is the path to the referred person."""
    if filters.sex:
        qs = qs.filter(**{f"{person}__sex": filters.sex})
    if filters.provider is not None:
        qs = qs.filter(provider=filters.provider)
    if filters.region:
        qs = qs.filter(provider__region=filters.region)
    if template and filters.template:
        qs = qs.filter(template__code=filters.template)
    return qs.order_by()


def referrals_received(scope: Scope, filters: Filters) -> QuerySet[Referral]:
    """Referrals received in the period (the programme filter does not
    apply: a referral has no programme until it is enrolled)."""
    qs = _period(monitored_referrals(scope), "created_at", filters, is_datetime=True)
    return _where(qs, filters, template=False, person="person")


def referrals_waiting(scope: Scope, filters: Filters) -> QuerySet[Referral]:
    """Referrals accepted and not yet enrolled, today: the provider's
    waiting list. The period and the programme filter do not apply (the
    list is as it stands; a referral has no programme until it is
    enrolled)."""
    return _where(
        monitored_referrals(scope).filter(status=Referral.Status.ACCEPTED), filters, template=False, person="person"
    )


def enrolments_ended(scope: Scope, filters: Filters) -> QuerySet[Enrolment]:
    """Enrolments that ended (completed, dropped out, expelled, de-selected)
    in the period; transfers are not counted."""
    qs = monitored_enrolments(scope).filter(status__in=ENDINGS, ended_on__isnull=False)
    return _where(_period(qs, "ended_on", filters, is_datetime=False), filters, template=True, person=ENROLLED_PERSON)


def enrolments_started(scope: Scope, filters: Filters) -> QuerySet[Enrolment]:
    """Enrolments that started in the period, except those transferred to
    another provider (their attendance goes on there)."""
    qs = monitored_enrolments(scope).exclude(status=Enrolment.Status.TRANSFERRED)
    return _where(_period(qs, "starts_on", filters, is_datetime=False), filters, template=True, person=ENROLLED_PERSON)


def sanction_notices(scope: Scope, filters: Filters) -> QuerySet[Notice]:
    """Dropout, expulsion and non-compliance notices that reached a police
    unit or a court, for events in the period on the cases of the providers
    in scope (the programme filter does not apply: a notice names a case,
    not a programme)."""
    qs = Notice.objects.filter(
        event__kind__in=SANCTIONABLE,
        organisation__kind__in=list(SANCTION_ROLES),
        event__case__provider__in=monitored_providers(scope),
    )
    qs = _period(qs, "event__occurred_at", filters, is_datetime=True)
    if filters.sex:
        qs = qs.filter(event__case__referral__person__sex=filters.sex)
    if filters.provider is not None:
        qs = qs.filter(event__case__provider=filters.provider)
    if filters.region:
        qs = qs.filter(event__case__provider__region=filters.region)
    return qs.order_by()


# --- Aggregates --------------------------------------------------------------------

RS = Referral.Status


def _funnel_aggregates() -> dict:
    return {
        "referrals": Count("pk"),
        "screening": Count("pk", filter=Q(status__in=[RS.RECEIVED, RS.SCREENING])),
        "declined": Count("pk", filter=Q(status=RS.DECLINED)),
        "waiting": Count("pk", filter=Q(status=RS.ACCEPTED)),
        "enrolled": Count("pk", filter=Q(status__in=[RS.ENROLLED, RS.COMPLETED, RS.DROPPED_OUT])),
    }


def referral_counts(referrals: QuerySet[Referral]) -> list[dict]:
    """Per provider (``key``, ``name``, ``region``) × sex of the referred
    person × ``source``: referrals, not yet decided ("screening"),
    declined, accepted and waiting, enrolled (or since completed or
    dropped out). One query; at most providers × 2 × 6 rows, which the
    report adds up into each breakdown."""
    return list(
        referrals.values(
            "source",
            key=F("provider"),
            name=F("provider__name"),
            region=F("provider__region"),
            sex=F("person__sex"),
        )
        .annotate(**_funnel_aggregates())
        .order_by()
    )


def waiting_counts(referrals: QuerySet[Referral]) -> list[dict]:
    """Per provider (``key``, ``name``, ``region``) × sex × day of
    acceptance (``accepted_on``, local): how many referrals wait
    (``waiting``). While a referral is accepted, its status changed when it
    was accepted. One query; rows are counts per day, never people, from
    which the report takes the median wait of any breakdown."""
    rows = (
        referrals.values(
            key=F("provider"),
            name=F("provider__name"),
            region=F("provider__region"),
            sex=F("person__sex"),
            accepted_on=TruncDate("status_changed_at"),
        )
        .annotate(waiting=Count("pk"))
        .order_by()
    )
    return [dict(row) for row in rows]


def _ending_aggregates() -> dict:
    ES = Enrolment.Status
    return {
        "ended": Count("pk"),
        "completed": Count("pk", filter=Q(status=ES.COMPLETED)),
        "dropped_out": Count("pk", filter=Q(status=ES.DROPPED_OUT)),
        "expelled": Count("pk", filter=Q(status=ES.EXPELLED)),
        "deselected": Count("pk", filter=Q(status=ES.DESELECTED)),
    }


def ending_counts(enrolments: QuerySet[Enrolment]) -> list[dict]:
    """Per provider (``key``, ``name``, ``region``) × sex × programme
    (``template``, a template code): ended, completed, dropped out,
    expelled, de-selected. One query."""
    return list(
        enrolments.values(
            key=F("provider"),
            name=F("provider__name"),
            region=F("provider__region"),
            sex=F("case__referral__person__sex"),
            template_code=F("template__code"),
        )
        .annotate(**_ending_aggregates())
        .order_by()
    )


AWAITING = "awaiting"


def sanction_counts(notices: QuerySet[Notice]) -> list[dict]:
    """Per provider (``key``, ``name``, ``region``) × sex × what followed
    (``outcome``: the kind of the notice's current outcome, or
    ``awaiting``): how many notices (``n``). One query."""
    current = Sanction.objects.filter(notice=OuterRef("pk"), corrected_by__isnull=True).values("kind")[:1]
    rows = (
        notices.annotate(outcome=Coalesce(Subquery(current), Value(AWAITING)))
        .values(
            "outcome",
            key=F("event__case__provider"),
            name=F("event__case__provider__name"),
            region=F("event__case__provider__region"),
            sex=F("event__case__referral__person__sex"),
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [dict(row) for row in rows]


# The survival curve stops here even for a longer programme.
LONGEST_CURVE = 100


def sessions_reached(enrolments: QuerySet[Enrolment]) -> tuple[int, list[int]]:
    """(how many enrolments, [how many were still attending at session n,
    for n = 1, 2, ... up to the longest programme among them]).

    A person's sessions are the logged sessions (held, or not held because
    nobody came; individual and group, in date order) for which they have
    an attendance mark; they attended one
    when marked present or late, and were still attending at session n if
    they attended their n-th session or a later one.

    One query, over the enrolments and not their marks: the number of the
    last session each attended is kept ready (``EnrolmentAttendance``,
    current with every log: ``reports.models``), so the enrolments are
    counted by it, and "at session n or later" is added up here from at
    most a few dozen counts."""
    rows = (
        enrolments.values(reached=Coalesce(F("attendance_summary__reached"), 0))
        .annotate(n=Count("pk"), longest=Max(F("template__individual_sessions") + F("template__group_sessions")))
        .order_by()
    )
    by_reached = {row["reached"]: row["n"] for row in rows}
    total = sum(by_reached.values())
    longest = min(max((row["longest"] or 0 for row in rows), default=0), LONGEST_CURVE)
    if not total or not longest:
        return total, []
    at_least, running = [], 0
    for n in range(max(max(by_reached), longest), 0, -1):
        running += by_reached.get(n, 0)
        if n <= longest:
            at_least.append(running)
    return total, at_least[::-1]


# --- Trained facilitators ----------------------------------------------------------


def _providers_filtered(scope: Scope, filters: Filters) -> QuerySet[Organisation]:
    providers = monitored_providers(scope)
    if filters.provider is not None:
        providers = providers.filter(pk=filters.provider.pk)
    if filters.region:
        providers = providers.filter(region=filters.region)
    return providers


def facilitator_counts(scope: Scope, filters: Filters, on: dt.date) -> list[dict]:
    """Per provider (``key``, ``name``, ``region``): its active
    psychologists and social workers (``facilitators``) and those of them
    who hold a qualification valid on ``on`` (``trained``). One query."""
    qualified = Qualification.objects.filter(valid_on(on), staff=OuterRef("user"))
    rows = (
        Membership.objects.filter(
            organisation__in=_providers_filtered(scope, filters), role__in=CLINICAL_STAFF, user__is_active=True
        )
        .values(key=F("organisation"), name=F("organisation__name"), region=F("organisation__region"))
        .annotate(facilitators=Count("pk"), trained=Count("pk", filter=Q(Exists(qualified))))
        .order_by()
    )
    return [dict(row) for row in rows]


def _qualified_on_the_day(person: str) -> tuple[Exists, Exists]:
    """(any qualification, the one the programme asks for) of the session's
    ``person``, valid on the session's day."""
    held = Qualification.objects.filter(staff=OuterRef(person), granted_on__lte=OuterRef("day")).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=OuterRef("day"))
    )
    return Exists(held), Exists(held.filter(family=OuterRef("asks")))


def qualified_session_counts(scope: Scope, filters: Filters) -> list[dict]:
    """Per provider (``key``, ``name``, ``region``): group sessions held in
    the period (``sessions``) and those led by a qualified pair
    (``qualified``): the facilitator and the co-facilitator both held, on
    the day, the qualification the programme asks for (any qualification
    when it asks for none). A programme led by one facilitator (a woman or
    a man) asks it of the facilitator alone. The sex filter is the group's.
    One query."""
    sessions = Session.objects.filter(
        kind=Session.Kind.GROUP, status=Session.Status.HELD, provider__in=_providers_filtered(scope, filters)
    )
    sessions = _period(sessions, "starts_at", filters, is_datetime=True)
    if filters.template:
        sessions = sessions.filter(group__template__code=filters.template)
    if filters.sex:
        sessions = sessions.filter(group__sex=filters.sex)
    sessions = sessions.annotate(day=TruncDate("starts_at"), asks=F("group__template__required_qualification"))
    lead_any, lead_asked = _qualified_on_the_day("facilitator")
    co_any, co_asked = _qualified_on_the_day("co_facilitator")
    single = ~Q(group__template__facilitation=Facilitation.PAIR)
    qualified = (Q(asks="") & Q(lead_any) & (single | Q(co_any))) | (
        ~Q(asks="") & Q(lead_asked) & (single | Q(co_asked))
    )
    rows = (
        sessions.values(key=F("provider"), name=F("provider__name"), region=F("provider__region"))
        .annotate(sessions=Count("pk"), qualified=Count("pk", filter=qualified))
        .order_by()
    )
    return [dict(row) for row in rows]


# --- Programmes and the standard ----------------------------------------------------

STANDARD_COUNTS = ["participants", "meets", "short_course", "below"]


def standard_counts(enrolments: QuerySet[Enrolment]) -> list[dict]:
    """Per provider (``key``, ``name``, ``region``): the enrolments
    (``participants``) and how many of them are in a programme that meets
    the standard (``meets``), in a short course below it
    (``short_course``) or in a longer programme below it (``below``), by
    ``programmes.standards``. One query, whatever the number of templates."""
    verdict = standard_expression("template__")
    rows = (
        enrolments.annotate(verdict=verdict)
        .values(key=F("provider"), name=F("provider__name"), region=F("provider__region"))
        .annotate(
            participants=Count("pk"),
            meets=Count("pk", filter=Q(verdict=Standard.MEETS.value)),
            short_course=Count("pk", filter=Q(verdict=Standard.SHORT_COURSE.value)),
            below=Count("pk", filter=Q(verdict=Standard.BELOW.value)),
        )
        .order_by()
    )
    return [dict(row) for row in rows]
