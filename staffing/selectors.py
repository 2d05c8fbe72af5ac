"""Reads of the staff records: who the provider's facilitators are, what
each attended, and whose qualification expires or is missing.

Every read starts from the user's scope. A provider's managers and
administrators (``staff_records``) see the records of their own
psychologists and social workers; a member of staff sees her own. Anything
else is missing (404).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import Organisation, User
from accounts.permissions import get_visible_or_404, may_keep_staff_records
from accounts.scope import CLINICAL_STAFF, Scope
from programmes.models import Enrolment, Group, QualificationFamily
from staffing.models import Qualification, Supervision, Training, valid_on

# A qualification that ends within this many days is listed as expiring.
EXPIRY_NOTICE_DAYS = 60


def _hours(model, provider: Organisation) -> Coalesce:
    total = (
        model.objects.filter(staff=OuterRef("pk"), organisation=provider)
        .order_by()
        .values("staff")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    return Coalesce(Subquery(total), Value(Decimal(0)), output_field=DecimalField(max_digits=8, decimal_places=1))


def staff_of(provider: Organisation) -> QuerySet[User]:
    """The provider's psychologists and social workers (those who
    facilitate), with their total ``training_hours``, ``supervision_hours``
    and their ``qualification_list``, by name."""
    return (
        User.objects.filter(membership__organisation=provider, membership__role__in=CLINICAL_STAFF)
        .select_related("membership")
        .annotate(training_hours=_hours(Training, provider), supervision_hours=_hours(Supervision, provider))
        .prefetch_related(
            Prefetch(
                "qualifications",
                queryset=Qualification.objects.filter(organisation=provider),
                to_attr="qualification_list",
            )
        )
        .order_by("-is_active", "last_name", "first_name", "username")
    )


def staff_visible_to(scope: Scope, *, term: str = "") -> QuerySet[User]:
    """The staff whose records the user keeps, found by name or user name."""
    if not may_keep_staff_records(scope) or scope.organisation is None:
        return User.objects.none()
    staff = staff_of(scope.organisation)
    for word in term.split():
        staff = staff.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(username__icontains=word))
    return staff


def get_staff_member_for_user(scope: Scope, pk: int) -> User:
    return get_visible_or_404(staff_visible_to(scope), pk=pk)


def _records_visible_to(model, scope: Scope) -> QuerySet:
    if not may_keep_staff_records(scope):
        return model.objects.none()
    return model.objects.filter(organisation=scope.organisation).select_related("staff", "recorded_by")


def get_training_for_user(scope: Scope, pk: int) -> Training:
    return get_visible_or_404(_records_visible_to(Training, scope), pk=pk)


def get_supervision_for_user(scope: Scope, pk: int) -> Supervision:
    return get_visible_or_404(_records_visible_to(Supervision, scope), pk=pk)


def get_qualification_for_user(scope: Scope, pk: int) -> Qualification:
    return get_visible_or_404(_records_visible_to(Qualification, scope), pk=pk)


@dataclass(frozen=True)
class StaffRecords:
    trainings: list[Training]
    supervisions: list[Supervision]
    qualifications: list[Qualification]

    @property
    def training_hours(self) -> Decimal:
        return sum((t.hours for t in self.trainings), Decimal(0))

    @property
    def supervision_hours(self) -> Decimal:
        return sum((s.hours for s in self.supervisions), Decimal(0))


def records_of(staff: User, provider: Organisation) -> StaffRecords:
    """Everything the provider recorded of one member of staff."""
    return StaffRecords(
        trainings=list(Training.objects.filter(staff=staff, organisation=provider)),
        supervisions=list(Supervision.objects.filter(staff=staff, organisation=provider)),
        qualifications=list(Qualification.objects.filter(staff=staff, organisation=provider)),
    )


def own_records(scope: Scope, user: User) -> StaffRecords:
    """A member of staff's own records, as her provider keeps them."""
    if not scope.is_clinical or scope.organisation is None:
        return StaffRecords([], [], [])
    return records_of(user, scope.organisation)


