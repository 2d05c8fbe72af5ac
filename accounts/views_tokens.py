"""The organisation administrator's API token page: the members' tokens,
issuing one (shown once) and revoking one.

Only an organisation's administrator (the ``org_admin`` check) opens these
pages, and only for her own organisation's members: a token of another
organisation is a 404. Issuing and revoking need a code typed in the last
minutes (``accounts.reauth``). The clear token exists only in the answer to
the POST that made it: never in a URL, a message, the log or the session,
and the page is not stored (no-store).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts import tokens
from accounts.acting import acting_user
from accounts.forms import ApiTokenIssueForm
from accounts.permissions import requires
from accounts.reauth import recent_second_factor_required, second_factor_required
from core.confirm import Confirmation, is_confirmed
from core.errors import add_service_errors

org_admin_required = requires("org_admin")


@org_admin_required
@second_factor_required
@require_http_methods(["GET"])
def api_tokens(request):
    rows = tokens.api_tokens_visible_to(request.scope).order_by("user__username", "-created_at")
    return render(request, "accounts/api_tokens.html", {"tokens": rows, "now": timezone.now()})


@sensitive_post_parameters()
@never_cache
@org_admin_required
@recent_second_factor_required
@require_http_methods(["GET", "POST"])
def api_token_issue(request):
    holders = tokens.token_holders(request.scope)
    form = ApiTokenIssueForm(
        request.POST or None,
        holders=holders,
        max_days=tokens.MAX_DAYS,
        default_days=settings.API_TOKEN_DAYS,
    )
    if request.method == "POST" and form.is_valid():
        try:
            row, token = tokens.api_token_issue(
                user=form.cleaned_data["user"],
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
                by=acting_user(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            # Shown in this answer only; a reload posts again and is refused
            # (the name is taken), so the token is never shown twice.
            return render(
                request,
                "accounts/api_token_issued.html",
                {"row": row, "token": token},
            )
    return render(request, "accounts/api_token_issue.html", {"form": form, "holders": holders})


@never_cache
@org_admin_required
@recent_second_factor_required
@require_http_methods(["GET", "POST"])
def api_token_revoke(request, pk: int):
    row = tokens.get_api_token_for_user(request.scope, pk)
    context: dict = {"row": row}
    if request.method == "POST" and row.revoked_at is None:
        if is_confirmed(request):
            tokens.api_token_withdraw(token=row, by=acting_user(request))
            messages.success(
                request,
                _("The token “%(name)s” of %(member)s is revoked: it no longer works.")
                % {"name": row.name, "member": row.user.get_username()},
            )
            return redirect("accounts:api_tokens")
        context["confirm"] = Confirmation.of(
            request,
            what=_(
                "You are about to revoke the token “%(name)s” of %(member)s. Every system that uses it "
                "stops getting answers at once."
            )
            % {"name": row.name, "member": row.user.get_username()},
        )
    return render(request, "accounts/api_token_revoke.html", context)
