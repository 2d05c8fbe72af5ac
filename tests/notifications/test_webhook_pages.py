"""The webhook page of a referring organisation's administrator: the list
with failures visible, adding a webhook (secret shown once), a bad address
answered on its field, switching off and on, a new secret, removing; another
organisation's webhook is a 404, and a role that keeps no webhooks gets 403."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import reauth
from accounts.models import Role
from notifications.models import WebhookSubscription
from notifications.relay import relay_deliveries
from tests import factories as f
from tests.conftest import login_verified
from tests.notices import case_deliveries
from tests.notifications.test_webhooks import Receiver, subscribe

LIST = reverse("notifications:webhooks")
ADD = reverse("notifications:webhook_add")


def detail(webhook) -> str:
    return reverse("notifications:webhook_detail", args=[webhook.pk])


def recent(client, user):
    """Signed in with the second factor, and a code typed just now."""
    login_verified(client, user)
    session = client.session
    session[reauth.SESSION_KEY] = time.time()
    session.save()
    return client


@pytest.fixture
def admin(orgs):
    return f.make_user(orgs["police"], Role.ORG_ADMIN, "police_admin")


@pytest.fixture
def other_admin(orgs):
    return f.make_user(orgs["other_police"], Role.ORG_ADMIN, "other_police_admin")


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def production_rules(settings):
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False


def test_the_list_shows_the_organisations_webhooks_only(client, admin, other_admin):
    subscribe(admin.membership.organisation, admin, "https://93.184.216.34/ours")
    subscribe(other_admin.membership.organisation, other_admin, "https://93.184.216.35/theirs")
    login_verified(client, admin)

    page = client.get(LIST).content.decode()

    assert "https://93.184.216.34/ours" in page
    assert "theirs" not in page
    assert "Add a webhook" in page


def test_a_failure_after_the_last_retry_shows_on_the_list_and_the_webhook(
    client, users, orgs, admin, receiver, settings
):
    settings.NOTIFY_MAX_ATTEMPTS = 1
    receiver.answers = [502]
    webhook = subscribe(orgs["police"], admin, receiver.url)
    referral = f.make_referral(police=users["police"], provider=orgs["provider"], external_id="KG-9")
    f.screen_all_met(referral, users["psychologist"])
    relay_deliveries(now=timezone.now() + dt.timedelta(seconds=1))
    assert case_deliveries().get(webhook=webhook).status == "failed"

    recent(client, admin)
    listing = client.get(LIST).content.decode()
    page = client.get(detail(webhook)).content.decode()

    assert '<span class="badge text-bg-danger">1</span>' in listing
    assert "last: HTTP 502" in listing
    assert "last error: HTTP 502" in page
    assert "KG-9" in page and "Screening" in page and "Failed" in page
    assert referral.person.family_name not in page


def test_adding_a_webhook_shows_its_secret_once(client, admin):
    recent(client, admin)

    response = client.post(ADD, {"url": "https://93.184.216.34/hooks/casework"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    webhook = WebhookSubscription.objects.get()
    assert (webhook.organisation_id, webhook.active, webhook.created_by_id) == (
        admin.membership.organisation_id,
        True,
        admin.pk,
    )
    assert len(webhook.secret) >= 40
    assert f'value="{webhook.secret}"' in response.content.decode()
    assert webhook.secret not in client.get(LIST).content.decode()
    assert webhook.secret not in client.get(detail(webhook)).content.decode()

    again = client.post(ADD, {"url": "https://93.184.216.34/hooks/casework"})
    assert again.context["form"].errors["url"] == ["Your organisation already has a webhook at this address."]
    assert WebhookSubscription.objects.count() == 1


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("http://93.184.216.34/hook", "The address must start with https://."),
        ("https://10.0.0.5/hook", "The address must be on the internet, not in a private or local network."),
        ("https://127.0.0.1:8443/hook", "The address must be on the internet, not in a private or local network."),
        ("not a url", "Enter a valid URL."),
    ],
)
def test_a_bad_address_is_answered_on_its_field_and_kept(client, admin, production_rules, url, error):
    recent(client, admin)

    response = client.post(ADD, {"url": url})

    assert response.status_code == 200
    assert response.context["form"].errors["url"] == [error]
    assert response.context["form"]["url"].value() == url
    assert not WebhookSubscription.objects.exists()


def test_adding_needs_a_fresh_code(client, admin):
    login_verified(client, admin)
    response = client.post(ADD, {"url": "https://93.184.216.34/hook"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:reauth"))
    assert not WebhookSubscription.objects.exists()


def test_switching_off_and_on(client, admin):
    webhook = subscribe(admin.membership.organisation, admin, "https://93.184.216.34/hook")
    recent(client, admin)

    assert client.post(detail(webhook), {"action": "off"}).status_code == 302
    webhook.refresh_from_db()
    assert webhook.active is False
    client.post(detail(webhook), {"action": "on"})
    webhook.refresh_from_db()
    assert webhook.active is True


def test_a_new_secret_is_asked_for_then_shown_once(client, admin):
    webhook = subscribe(admin.membership.organisation, admin, "https://93.184.216.34/hook")
    old = webhook.secret
    recent(client, admin)

    asked = client.post(detail(webhook), {"action": "secret"})
    webhook.refresh_from_db()
    assert "Please confirm" in asked.content.decode() and webhook.secret == old

    shown = client.post(detail(webhook), {"action": "secret", "confirmed": "1"})
    webhook.refresh_from_db()
    assert webhook.secret != old
    assert f'value="{webhook.secret}"' in shown.content.decode()


def test_removing_is_asked_for_then_done(client, admin):
    webhook = subscribe(admin.membership.organisation, admin, "https://93.184.216.34/hook")
    recent(client, admin)

    client.post(detail(webhook), {"action": "remove"})
    assert WebhookSubscription.objects.filter(pk=webhook.pk).exists()
    response = client.post(detail(webhook), {"action": "remove", "confirmed": "1"})
    assert response.status_code == 302 and response["Location"] == LIST
    assert not WebhookSubscription.objects.filter(pk=webhook.pk).exists()


def test_another_organisations_webhook_is_a_404(client, admin, other_admin):
    theirs = subscribe(other_admin.membership.organisation, other_admin, "https://93.184.216.35/theirs")
    recent(client, admin)

    assert client.get(detail(theirs)).status_code == 404
    for action in ("off", "secret", "remove"):
        assert client.post(detail(theirs), {"action": action, "confirmed": "1"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.active is True


@pytest.mark.parametrize("role", ["police", "provider_admin", "psychologist"])
def test_a_role_that_keeps_no_webhooks_is_refused(client, users, role):
    recent(client, users[role])
    assert client.get(LIST).status_code == 403
    assert client.post(ADD, {"url": "https://93.184.216.34/hook"}).status_code == 403
    assert not WebhookSubscription.objects.exists()


def test_the_service_refuses_another_organisations_webhook(admin, other_admin):
    from django.core.exceptions import PermissionDenied

    from notifications.webhooks import webhook_delete

    theirs = subscribe(other_admin.membership.organisation, other_admin, "https://93.184.216.35/theirs")
    with pytest.raises(PermissionDenied):
        webhook_delete(webhook=theirs, by=admin)


def test_the_site_admin_sees_each_webhooks_failures_and_never_its_secret(
    client, users, orgs, admin, receiver, settings
):
    settings.NOTIFY_MAX_ATTEMPTS = 1
    receiver.answers = [500]
    webhook = subscribe(orgs["police"], admin, receiver.url)
    f.screen_all_met(f.make_referral(police=users["police"], provider=orgs["provider"]), users["psychologist"])
    relay_deliveries(now=timezone.now() + dt.timedelta(seconds=1))
    root = f.make_user(orgs["provider"], Role.ORG_ADMIN, "root")
    root.is_staff = root.is_superuser = True
    root.save()
    login_verified(client, root)

    listing = client.get(reverse("admin:notifications_webhooksubscription_changelist")).content.decode()
    page = client.get(reverse("admin:notifications_webhooksubscription_change", args=[webhook.pk])).content.decode()
    deliveries = client.get(reverse("admin:notifications_delivery_changelist")).content.decode()

    assert '<td class="field-failed">1</td>' in listing
    assert "HTTP 500" in deliveries
    assert webhook.secret not in listing + page + deliveries
