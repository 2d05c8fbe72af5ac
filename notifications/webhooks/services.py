"""Writes for an organisation's webhooks, by its administrator: add one (the
secret is made here and returned once), switch it off and on, give it a new
secret, remove it. Each starts with ``require_webhook_admin`` and acts on
the administrator's own organisation only."""

from __future__ import annotations

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.permissions import require_webhook_admin
from core.validation import validated
from notifications.models import WebhookSubscription

from .transport import url_problem

# A referring body has one system, sometimes a test copy of it too.
MAX_WEBHOOKS = 5


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def _own(webhook: WebhookSubscription, by) -> WebhookSubscription:
    scope = require_webhook_admin(by)
    if webhook.organisation_id != scope.organisation_id:
        raise PermissionDenied(_("Only the administrator of a referring organisation keeps its webhooks."))
    return WebhookSubscription.objects.select_for_update().get(pk=webhook.pk)


@transaction.atomic
def webhook_create(*, url: str, by) -> tuple[WebhookSubscription, str]:
    """A new active webhook of the administrator's organisation, and its
    secret in clear (shown once; stored encrypted)."""
    organisation_id = require_webhook_admin(by).organisation_id
    assert organisation_id is not None  # an administrator has an organisation
    url = (url or "").strip()
    errors: dict[str, list[str]] = {}
    secret = new_secret()
    webhook = WebhookSubscription(organisation_id=organisation_id, url=url, secret=secret, created_by=by)
    validated(webhook, errors, "", exclude=["organisation", "created_by", "secret"])
    problem = None if "url" in errors else url_problem(url)
    if problem:
        errors["url"] = [problem]
    own = WebhookSubscription.objects.select_for_update().filter(organisation_id=organisation_id)
    if "url" not in errors and own.filter(url=url).exists():
        errors["url"] = [_("Your organisation already has a webhook at this address.")]
    if own.count() >= MAX_WEBHOOKS:
        errors.setdefault("__all__", []).append(
            _("An organisation has at most %(max)d webhooks. Remove one first.") % {"max": MAX_WEBHOOKS}
        )
    if errors:
        raise ValidationError(errors)
    webhook.save()
    return webhook, secret


@transaction.atomic
def webhook_set_active(*, webhook: WebhookSubscription, active: bool, by) -> WebhookSubscription:
    """Switch a webhook off (nothing more is written for it, and what is
    waiting is not sent) or on again (changes from now on)."""
    row = _own(webhook, by)
    if row.active != active:
        row.active = active
        row.save(update_fields=["active"])
    return row


@transaction.atomic
def webhook_secret_renew(*, webhook: WebhookSubscription, by) -> str:
    """A new secret for the webhook, returned once; the old one stops
    signing at once, retries included."""
    row = _own(webhook, by)
    secret = new_secret()
    row.secret = secret
    row.save(update_fields=["secret"])
    return secret


@transaction.atomic
def webhook_delete(*, webhook: WebhookSubscription, by) -> None:
    """Remove a webhook with its deliveries (the events stay)."""
    _own(webhook, by).delete()
