"""One visibility rule for templates: ``may.<check>`` asks the same checks
(accounts.permissions.CHECKS) as the view decorators, so each role sees
exactly the links of the pages it may open."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.permissions import CHECKS, May
from accounts.scope import Scope
from tests.test_permission_matrix import ROLES

pytestmark = pytest.mark.django_db

# Navigation links that depend on the role, and who sees each.
PROVIDER_STAFF = {"psychologist", "social_worker", "manager", "other_psychologist"}
MEMBERS = {role for role in ROLES if role != "anonymous"}
REFERRERS = {
    "police",
    "police2",
    "other_police",
    "judge",
    "court_clerk",
    "child_protection",
    "social_officer",
    "ministry_officer",
    "survivor_worker",
    "other_survivor_worker",
}
NAV = {
    "referrals:police_list": REFERRERS,
    "referrals:create": REFERRERS,
    "programmes:today": PROVIDER_STAFF,
    "referrals:incoming": PROVIDER_STAFF,
    "programmes:waiting_list": PROVIDER_STAFF,
    "casework:case_list": PROVIDER_STAFF,
    "outcomes:follow_ups": PROVIDER_STAFF,
    "programmes:groups": PROVIDER_STAFF,
    "programmes:facility_groups": {"facility_officer"},
    "casework:survivor_cases": {"survivor_worker", "other_survivor_worker"},
    "reports:dashboard": {"monitoring", "monitoring_officer", "manager"},
    "outcomes:monitoring_list": {"police", "police2", "other_police", "social_officer", "monitoring_officer"},
    "referrals:criteria": {"manager", "provider_admin"},
    "outcomes:instruments": {"manager"},
    "notifications:reach": {"manager", "provider_admin"},
    "staffing:staff_list": {"manager", "provider_admin"},
    "staffing:mine": {"psychologist", "social_worker", "other_psychologist"},
    "accounts:api_tokens": {"provider_admin"},
    "notifications:inbox": MEMBERS,
    "notifications:my_alerts": MEMBERS,
}


def _nav(content: str) -> str:
    return content[content.index("<nav") : content.index("</nav>")]


@pytest.mark.parametrize("key", sorted(MEMBERS))
def test_each_role_sees_exactly_its_links(client, login, users, key):
    login(users[key])
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 200
    nav = _nav(response.content.decode())
    shown = {name for name in NAV if f'href="{reverse(name)}"' in nav}
    assert shown == {name for name, who in NAV.items() if key in who}


@pytest.mark.parametrize("key", sorted(MEMBERS))
def test_a_link_shown_is_a_page_that_opens(client, login, users, key):
    """No role is shown a link to a page that refuses it."""
    login(users[key])
    for name, who in NAV.items():
        if key in who:
            assert client.get(reverse(name)).status_code in {200, 302}, name


def test_may_answers_each_check_for_the_scope(users):
    may = May(Scope.for_user(users["manager"]))
    assert may["manager"] is True
    assert may["clinical"] is False
    assert "criteria_editor" in may
    with pytest.raises(KeyError):
        may["no_such_check"]


def test_templates_ask_only_checks_that_exist():
    used = set()
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        used |= set(re.findall(r"\bmay\.(\w+)", path.read_text(encoding="utf-8")))
    assert used, "no template asks may.<check>"
    assert used - set(CHECKS) == set()


def test_templates_use_no_second_rule():
    """Role flags passed by views (``is_clinical``) or read off the scope
    (``scope.is_police``) are the old rules; templates ask ``may``."""
    offenders = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"{%[^%]*\b(scope\.(is_\w+|can_\w+|role)|is_(clinical|survivor_worker|provider_staff))\b", text):
            offenders.append(str(path.relative_to(settings.BASE_DIR)))
    assert offenders == []
