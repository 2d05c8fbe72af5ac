"""A participant's stay at a residential centre, recorded or corrected
after the enrolment (the departure, once known).

Psychologists and social workers of the provider (403 for other roles); an
enrolment outside the provider is missing (404). The enrolment page records
the stay when the person joins a group at a residential centre
(``views_setup.enrol``); this page is for what is learnt later.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.permissions import clinical_required
from core.errors import add_service_errors
from programmes import services
from programmes.forms_setup import StayForm
from programmes.models import Enrolment, Group, ResidentialStay
from programmes.selectors import get_enrolment_for_user, police_units_for


def _stay_refused(enrolment: Enrolment) -> str | None:
    """Why no stay is recorded for this enrolment (as ``stay_record`` would say)."""
    if enrolment.status != Enrolment.Status.ACTIVE:
        return _("This enrolment has already ended.")
    if enrolment.group is None or enrolment.group.setting != Group.Setting.RESIDENTIAL:
        return _("Stay dates are recorded only for a group at a residential centre.")
    return None


@never_cache
@require_http_methods(["GET", "POST"])
@clinical_required
def stay_edit(request, pk: int):
    enrolment = get_enrolment_for_user(request.scope, pk)
    refused = _stay_refused(enrolment)
    current = ResidentialStay.objects.filter(enrolment=enrolment).select_related("police_unit").first()
    form = None
    if refused is None:
        units = police_units_for(enrolment.provider)
        if request.method == "POST":
            form = StayForm(request.POST, police_units=units)
            if form.is_valid():
                try:
                    services.stay_record(enrolment=enrolment, by=request.user, stay=form.stay())
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(request, _("Stay of case %(case)s saved.") % {"case": enrolment.case.number})
                    return redirect("programmes:group_detail", enrolment.group_id)
        else:
            form = StayForm(initial=StayForm.initial_for(current), police_units=units)
    return render(
        request,
        "programmes/setup/stay.html",
        {"enrolment": enrolment, "case": enrolment.case, "form": form, "refused": refused},
    )
