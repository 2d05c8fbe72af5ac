"""Fixtures for field work: a men's group of the standing provider whose
first session is today (the psychologist leads it, the social worker
co-leads it), clients signed in as each role, and the entries a phone
sends, built the way ``static/fieldwork/field.js`` builds them."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes.models import Session
from tests.conftest import login_verified
from tests.programmes.conftest import enrol, group_of, men, new_case, pair, past_group  # noqa: F401
from tests.programmes.views_sessions_support import men_group_today

SYNC = "fieldwork:sync"
PREPARE = "fieldwork:prepare"


@pytest.fixture
def today_group(users, orgs):
    """(group, [three men], today's session, logged an hour from now at the latest)."""
    return men_group_today(users, orgs, size=3, location_kind="mobile", location="Kara-Suu, village hall")


@pytest.fixture
def signed_in(client):
    def _signed_in(user):
        return login_verified(client, user)

    return _signed_in


def entry_for(
    session: Session,
    marks: dict,
    *,
    key: str | None = None,
    recorded_at: dt.datetime | None = None,
    topic: str | None = None,
    notes: str = "",
    confirmed: list[int] | None = None,
) -> dict:
    """One session's log as a phone sends it, based on the session as it is
    now (as the phone was prepared with it)."""
    anyone = any(m in ("present", "late") for m in marks.values())
    return {
        "key": key or str(uuid.uuid4()),
        "session": session.pk,
        "recorded_at": (recorded_at or timezone.now() - dt.timedelta(minutes=5)).isoformat(),
        "base_starts_at": session.starts_at.isoformat(),
        "base_location": session.location,
        "base_logged_at": session.logged_at.isoformat() if session.logged_at else None,
        "marks": {str(getattr(k, "pk", k)): v for k, v in marks.items()},
        "topic_covered": (session.planned_topic if topic is None else topic) if anyone else "",
        "notes": notes,
        "confirmed": confirmed or [],
    }


def send(client, *entries: dict, body=None):
    """POST to the sync endpoint; the response."""
    payload = json.dumps({"entries": list(entries)} if body is None else body)
    return client.post(reverse(SYNC), payload, content_type="application/json")
