"""Reads for a prison or correctional facility's officer: the groups held at
the facility, and for each group session its date, place and who is to be
brought to the room or who attended.

An officer needs to bring the people to the room, and nothing else: the
reads below load the participant's name and the attendance mark, never
session notes, topics, risk, survivor data or questionnaire scores (they
read named columns, not whole records). A group of another facility is the
same as a missing one (404).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Organisation
from accounts.permissions import get_visible_or_404
from accounts.scope import Scope
from programmes.models import Attendance, Enrolment, Group, Session

from ._common import _active_count

PERSON = "case__referral__person__"
MARKED = "enrolment__" + PERSON


def facilities_for(provider: Organisation) -> QuerySet[Organisation]:
    """The prisons and correctional facilities a provider's group may run
    in: active, of the provider's country (for the choice on the group
    form; ``places.setting_errors`` checks again)."""
    return Organisation.objects.filter(
        kind=Organisation.Kind.PRISON, country=provider.country, is_active=True
    ).order_by("name")


def police_units_for(provider: Organisation) -> QuerySet[Organisation]:
    """The police units that may have brought a person to a provider's
    residential centre: active, of its country (for the stay form)."""
    return Organisation.objects.filter(
        kind=Organisation.Kind.POLICE_UNIT, country=provider.country, is_active=True
    ).order_by("name")


def facility_groups_for(scope: Scope) -> QuerySet[Group]:
    """The groups held at the officer's facility, running first, with
    ``active_count`` (people in the group now) and the provider's name."""
    if not scope.is_facility:
        return Group.objects.none()
    return (
        Group.objects.filter(setting=Group.Setting.PRISON, facility=scope.organisation)
        .select_related("provider")
        .only(
            "name",
            "sex",
            "starts_on",
            "time_of_day",
            "location",
            "location_translations",
            "is_active",
            "provider__name",
            "provider__name_translations",
            "facility_id",
        )
        .annotate(active_count=_active_count())
        .order_by("-is_active", "name", "id")
    )


def get_facility_group_for_user(scope: Scope, pk: int) -> Group:
    return get_visible_or_404(facility_groups_for(scope), pk=pk)


@dataclass(frozen=True)
class FacilityPerson:
    name: str
    # The attendance mark's code and label; blank while the session is not logged.
    mark: str = ""
    mark_label: str = ""


@dataclass(frozen=True)
class FacilitySession:
    number: int
    starts_at: dt.datetime
    duration_minutes: int
    location: str
    status: str
    status_label: str
    # Logged: who was marked. Planned: who is expected. Cancelled: nobody.
    people: list[FacilityPerson] = field(default_factory=list)

    @property
    def is_logged(self) -> bool:
        return self.status in (Session.Status.HELD, Session.Status.NOT_HELD)


def _full_name(row: dict, prefix: str = PERSON) -> str:
    parts = (row[prefix + "family_name"], row[prefix + "given_name"], row[prefix + "patronymic"])
    return " ".join(p for p in parts if p)


def _name_columns(prefix: str = PERSON) -> tuple[str, ...]:
    return (prefix + "family_name", prefix + "given_name", prefix + "patronymic")


def facility_attendance(group: Group) -> list[FacilitySession]:
    """The group's sessions in order, each with its people: for a logged
    session each person's mark; for a planned one the people expected
    (in the group from that day, and still in it); a cancelled one has
    nobody. Three queries for any number of sessions."""
    sessions = list(
        group.sessions.order_by("starts_at", "number").values(
            "id", "number", "starts_at", "duration_minutes", "location", "status"
        )
    )
    marks: dict[int, list[FacilityPerson]] = {}
    labels = dict(Attendance.Mark.choices)
    for row in (
        Attendance.objects.filter(session__group=group)
        .order_by(*(MARKED + n for n in ("family_name", "given_name")), "id")
        .values("session_id", "mark", *_name_columns(MARKED))
    ):
        marks.setdefault(row["session_id"], []).append(
            FacilityPerson(_full_name(row, MARKED), row["mark"], str(labels.get(row["mark"], "")))
        )
    members = list(
        Enrolment.objects.filter(group=group, group_from__isnull=False)
        .filter(Q(status=Enrolment.Status.ACTIVE) | Q(ended_on__isnull=False))
        .order_by(*(PERSON + n for n in ("family_name", "given_name")), "id")
        .values("status", "group_from", "ended_on", *_name_columns())
    )
    statuses = dict(Session.Status.choices)
    result = []
    for s in sessions:
        day = timezone.localtime(s["starts_at"]).date()
        if s["status"] in (Session.Status.HELD, Session.Status.NOT_HELD):
            people = marks.get(s["id"], [])
        elif s["status"] == Session.Status.PLANNED:
            people = [
                FacilityPerson(_full_name(m))
                for m in members
                if m["group_from"] <= day
                and (m["status"] == Enrolment.Status.ACTIVE or (m["ended_on"] is not None and m["ended_on"] > day))
            ]
        else:
            people = []
        result.append(
            FacilitySession(
                number=s["number"],
                starts_at=s["starts_at"],
                duration_minutes=s["duration_minutes"],
                location=s["location"],
                status=s["status"],
                status_label=str(statuses.get(s["status"], "")),
                people=people,
            )
        )
    return result
