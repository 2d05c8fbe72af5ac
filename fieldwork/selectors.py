"""What a practitioner's phone is prepared with: the Today page and the
rosters of her own sessions of the next days, and nothing else.

Kept on the device (encrypted there): for each session she leads or
co-leads, its kind, number, group name, times, place, status, planned topic
and the template's topics, and for its roster the participants' names as
the roster shows them and whether each was told of the session at short
notice. Never on the device: survivor data, case numbers, contact details,
risk, past marks or notes. Everything starts from the user's scope: another
organisation's session or participant cannot be in the bundle.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from accounts.models import Membership
from accounts.scope import Scope
from core.shipped import shown
from programmes.models import Enrolment, ProgrammeTemplate, Session
from programmes.scheduling import is_short_notice
from programmes.selectors import expected_by_session, local_midnight, sessions_visible_to
from programmes.services import LOG_EARLY

# The days ahead a phone is prepared for (today and the next seven).
PREPARE_DAYS = 7
# Sessions of hers not yet logged, from before today, that come along too.
UNLOGGED_LIMIT = 25

BUNDLE_VERSION = 1


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _title(session: Session, expected: list[Enrolment]) -> str:
    """A group session by its group's name; an individual one by its
    participant's name, as on the roster (never the case number)."""
    if session.group is not None:
        return session.group.name
    return expected[0].case.referral.person.full_name if expected else ""


def _template(session: Session) -> ProgrammeTemplate:
    owner = session.group or session.enrolment
    assert owner is not None  # a session belongs to a group or an enrolment (a constraint)
    return owner.template


def _topics(template: ProgrammeTemplate) -> list[dict[str, str]]:
    return [{"value": t, "label": shown(t)} for t in template.curriculum if t and t.strip()]


def field_sessions(scope: Scope, user, *, now: dt.datetime | None = None) -> list[tuple[Session, list[Enrolment]]]:
    """Her sessions (led or co-led) of today and the next ``PREPARE_DAYS``
    days, cancelled ones included (Today shows them), after her planned
    sessions from before today not yet logged (the latest ``UNLOGGED_LIMIT``);
    each with its roster (enrolments, by name). A fixed number of queries."""
    if not scope.is_clinical:
        return []
    today = timezone.localdate(now)
    mine = sessions_visible_to(scope).filter(Q(facilitator=user) | Q(co_facilitator=user))
    ahead = list(
        mine.filter(
            starts_at__gte=local_midnight(today),
            starts_at__lt=local_midnight(today + dt.timedelta(days=PREPARE_DAYS + 1)),
        ).order_by("starts_at", "id")
    )
    behind = list(
        mine.filter(status=Session.Status.PLANNED, starts_at__lt=local_midnight(today)).order_by("-starts_at", "-id")[
            :UNLOGGED_LIMIT
        ]
    )
    sessions = list(reversed(behind)) + ahead
    expected = expected_by_session(sessions)
    # Only this provider's enrolments, whatever the group holds.
    return [
        (session, [e for e in expected.get(session.pk, []) if e.provider_id == scope.organisation_id])
        for session in sessions
    ]


def field_bundle(scope: Scope, user, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The bundle a phone keeps (see the module's docstring), as JSON-ready
    data; ``user`` is the practitioner of ``scope``."""
    now = now or timezone.now()
    sessions = field_sessions(scope, user, now=now)
    templates: dict[str, Any] = {}
    rows = []
    for session, roster in sessions:
        template = _template(session)
        templates.setdefault(str(template.pk), {"topics": _topics(template)})
        rows.append(
            {
                "id": session.pk,
                "kind": session.kind,
                "number": session.number,
                "title": _title(session, roster),
                "starts_at": _iso(session.starts_at),
                "ends_at": _iso(session.ends_at),
                "loggable_from": _iso(session.starts_at - LOG_EARLY),
                "location": session.shown_location,
                "mobile": session.group is not None and session.group.location_kind == "mobile",
                "status": session.status,
                "planned_topic": session.planned_topic,
                "template": template.pk,
                "logged_at": _iso(session.logged_at),
                "roster": [
                    {
                        "enrolment": e.pk,
                        "name": e.case.referral.person.full_name,
                        "short_notice": is_short_notice(session, e),
                    }
                    for e in roster
                ],
            }
        )
    return {
        "version": BUNDLE_VERSION,
        "user": user.pk,
        "prepared_at": _iso(now),
        "today": timezone.localdate(now).isoformat(),
        "days": PREPARE_DAYS,
        "keep_days": settings.FIELD_ENTRY_DAYS,
        "templates": templates,
        "sessions": rows,
    }


def sync_names(scope: Scope, *, enrolment_ids: set[int], user_ids: set[int]) -> dict[str, dict[str, str]]:
    """The names a sync answer shows beside its ids: participants (as on the
    roster) of this provider's enrolments, and staff members of it. Two
    queries; nothing of another organisation."""
    if scope.organisation_id is None:
        return {"people": {}, "staff": {}}
    people = {
        str(e.pk): e.case.referral.person.full_name
        for e in Enrolment.objects.filter(pk__in=enrolment_ids, provider_id=scope.organisation_id).select_related(
            "case__referral__person"
        )
    }
    staff = {
        str(m.user_id): m.user.get_full_name() or m.user.get_username()
        for m in Membership.objects.filter(user_id__in=user_ids, organisation_id=scope.organisation_id).select_related(
            "user"
        )
    }
    return {"people": people, "staff": staff}


def session_reasons(scope: Scope, session_ids: set[int]) -> dict[str, dict[str, str]]:
    """Why each of these sessions (of the provider) was cancelled or moved,
    as the staff typed it, for the conflicts a sync answers with."""
    return {
        str(pk): {"cancel_reason": cancel, "reschedule_reason": moved}
        for pk, cancel, moved in sessions_visible_to(scope)
        .filter(pk__in=session_ids)
        .values_list("pk", "cancel_reason", "reschedule_reason")
    }