# --- Who is qualified ----------------------------------------------------------


def qualified_ids(user_ids: Iterable[int], family: str, on: dt.date) -> set[int]:
    """Of ``user_ids``, those qualified for ``family`` on ``on`` (by the
    records of any provider: a qualification belongs to the person)."""
    return set(
        Qualification.objects.filter(valid_on(on), staff_id__in=list(user_ids), family=family).values_list(
            "staff_id", flat=True
        )
    )


def unqualified(people: Iterable[User | None], family: str, on: dt.date) -> list[User]:
    """Those of ``people`` who lack a valid qualification for ``family``
    on ``on``; nobody when the family is blank (no qualification asked)."""
    present = [p for p in dict.fromkeys(people) if p is not None]
    if not family or not present:
        return []
    qualified = qualified_ids((p.pk for p in present), family, on)
    return [p for p in present if p.pk not in qualified]


# --- The manager's list: expiring and missing -------------------------------------


@dataclass(frozen=True)
class Missing:
    staff: User
    family: str
    groups: list[Group]
    individual: int  # active enrolments whose individual sessions she gives

    @property
    def family_label(self) -> str:
        return str(QualificationFamily(self.family).label)


def expiring_qualifications(provider: Organisation, today: dt.date) -> list[Qualification]:
    """Qualifications that ended in the last year or end within
    ``EXPIRY_NOTICE_DAYS``, unless the same person holds another of the
    same family that lasts beyond that; soonest first."""
    horizon = today + dt.timedelta(days=EXPIRY_NOTICE_DAYS)
    rows = list(Qualification.objects.filter(organisation=provider, staff__is_active=True).select_related("staff"))
    lasting = {
        (q.staff_id, q.family)
        for q in rows
        if q.granted_on <= horizon and (q.expires_on is None or q.expires_on > horizon)
    }
    ending = [
        q
        for q in rows
        if q.expires_on is not None
        and today - dt.timedelta(days=365) <= q.expires_on <= horizon
        and (q.staff_id, q.family) not in lasting
    ]
    return sorted(ending, key=lambda q: (q.expires_on, q.staff.get_full_name(), q.pk))


def _assignments(provider: Organisation) -> dict[tuple[int, str], tuple[list[Group], int]]:
    """(staff id, family) → (running groups she facilitates, active
    enrolments whose individual sessions she gives), where the programme
    asks for a qualification."""
    found: dict[tuple[int, str], tuple[list[Group], int]] = {}
    groups = Group.objects.filter(provider=provider, is_active=True).exclude(template__required_qualification="")
    for group in groups.select_related("template").order_by("name"):
        for person_id in {group.psychologist_id, group.social_worker_id}:
            if person_id is None:
                continue
            found.setdefault((person_id, group.template.required_qualification), ([], 0))[0].append(group)
    enrolments = (
        Enrolment.objects.filter(provider=provider, status=Enrolment.Status.ACTIVE)
        .exclude(template__required_qualification="")
        .values_list("psychologist_id", "template__required_qualification")
    )
    for person_id, family in enrolments:
        groups_of, count = found.get((person_id, family), ([], 0))
        found[(person_id, family)] = (groups_of, count + 1)
    return found


def missing_qualifications(provider: Organisation, today: dt.date) -> list[Missing]:
    """Staff who facilitate a running group, or give the individual
    sessions of an active enrolment, in a programme that asks for a
    qualification they do not hold today."""
    found = _assignments(provider)
    held = set(
        Qualification.objects.filter(valid_on(today), staff_id__in={k[0] for k in found}).values_list(
            "staff_id", "family"
        )
    )
    people = User.objects.in_bulk({k[0] for k in found if k not in held})
    rows = [
        Missing(people[staff_id], family, groups, individual)
        for (staff_id, family), (groups, individual) in found.items()
        if (staff_id, family) not in held
    ]
    return sorted(rows, key=lambda m: (m.staff.get_full_name().casefold(), m.staff.pk, m.family))
