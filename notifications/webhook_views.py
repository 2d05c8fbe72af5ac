"""The webhook page of a referring organisation's administrator: its
webhooks with what their deliveries show (failures included), adding one
(its secret shown once), and for each one its recent deliveries, switching
it off and on, a new secret (shown once) and removing it.

Only the administrator of a referring organisation (the ``webhook_admin``
check) opens these pages, and only for her own organisation's webhooks: any
other is a 404. Adding one, a new secret and removing one need a code typed
in the last minutes (``accounts.reauth``). A secret exists in clear only in
the answer to the POST that made it: never in a URL, a message, the log or
the session, and that page is not stored (no-store).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.acting import acting_user
from accounts.permissions import requires
from accounts.reauth import recent_second_factor_required, second_factor_required
from core.confirm import Confirmation, is_confirmed
from core.errors import add_service_errors
from notifications import webhooks
from notifications.webhook_forms import WebhookForm

webhook_admin_required = requires("webhook_admin")


@webhook_admin_required
@second_factor_required
@require_GET
def webhook_list(request):
    rows = list(webhooks.webhooks_visible_to(request.scope))
    return render(
        request,
        "notifications/webhooks.html",
        {"webhooks": rows, "can_add": len(rows) < webhooks.MAX_WEBHOOKS},
    )


def _secret_shown(request, webhook, secret: str, *, renewed: bool):
    return render(
        request, "notifications/webhook_secret.html", {"webhook": webhook, "secret": secret, "renewed": renewed}
    )


@never_cache
@webhook_admin_required
@recent_second_factor_required
@require_http_methods(["GET", "POST"])
def webhook_add(request):
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            webhook, secret = webhooks.webhook_create(url=form.cleaned_data["url"], by=acting_user(request))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            # Shown in this answer only; a reload posts again and is refused
            # (the address is taken), so the secret is never shown twice.
            return _secret_shown(request, webhook, secret, renewed=False)
    return render(request, "notifications/webhook_add.html", {"form": form})


@never_cache
@webhook_admin_required
@recent_second_factor_required
@require_http_methods(["GET", "POST"])
def webhook_detail(request, pk: int):
    webhook = webhooks.get_webhook_for_user(request.scope, pk)
    context: dict = {"webhook": webhook}
    action = request.POST.get("action") if request.method == "POST" else None
    by = acting_user(request)
    if action in ("on", "off"):
        webhooks.webhook_set_active(webhook=webhook, active=action == "on", by=by)
        messages.success(
            request,
            _("The webhook is on: status changes from now on are sent.")
            if action == "on"
            else _("The webhook is off: nothing more is sent to it, including what was waiting."),
        )
        return redirect("notifications:webhook_detail", pk=webhook.pk)
    if action in ("secret", "remove"):
        if is_confirmed(request):
            if action == "secret":
                secret = webhooks.webhook_secret_renew(webhook=webhook, by=by)
                return _secret_shown(request, webhook, secret, renewed=True)
            webhooks.webhook_delete(webhook=webhook, by=by)
            messages.success(request, _("The webhook is removed."))
            return redirect("notifications:webhooks")
        context["confirm"] = Confirmation.of(
            request,
            what=_(
                "You are about to give this webhook a new secret. The old one stops signing at once: "
                "your system must check with the new one."
            )
            if action == "secret"
            else _("You are about to remove this webhook with its deliveries. Nothing more is sent to it."),
        )
    context["deliveries"] = webhooks.webhook_recent_deliveries(webhook)
    return render(request, "notifications/webhook_detail.html", context)
