"""Demo data for `make run`: organisations, one user per role, referrals in
different states, and a consultation room's programme work (groups,
enrolments, sessions, attendance, CTS-2 questionnaires, endings and the
safety notices they cause), all built through the real services.

Everything here is invented. The family names are Russian words for "test",
"example", "sample", "template", "mock-up" and "draft"; the addresses are on
"Demonstration street"; the phone numbers are made up. The password and the
TOTP secret are public (README.md): never load this into a real database.

Loading is idempotent: organisations and users are looked up by name, each
referral carries a fixed submission key, and the programme data is built
only when its first group does not exist yet, each pathway only when its
first referral does not, so a second run creates nothing.

- ``common``: organisations, users and the small builders;
- ``scenarios``: the hand-written referrals (README.md, "Demo users");
- ``programme``: the programme data, replayed over the last three months
  (with the court-ordered referral and its sanction);
- ``staff``: the Bishkek facilitators' trainings, supervision and
  qualifications (one expiring soon);
- ``pathways``: the other agencies' pathways: monitoring after a Chance-style
  course by the State Department for Social Development, a group in a
  prison, a child-protection referral.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, User
from frontdoor.demo.common import (
    DEMO_DEVICE_NAME,
    DEMO_PASSWORD,
    DEMO_TOTP_KEY_HEX,
    DEMO_TOTP_SECRET,
    GENDERS,
    ORGANISATIONS,
    USERS,
    LoadResult,
    _days,
    _key,
    _organisations,
    _users,
)
from frontdoor.demo.pathways import load_pathways
from frontdoor.demo.programme import PEOPLE, load_programme
from frontdoor.demo.scenarios import SCENARIOS
from frontdoor.demo.staff import load_staff_records
from notifications import services as notification_services
from notifications.models import Notice, SafetyEvent
from notifications.recipients import handling_members
from referrals.models import Referral

__all__ = [
    "DEMO_DEVICE_NAME",
    "DEMO_PASSWORD",
    "DEMO_TOTP_KEY_HEX",
    "DEMO_TOTP_SECRET",
    "GENDERS",
    "ORGANISATIONS",
    "PEOPLE",
    "SCENARIOS",
    "USERS",
    "LoadResult",
    "_days",
    "_key",
    "load_demo_data",
]


# A referring body reads the provider's decision on its referral within a day;
# the decisions of the last two days are still in its inbox.
DECISION_NOTED_AFTER = dt.timedelta(days=1)
DECISIONS_STILL_OPEN = dt.timedelta(days=2)


def _decisions_noted() -> None:
    """Each referring body has noted the provider's older decisions on its
    referrals (acceptance, decline), the day after: by one of its referring
    officers, "Noted". Only open notices are touched, so a second load
    changes nothing."""
    now = timezone.now()
    notices = Notice.objects.filter(
        status=Notice.Status.OPEN,
        event__kind__in=[SafetyEvent.Kind.REFERRAL_ACCEPTED, SafetyEvent.Kind.REFERRAL_DECLINED],
        created_at__lte=now - DECISIONS_STILL_OPEN,
    ).order_by("pk")
    for notice in notices:
        officers = handling_members({notice.organisation_id: notice.role_hint})[notice.organisation_id]
        if officers:
            notification_services.notice_acknowledge(
                notice=notice,
                by=officers[0].user,
                actions=[Notice.Action.NOTED],
                now=notice.created_at + DECISION_NOTED_AFTER,
            )


def _scenarios(orgs: dict[str, Organisation], users: dict[str, User], result: LoadResult) -> None:
    for key, build in SCENARIOS:
        if Referral.objects.filter(submission_key=_key(key)).exists():
            continue
        build(orgs, users)
        result.referrals_created.append(key)


@transaction.atomic
def load_demo_data() -> LoadResult:
    """Create whatever of the demo data does not exist yet."""
    result = LoadResult()
    orgs = _organisations(result)
    users = _users(orgs, result)
    load_staff_records(orgs, users)
    _scenarios(orgs, users, result)
    load_programme(orgs, users, result)
    load_pathways(orgs, users, result)
    _decisions_noted()
    return result
