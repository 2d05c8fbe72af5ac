"""The start page for roles without one, the navigation and the language switcher."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories as f

HOME = "/"


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
    TOTPDevice.objects.create(user=user, name="default", key=f.TEST_TOTP_KEY_HEX, confirmed=True)
    login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    assert "Your account does not belong to an active organisation" in response.content.decode()


def test_the_nav_shows_the_user_and_the_active_organisation(client, users, login):
    login(users["monitoring"])
    content = client.get(reverse("core:overview")).content.decode()
    assert "monitoring" in content
    assert "Committee on Women and Family Affairs" in content
    assert f'class="nav-link active" aria-current="page" href="{reverse("core:overview")}"' in content
    assert f'action="{reverse("accounts:logout")}"' in content
    assert 'data-bs-toggle="collapse" data-bs-target="#mainnav"' in content


def test_the_nav_offers_each_role_its_own_pages_only(client, users, login):
    login(users["manager"])
    content = client.get(reverse("core:overview")).content.decode()
    for name in ("referrals:incoming", "casework:case_list", "core:overview", "referrals:criteria"):
        assert f'href="{reverse(name)}"' in content, name
    assert f'href="{reverse("referrals:create")}"' not in content

    login(users["monitoring"])
    content = client.get(reverse("core:overview")).content.decode()
    assert f'href="{reverse("core:overview")}"' in content
    for name in ("referrals:incoming", "casework:case_list", "referrals:create", "referrals:criteria"):
        assert f'href="{reverse(name)}"' not in content, name


def test_the_language_switcher_changes_the_language(client, users, login):
    login(users["monitoring"])
    response = client.get(reverse("core:overview"))
    assert '<html lang="en">' in response.content.decode()
    assert 'name="language" value="ru"' in response.content.decode()
    response = client.post(reverse("set_language"), {"language": "ru", "next": reverse("core:overview")})
    assert response["Location"] == reverse("core:overview")
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    content = client.get(reverse("core:overview")).content.decode()
    assert '<html lang="ru">' in content
    assert 'name="language" value="en"' in content


def test_the_language_switcher_works_before_sign_in(client, db):
    client.post(reverse("set_language"), {"language": "ru", "next": reverse("accounts:login")})
    assert '<html lang="ru">' in client.get(reverse("accounts:login")).content.decode()
