"""The admin needs the second factor, offers what administrators manage,
and never survivor data."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.models import Membership, Organisation, Role, User
from casework.models import Case, RiskInstrument, SafetyPlan, SafetyPlanVersion, SurvivorContact
from core.models import SensitiveRead
from referrals.models import EligibilityCriterion, Person, Referral, Survivor
from tests import factories as f
from tests.conftest import sign_in


@pytest.fixture
def superuser(orgs):
    user = f.make_user(orgs["provider"], Role.ORG_ADMIN, "root")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def org_admin(orgs, users):
    user = users["provider_admin"]
    user.is_staff = True
    user.save()
    from django.contrib.auth.models import Permission

    user.user_permissions.set(Permission.objects.filter(content_type__app_label="accounts"))
    return user


def test_the_admin_site_requires_the_second_factor():
    from django_otp.admin import OTPAdminSite

    assert isinstance(admin.site, OTPAdminSite)


def test_an_anonymous_visitor_is_sent_to_our_sign_in(client):
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/?next=/admin/"
    assert response.status_code == 200


def test_an_unverified_staff_session_is_sent_to_verify(client, superuser):
    sign_in(client, superuser)
    response = client.get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("accounts:verify"))


def test_a_verified_superuser_sees_what_administrators_manage(client, superuser, login):
    login(superuser)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    content = response.content.decode()
    for url_name in (
        "admin:accounts_organisation_changelist",
        "admin:accounts_user_changelist",
        "admin:accounts_membership_changelist",
        "admin:referrals_eligibilitycriterion_changelist",
        "admin:casework_riskinstrument_changelist",
    ):
        assert reverse(url_name) in content, url_name
    assert "style=" not in content


def test_a_staff_member_without_staff_rights_is_refused(client, users, login):
    login(users["police"])
    assert client.get(reverse("admin:login")).status_code == 403


def test_survivor_data_is_not_registered():
    for model in (Survivor, SafetyPlan, SafetyPlanVersion, SurvivorContact, Person, Referral, Case):
        assert not admin.site.is_registered(model), model


def test_the_read_log_is_read_only(client, superuser, login, users):
    from core.audit import record_read

    record_read(user=users["survivor_worker"], record_type="survivor", record_id=7, view="test")
    entry = SensitiveRead.objects.get()
    login(superuser)
    assert client.get(reverse("admin:core_sensitiveread_changelist")).status_code == 200
    assert client.get(reverse("admin:core_sensitiveread_add")).status_code == 403
    assert client.get(reverse("admin:core_sensitiveread_delete", args=[entry.pk])).status_code == 403
    response = client.post(reverse("admin:core_sensitiveread_change", args=[entry.pk]), {"view": "forged"})
    assert response.status_code == 403
    assert SensitiveRead.objects.get().view == "test"


def test_the_pages_for_each_registered_model_open(client, superuser, login, orgs):
    login(superuser)
    instrument = RiskInstrument.objects.get(code="basic-checklist")
    criterion = EligibilityCriterion.objects.filter(organisation__isnull=True).first()
    for url in (
        reverse("admin:accounts_organisation_changelist") + "?kind__exact=police_unit&country__exact=KG",
        reverse("admin:accounts_organisation_change", args=[orgs["provider"].pk]),
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_user_change", args=[superuser.pk]),
        reverse("admin:accounts_user_add"),
        reverse("admin:accounts_membership_changelist"),
        reverse("admin:referrals_eligibilitycriterion_changelist") + "?country__exact=TJ&effect__exact=required",
        reverse("admin:referrals_eligibilitycriterion_change", args=[criterion.pk]),
        reverse("admin:casework_riskinstrument_change", args=[instrument.pk]),
    ):
        assert client.get(url).status_code == 200, url


def test_an_organisation_admin_sees_only_their_own_organisation(client, org_admin, login, users):
    login(org_admin)
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 200
    shown = {u.username for u in response.context["cl"].result_list}
    assert "psychologist" in shown
    assert "police" not in shown and "other_psychologist" not in shown
    url = reverse("admin:accounts_user_change", args=[users["police"].pk])
    assert client.get(url).status_code == 302  # "does not exist": back to the list
    orgs_shown = set(client.get(reverse("admin:accounts_organisation_changelist")).context["cl"].result_list)
    assert orgs_shown == {org_admin.membership.organisation}


def test_an_organisation_admin_cannot_make_anyone_superuser(client, org_admin, login, users):
    login(org_admin)
    target = users["psychologist"]
    url = reverse("admin:accounts_user_change", args=[target.pk])
    form = client.get(url).context["adminform"].form
    assert "is_superuser" not in form.fields and "is_staff" not in form.fields
    membership = target.membership
    data = {
        "username": target.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "is_superuser": "on",
        "is_staff": "on",
        "preferred_language": "ru",
        "membership-TOTAL_FORMS": "1",
        "membership-INITIAL_FORMS": "1",
        "membership-MIN_NUM_FORMS": "0",
        "membership-MAX_NUM_FORMS": "1",
        "membership-0-id": membership.pk,
        "membership-0-user": target.pk,
        "membership-0-organisation": membership.organisation_id,
        "membership-0-role": Role.SOCIAL_WORKER,
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    target.refresh_from_db()
    assert target.is_superuser is False and target.is_staff is False
    assert Membership.objects.get(user=target).role == Role.SOCIAL_WORKER


def test_an_organisation_admin_cannot_move_a_user_to_another_organisation(client, org_admin, login, users, orgs):
    login(org_admin)
    target = users["psychologist"]
    membership = target.membership
    url = reverse("admin:accounts_membership_change", args=[membership.pk])
    response = client.post(
        url, {"user": target.pk, "organisation": orgs["other_provider"].pk, "role": Role.PSYCHOLOGIST}
    )
    assert response.status_code == 200
    assert "organisation" in response.context["adminform"].form.errors
    assert Membership.objects.get(pk=membership.pk).organisation == orgs["provider"]


def test_membership_role_must_fit_the_organisation_kind(client, superuser, login, orgs):
    login(superuser)
    user = User.objects.create_user("loose", password=f.PASSWORD)
    response = client.post(
        reverse("admin:accounts_membership_add"),
        {"user": user.pk, "organisation": orgs["police"].pk, "role": Role.PSYCHOLOGIST},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["role"] == [
        "This role does not exist in an organisation of this kind."
    ]
    assert not Membership.objects.filter(user=user).exists()
    assert Organisation.objects.count() == len(orgs)


KY_PROVIDER = "Бишкек шаарынын консультациялык кабинети"
RU_PROVIDER = "Консультационный кабинет г. Бишкек"


def text(response) -> str:
    return " ".join(response.content.decode().split())


# --- the organisation's name in other languages (core.localnames) ---------------------


def admin_data(org, **names) -> dict:
    data = {"name": org.name, "region": org.region, "languages": ",".join(org.languages)}
    data.update({f"name_{code}": value for code, value in names.items()})
    return data


def test_an_organisation_admin_enters_the_name_in_other_languages(client, login, org_admin, orgs):
    provider = orgs["provider"]
    url = reverse("admin:accounts_organisation_change", args=[provider.pk])
    login(org_admin)

    page = client.get(url)
    assert page.status_code == 200
    assert "Name (Kyrgyz)" in text(page) and "Name (Turkmen)" in text(page)

    response = client.post(url, admin_data(provider, ky=f"  {KY_PROVIDER} ", ru=RU_PROVIDER, tk=""))

    assert response.status_code == 302, response.context["adminform"].form.errors
    provider.refresh_from_db()
    assert provider.name_translations == {"ky": KY_PROVIDER, "ru": RU_PROVIDER}
    assert client.get(url).context["adminform"].form.initial["name_ky"] == KY_PROVIDER


def test_a_name_too_long_is_a_field_error_that_keeps_the_input(client, login, org_admin, orgs):
    provider = orgs["provider"]
    login(org_admin)

    response = client.post(
        reverse("admin:accounts_organisation_change", args=[provider.pk]),
        admin_data(provider, ky="б" * 201, ru=RU_PROVIDER),
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors == {"name_ky": ["Ensure this value has at most 200 characters (it has 201)."]}
    assert RU_PROVIDER in text(response)
    provider.refresh_from_db()
    assert provider.name_translations == {}


def test_another_organisations_names_cannot_be_edited(client, login, org_admin, orgs):
    police = orgs["police"]
    login(org_admin)
    response = client.post(
        reverse("admin:accounts_organisation_change", args=[police.pk]), admin_data(police, ky="Милиция")
    )
    assert response.status_code == 302  # "does not exist": back to the list
    police.refresh_from_db()
    assert police.name_translations == {}
