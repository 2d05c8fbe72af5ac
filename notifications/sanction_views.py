"""The "Record what followed" page of a dropout, expulsion or
non-compliance notice, for the police unit or the court it went to."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.acting import acting_user
from accounts.permissions import requires
from core.errors import add_service_errors
from notifications.sanction_forms import SanctionForm
from notifications.sanctions import current_sanction, may_record_sanction, sanction_record, sanctions_of
from notifications.selectors import get_notice_for_user


@never_cache
@require_http_methods(["GET", "POST"])
@requires("sanction_recorder")
def record_sanction(request, pk: int):
    notice = get_notice_for_user(request.scope, pk)
    if not may_record_sanction(request.scope, notice):
        # Another kind of notice, or one escalated here from elsewhere: no such page.
        raise Http404("No outcome is recorded for this notice here.")
    current = current_sanction(notice)
    if request.method == "POST":
        form = SanctionForm(request.POST, notice=notice)
        if form.is_valid():
            try:
                sanction_record(
                    notice=notice, by=acting_user(request), replaces=form.cleaned_data["replaces"], **form.parameters()
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("What followed the notice is recorded. The programme staff see it."))
                return redirect("notifications:notice_detail", pk=notice.pk)
    else:
        form = SanctionForm(notice=notice, current=current)
    return render(
        request,
        "notifications/record_sanction.html",
        {"notice": notice, "event": notice.event, "form": form, "current": current, "history": sanctions_of(notice)},
    )
