"""Pages of the staff records: the provider's facilitators (search, pages),
one person's trainings, supervision and qualifications, the forms that add
or correct them, the list of qualifications that expire or are missing,
and a member of staff's own records.

Access: ``staff_records`` (a provider's managers and administrators) for
everything but ``mine`` (a provider's psychologist or social worker:
her own records). Another provider's record is missing (404).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.acting import acting_user
from accounts.permissions import clinical_required, staff_records_required
from core.errors import add_service_errors
from core.search import current_search, handle_search_post
from staffing import selectors, services
from staffing.forms import QualificationForm, RecordForm, SupervisionForm, TrainingForm

PAGE_SIZE = 25


@staff_records_required
def staff_list(request):
    """The provider's psychologists and social workers, with their hours and
    qualifications; searched by name."""
    list_name = "staffing:staff_list"
    if response := handle_search_post(request, list_name):
        return response
    term = current_search(request, list_name)
    page = Paginator(selectors.staff_visible_to(request.scope, term=term), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "staffing/staff_list.html",
        {
            "page": page,
            "today": timezone.localdate(),
            "search_term": term,
            "search_placeholder": _("Name"),
            "filter_query": "",
        },
    )


@staff_records_required
def staff_detail(request, pk: int):
    staff = selectors.get_staff_member_for_user(request.scope, pk)
    return render(
        request,
        "staffing/staff_detail.html",
        {
            "staff": staff,
            "records": selectors.records_of(staff, request.scope.organisation),
            "today": timezone.localdate(),
            "editable": True,
        },
    )


@clinical_required
def mine(request):
    user = acting_user(request)
    return render(
        request,
        "staffing/staff_detail.html",
        {
            "staff": user,
            "records": selectors.own_records(request.scope, user),
            "today": timezone.localdate(),
            "editable": False,
        },
    )


@staff_records_required
def attention(request):
    """Qualifications that expire soon or have expired, and facilitators
    without the qualification their programme asks for."""
    provider, today = request.scope.organisation, timezone.localdate()
    return render(
        request,
        "staffing/attention.html",
        {
            "expiring": selectors.expiring_qualifications(provider, today),
            "missing": selectors.missing_qualifications(provider, today),
            "notice_days": selectors.EXPIRY_NOTICE_DAYS,
            "today": today,
        },
    )


# --- Adding and correcting a record ---------------------------------------------


@dataclass(frozen=True)
class RecordKind:
    form: type[RecordForm]
    save: Any  # the service
    keyword: str  # the service's keyword for the record being corrected
    title_add: Promise
    title_edit: Promise
    saved: Promise


KINDS = {
    "training": RecordKind(
        TrainingForm,
        services.training_save,
        "training",
        gettext_lazy("Add a training"),
        gettext_lazy("Correct a training"),
        gettext_lazy("Training saved."),
    ),
    "supervision": RecordKind(
        SupervisionForm,
        services.supervision_save,
        "supervision",
        gettext_lazy("Add supervision"),
        gettext_lazy("Correct supervision"),
        gettext_lazy("Supervision saved."),
    ),
    "qualification": RecordKind(
        QualificationForm,
        services.qualification_save,
        "qualification",
        gettext_lazy("Add a qualification"),
        gettext_lazy("Correct a qualification"),
        gettext_lazy("Qualification saved."),
    ),
}


def _record_page(request, kind: RecordKind, *, staff, record=None):
    if request.method == "POST":
        form = kind.form(request.POST)
        if form.is_valid():
            target = {kind.keyword: record} if record is not None else {"staff": staff}
            try:
                kind.save(
                    provider=request.scope.organisation, by=acting_user(request), **target, **form.service_kwargs()
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, str(kind.saved))
                return redirect("staffing:staff_detail", staff.pk)
    else:
        form = kind.form(initial=kind.form.initial_for(record)) if record is not None else kind.form()
    title = kind.title_edit if record is not None else kind.title_add
    return render(request, "staffing/record_form.html", {"form": form, "staff": staff, "title": title})


def _add(request, name: str, staff_pk: int):
    staff = selectors.get_staff_member_for_user(request.scope, staff_pk)
    return _record_page(request, KINDS[name], staff=staff)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_records_required
def training_add(request, staff_pk: int):
    return _add(request, "training", staff_pk)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_records_required
def training_edit(request, pk: int):
    record = selectors.get_training_for_user(request.scope, pk)
    return _record_page(request, KINDS["training"], staff=record.staff, record=record)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_records_required
def supervision_add(request, staff_pk: int):
    return _add(request, "supervision", staff_pk)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_records_required
def supervision_edit(request, pk: int):
    record = selectors.get_supervision_for_user(request.scope, pk)
    return _record_page(request, KINDS["supervision"], staff=record.staff, record=record)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_records_required
def qualification_add(request, staff_pk: int):
    return _add(request, "qualification", staff_pk)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_records_required
def qualification_edit(request, pk: int):
    record = selectors.get_qualification_for_user(request.scope, pk)
    return _record_page(request, KINDS["qualification"], staff=record.staff, record=record)
