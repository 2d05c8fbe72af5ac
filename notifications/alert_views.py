""" "My alerts" (each staff member's own off-line channels) and the reach
page (who in an organisation will be alerted off-line, for what).

A channel belongs to its user alone: anyone else gets 404 for it. The
reach page is for the organisation's administrators and programme managers.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import get_visible_or_404, member_required, reach_viewer_required
from core.errors import add_service_errors
from notifications import alerts
from notifications.alert_forms import ConfirmForm, EmailChannelForm, SMSChannelForm, UrgenciesForm
from notifications.models import AlertChannel

K = AlertChannel.Kind


def _page(request, *, sms_form=None, email_form=None, confirm_forms=None, telegram_link=None, status=200):
    channels = {c.kind: c for c in AlertChannel.objects.filter(user=request.user)}
    sms, email = channels.get(K.SMS), channels.get(K.EMAIL)
    sms_form = sms_form or SMSChannelForm(initial={"phone": sms.address, "urgencies": sms.urgencies} if sms else None)
    email_form = email_form or EmailChannelForm(
        initial={"email": email.address, "urgencies": email.urgencies} if email else {"email": request.user.email}
    )
    confirm_forms = confirm_forms or {}
    rows = []
    for kind in (K.SMS, K.EMAIL, K.TELEGRAM):
        channel = channels.get(kind)
        if channel is None:
            continue
        rows.append(
            {
                "channel": channel,
                "confirm_form": confirm_forms.get(channel.pk) or ConfirmForm(),
                "urgency_form": UrgenciesForm(initial={"urgencies": channel.urgencies}),
                "code_pending": bool(channel.code_hash),
            }
        )
    return render(
        request,
        "notifications/my_alerts.html",
        {
            "rows": rows,
            "sms_form": sms_form,
            "email_form": email_form,
            "telegram": channels.get(K.TELEGRAM),
            "telegram_link": telegram_link,
            "bot_configured": bool(settings.TELEGRAM_BOT_USERNAME),
            "reach_lines": alerts.reach_sentences(request.user),
            "code_minutes": settings.ALERT_CODE_MINUTES,
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@member_required
def my_alerts(request):
    """GET: her channels. POST ``action``: ``sms`` or ``email`` (add or
    change the address and urgencies), ``telegram`` (a new link code)."""
    if request.method == "GET":
        return _page(request)
    action = request.POST.get("action")
    if action == "sms":
        form = SMSChannelForm(request.POST)
        if not form.is_valid():
            return _page(request, sms_form=form, status=400)
        alerts.channel_save(
            user=request.user,
            kind=K.SMS,
            address=form.cleaned_data["phone"].as_e164,
            urgencies=form.cleaned_data["urgencies"],
        )
    elif action == "email":
        form = EmailChannelForm(request.POST)
        if not form.is_valid():
            return _page(request, email_form=form, status=400)
        alerts.channel_save(
            user=request.user,
            kind=K.EMAIL,
            address=form.cleaned_data["email"],
            urgencies=form.cleaned_data["urgencies"],
        )
    elif action == "telegram":
        code, link = alerts.telegram_link_start(user=request.user)
        return _page(request, telegram_link={"code": code, "url": link})
    else:
        return _page(request, status=400)
    messages.success(request, _("Saved. Send a test message to confirm this channel."))
    return redirect("notifications:my_alerts")


def _own_channel(request, pk: int) -> AlertChannel:
    return get_visible_or_404(AlertChannel.objects.filter(user=request.user).select_related("user"), pk=pk)


@never_cache
@require_POST
@member_required
def my_alert_channel(request, pk: int):
    """POST ``action``: ``test`` (send a code), ``confirm``, ``urgencies``, ``delete``."""
    channel = _own_channel(request, pk)
    action = request.POST.get("action")
    if action == "test":
        try:
            alerts.channel_send_code(channel=channel)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("A test message with a 6-digit code is on its way. Type the code below."))
    elif action == "confirm":
        form = ConfirmForm(request.POST)
        if not form.is_valid():
            return _page(request, confirm_forms={channel.pk: form}, status=400)
        try:
            alerts.channel_confirm(channel=channel, code=form.cleaned_data["code"])
        except ValidationError as exc:
            # The form has one field: every refusal is about the code typed.
            add_service_errors(form, exc, lambda _key: "code")
            return _page(request, confirm_forms={channel.pk: form}, status=400)
        messages.success(request, _("Confirmed. Notices will reach you on this channel."))
    elif action == "urgencies":
        form = UrgenciesForm(request.POST)
        if form.is_valid():
            alerts.channel_set_urgencies(channel=channel, urgencies=form.cleaned_data["urgencies"])
            messages.success(request, _("Saved."))
    elif action == "delete":
        alerts.channel_delete(channel=channel)
        messages.success(request, _("Channel removed."))
    else:
        raise PermissionDenied
    return redirect("notifications:my_alerts")


@never_cache
@require_GET
@reach_viewer_required
def reach(request):
    report = alerts.organisation_reach(request.scope.organisation)
    return render(request, "notifications/reach.html", {"report": report, "organisation": request.scope.organisation})
