"""The admin: the questionnaire structure is read-only, imported wording is
seen (and removed) by its own organisation only, and no filled-in
questionnaire, score or follow-up meeting is registered."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from accounts.models import Role
from outcomes.models import Administration, FollowUp, Item, ItemText, ScaleScore
from tests import factories as f


@pytest.fixture
def superuser(orgs):
    user = f.make_user(orgs["provider"], Role.ORG_ADMIN, "root")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def wording(orgs, cts2):
    item = Item.objects.get(instrument=cts2, number=7)
    return {
        "own": ItemText.objects.create(item=item, language="ru", organisation=orgs["provider"], text="Licensed A"),
        "other": ItemText.objects.create(
            item=item, language="ru", organisation=orgs["other_provider"], text="Licensed B"
        ),
    }


def test_the_structure_is_read_only(client, login, superuser, cts2):
    login(superuser)
    page = client.get(reverse("admin:outcomes_instrument_change", args=[cts2.pk])).content.decode()
    assert "physical-assault-minor" in page
    assert 'name="code"' not in page
    assert 'name="is_active"' in page  # the one thing a superuser may switch
    assert client.get(reverse("admin:outcomes_instrument_add")).status_code == 403
    assert client.get(reverse("admin:outcomes_instrument_delete", args=[cts2.pk])).status_code == 403


def test_an_organisation_admin_sees_only_its_own_wording(client, login, users, wording):
    from django.contrib.auth.models import Permission

    user = users["provider_admin"]
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="outcomes"))
    login(user)
    listing = client.get(reverse("admin:outcomes_itemtext_changelist")).content.decode()
    assert str(wording["own"].item) in listing
    assert client.get(reverse("admin:outcomes_itemtext_change", args=[wording["own"].pk])).status_code == 200
    other = client.get(reverse("admin:outcomes_itemtext_change", args=[wording["other"].pk]))
    assert other.status_code == 302  # "does not exist" for another organisation's row
    assert client.get(reverse("admin:outcomes_itemtext_add")).status_code == 403


@pytest.mark.parametrize("model", [Administration, ScaleScore, FollowUp])
def test_clinical_records_are_not_registered(model):
    assert not admin.site.is_registered(model)
    with pytest.raises(NoReverseMatch):
        reverse(f"admin:outcomes_{model._meta.model_name}_changelist")
