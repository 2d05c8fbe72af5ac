"""The start page for roles without one, the navigation and the language switcher."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.services import totp_device_create
from referrals import services as referral_services
from tests import factories as f
from tests.programmes.views_sessions_support import mandatory_enrolment, men_group_today

HOME = "/"


# --- Where each role starts ---------------------------------------------------


@pytest.mark.parametrize(
    ("role", "target"),
    [
        ("police", "referrals:police_list"),
        ("manager", "referrals:incoming"),
        ("survivor_worker", "casework:survivor_cases"),
        ("monitoring", "reports:dashboard"),
    ],
)
def test_other_roles_are_sent_to_their_own_start_page(client, users, login, role, target):
    login(users[role])
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == reverse(target)


@pytest.mark.parametrize("role", ["psychologist", "social_worker"])
def test_clinical_staff_start_with_today_and_see_incoming_referrals(client, users, orgs, login, role):
    men_group_today(users, orgs, size=2)  # one group session today, led by both
    waiting = f.make_referral(police=users["police"], provider=orgs["provider"])
    f.make_referral(police=users["police"], provider=orgs["provider"])
    decided = f.make_referral(police=users["police"], provider=orgs["provider"])
    referral_services.referral_decline(referral=decided, by=users["psychologist"], reason="no_capacity")
    f.make_referral(police=users["other_police"], provider=orgs["other_provider"])  # another provider's
    login(users[role])
    response = client.get(HOME)
    assert response.status_code == 200
    assert response.context["sessions_today"] == 1
    assert response.context["incoming"] == 2  # two waiting; declined and elsewhere not counted
    content = response.content.decode()
    assert "1 session today" in content
    # The main action is Today; incoming referrals stay one tap away, with their count.
    today = reverse("programmes:today")
    assert f'class="btn btn-primary btn-lg" href="{today}">Open today\'s sessions</a>' in content
    assert (
        f'href="{reverse("referrals:incoming")}">Incoming referrals <span class="badge text-bg-primary">2</span></a>'
        in content
    )
    assert "2 referrals waiting for a decision" in content
    assert content.index("Your sessions today") < content.index("2 referrals waiting for a decision")
    assert waiting.person.full_name not in content  # counts only, no names


def test_clinical_start_page_counts_unlogged_sessions_and_empty_states(client, users, orgs, login):
    mandatory_enrolment(users, orgs)  # every session of it in the past, none logged
    login(users["psychologist"])
    response = client.get(HOME)
    content = response.content.decode()
    # 2 individual + 2 group sessions, all in the past, none logged.
    assert response.context["unlogged"] == 4
    assert "4 earlier sessions not logged yet" in content
    assert "0 sessions today" in content
    assert "No referrals are waiting for a decision." in content
    assert '<span class="badge text-bg-primary">0</span>' in content


def test_clinical_start_page_only_counts_the_users_own_sessions(client, users, orgs, login):
    men_group_today(users, orgs, size=1)
    colleague = f.make_user(orgs["provider"], "psychologist", "colleague")
    login(colleague)
    response = client.get(HOME)
    assert response.context["sessions_today"] == 0
    assert response.context["unlogged"] == 0


def test_clinical_start_page_query_count_does_not_grow(client, users, orgs, login):
    login(users["psychologist"])
    with CaptureQueriesContext(connection) as empty:
        client.get(HOME)
    men_group_today(users, orgs, size=3, name="Men A")
    men_group_today(users, orgs, size=3, name="Men B")
    for _ in range(3):
        f.make_referral(police=users["police"], provider=orgs["provider"])
    with CaptureQueriesContext(connection) as full:
        response = client.get(HOME)
    assert response.context["sessions_today"] == 2
    assert len(full) <= len(empty) + 2  # prefetches that an empty day skips


def test_an_org_admin_without_staff_rights_gets_an_explanation(client, users, login):
    login(users["provider_admin"])
    response = client.get(HOME)
    assert response.status_code == 200
    content = response.content.decode()
    assert "You administer accounts for Bishkek Consultation Room." in content
    assert "Your account has no access to the administration pages yet." in content
    assert reverse("admin:index") not in content
    assert reverse("referrals:criteria") in content


def test_a_staff_org_admin_gets_a_link_to_the_admin(client, users, login):
    users["provider_admin"].is_staff = True
    users["provider_admin"].save()
    login(users["provider_admin"])
    content = client.get(HOME).content.decode()
    assert f'href="{reverse("admin:index")}"' in content


def test_a_user_without_an_organisation_is_told_so(client, login, db):
    user = get_user_model().objects.create_user("drifter", password=f.PASSWORD)
    totp_device_create(user=user, name="default", key_hex=f.TEST_TOTP_KEY_HEX, confirmed=True)
    login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    assert "Your account does not belong to an active organisation" in response.content.decode()


def test_the_nav_shows_the_user_and_the_active_organisation(client, users, login):
    login(users["monitoring"])
    content = client.get(reverse("reports:dashboard")).content.decode()
    assert "monitoring" in content
    assert "Committee on Women and Family Affairs" in content
    assert f'class="nav-link active" aria-current="page" href="{reverse("reports:dashboard")}"' in content
    assert f'action="{reverse("accounts:logout")}"' in content
    assert 'data-bs-toggle="collapse" data-bs-target="#mainnav"' in content


def test_the_nav_offers_each_role_its_own_pages_only(client, users, login):
    login(users["manager"])
    content = client.get(reverse("reports:dashboard")).content.decode()
    for name in ("referrals:incoming", "casework:case_list", "reports:dashboard", "referrals:criteria"):
        assert f'href="{reverse(name)}"' in content, name
    assert f'href="{reverse("referrals:create")}"' not in content

    login(users["monitoring"])
    content = client.get(reverse("reports:dashboard")).content.decode()
    assert f'href="{reverse("reports:dashboard")}"' in content
    for name in ("referrals:incoming", "casework:case_list", "referrals:create", "referrals:criteria"):
        assert f'href="{reverse(name)}"' not in content, name


def test_the_language_switcher_changes_the_language(client, users, login):
    login(users["monitoring"])
    response = client.get(reverse("reports:dashboard"))
    assert '<html lang="en">' in response.content.decode()
    assert 'name="language" value="ru"' in response.content.decode()
    response = client.post(reverse("set_language"), {"language": "ru", "next": reverse("reports:dashboard")})
    assert response["Location"] == reverse("reports:dashboard")
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    content = client.get(reverse("reports:dashboard")).content.decode()
    assert '<html lang="ru">' in content
    assert 'name="language" value="en"' in content


def test_the_language_switcher_works_before_sign_in(client, db):
    client.post(reverse("set_language"), {"language": "ru", "next": reverse("accounts:login")})
    assert '<html lang="ru">' in client.get(reverse("accounts:login")).content.decode()
