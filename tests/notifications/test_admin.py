"""The admin: staff contact points are editable, deliveries read-only,
and no acknowledgement note or violence summary is shown."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from notifications.models import StaffContact
from notifications.services import notice_acknowledge
from tests import factories as f
from tests.notices import case_deliveries
from tests.notifications.conftest import notice_of, record


@pytest.fixture
def superuser(orgs):
    user = f.make_user(orgs["provider"], Role.ORG_ADMIN, "root")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def test_a_superuser_sees_contacts_and_deliveries_but_no_notes(
    client, login, superuser, users, orgs, case_with_service
):
    StaffContact.objects.create(user=users["survivor_worker"], phone="+996555000001")
    event = record("dropout", case_with_service)
    notice_acknowledge(
        notice=notice_of(event, orgs["survivor_service"]),
        by=users["survivor_worker"],
        actions=["other"],
        note="She moved to Osh.",
    )
    login(superuser)
    for name in ("admin:notifications_staffcontact_changelist", "admin:notifications_delivery_changelist"):
        content = client.get(reverse(name)).content.decode()
        assert "She moved" not in content
    delivery = case_deliveries().filter(event=event).first()
    page = client.get(reverse("admin:notifications_delivery_change", args=[delivery.pk]))
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()  # read-only
    assert client.get(reverse("admin:notifications_delivery_add")).status_code == 403
    assert client.get(reverse("admin:notifications_staffcontact_add")).status_code == 200
