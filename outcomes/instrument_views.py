"""The programme manager's questionnaire page: the questionnaires offered to
the organisation, loading a new one from a file, exporting one in the
same format, and the organisation's rule for unanswered items.

Views are thin: the decorator decides the role (403), a selector the
questionnaire (404 for one not offered to the organisation), the
services in ``outcomes.instrument_file`` and ``outcomes.services`` check
and write.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import manager_required
from core.errors import add_service_errors
from outcomes import instrument_file, selectors, services
from outcomes.forms import InstrumentUploadForm, ScoringSettingsForm


def _page(request, upload_form, settings_form=None):
    organisation = request.scope.organisation
    if settings_form is None:
        prorate = "yes" if selectors.prorates_missing(organisation) else "no"
        settings_form = ScoringSettingsForm(initial={"prorate_missing": prorate})
    return render(
        request,
        "outcomes/instruments.html",
        {
            "instruments": selectors.instruments_listed_for(organisation),
            "form": upload_form,
            "settings_form": settings_form,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
@manager_required
def instruments(request):
    form = InstrumentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = instrument_file.parse(upload.read(), filename=upload.name)
            instrument = instrument_file.instrument_load(
                data=data, by=request.user, organisation=request.scope.organisation
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Questionnaire loaded: %(name)s, version %(version)d.")
                % {"name": instrument.label, "version": instrument.version},
            )
            return redirect("outcomes:instruments")
    return _page(request, form)


@never_cache
@require_POST
@manager_required
def scoring_settings(request):
    form = ScoringSettingsForm(request.POST)
    if form.is_valid():
        try:
            services.scoring_settings_set(
                organisation=request.scope.organisation,
                by=request.user,
                prorate_missing=form.cleaned_data["prorate_missing"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The rule for unanswered items is saved."))
            return redirect("outcomes:instruments")
    return _page(request, InstrumentUploadForm(), form)


@never_cache
@require_GET
@manager_required
def instrument_export(request, pk: int):
    instrument = selectors.get_instrument_for_user(request.scope, pk)
    body = instrument_file.dump(instrument_file.instrument_export(instrument))
    response = HttpResponse(body, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{instrument.code}-v{instrument.version}.yaml"'
    return response
