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
- ``pathways``: the other agencies' pathways: monitoring after a Chance-style
  course by the State Department for Social Development, a group in a
  prison, a child-protection referral.
"""

from __future__ import annotations

from django.db import transaction

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
    _scenarios(orgs, users, result)
    load_programme(orgs, users, result)
    load_pathways(orgs, users, result)
    return result
