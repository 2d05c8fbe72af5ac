"""Referral pages: police entry and status, provider screening and
decision, a provider's own eligibility criteria.

Views parse with a form, call a service or a selector and render. Access:
a wrong role gets 403 from the decorators, a referral outside the user's
organisation 404 from ``get_referral_for_user``.
"""

from __future__ import annotations

import uuid
from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.permissions import (
    can_edit_criteria,
    criteria_editor_required,
    order_extender_required,
    provider_staff_required,
    referrer_required,
)
from core.confirm import Confirmation, is_confirmed
from core.errors import add_service_errors, service_error_dict
from core.search import current_search, handle_search_post
from referrals import services
from referrals.forms import (
    BaseSurvivorFormSet,
    CriterionForm,
    OrderExtensionForm,
    PersonForm,
    ReferralForm,
    ScreeningForm,
    SurvivorFormSet,
)
from referrals.models import Referral, RiskFlag, Screening, Source
from referrals.selectors import (
    criteria_for_provider,
    default_criteria,
    duplicate_referral_ids,
    get_own_criterion,
    get_own_referral_for_user,
    get_referral_for_user,
    own_criteria,
    police_status_history,
    possible_duplicates,
    programme_providers,
    referral_list_for,
    survivor_summaries,
    survivors_entered_by_me,
)

PAGE_SIZE = 25
OPEN_STATUSES = (Referral.Status.RECEIVED, Referral.Status.SCREENING)


def _status_filter(request) -> str:
    status = request.GET.get("status", "")
    return status if status in Referral.Status.values else ""


def _query(**params: str) -> str:
    """Query-string prefix for filter and page links (never a search term)."""
    kept = {k: v for k, v in params.items() if v}
    return urlencode(kept) + "&" if kept else ""


def _page(request, queryset):
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    return page


# --- Police ------------------------------------------------------------------


@referrer_required
def police_list(request):
    """The referrals of the officer's referring body (police unit, court,
    commission, ...), newest first."""
    list_name = "referrals:police_list"
    if response := handle_search_post(request, list_name):
        return response
    term = current_search(request, list_name)
    status = _status_filter(request)
    page = _page(request, referral_list_for(request.scope, status=status, term=term, own=True))
    return render(
        request,
        "referrals/police_list.html",
        {
            "page": page,
            "status": status,
            "statuses": Referral.Status.choices,
            "tab_query": "",
            "filter_query": _query(status=status),
            "search_term": term,
            "search_placeholder": _("Name, order number or R-00012"),
        },
    )


def _add_referral_errors(error: ValidationError, form, person_form, formset) -> None:
    """Map ``referral_create``'s error keys onto the page's forms:
    ``person.<field>``, ``survivors.<i>.<field>`` (``i`` counts the filled-in
    survivor forms), ``survivors``, and the referral's own fields."""
    survivor_forms = formset.filled_forms()
    for key, msgs in service_error_dict(error).items():
        head, _dot, rest = key.partition(".")
        if head == "person" and key != "person":
            person_form.add_error(rest if rest in person_form.fields else None, msgs)
        elif head == "person":
            person_form.add_error(None, msgs)
        elif head == "survivors":
            index, _dot, field = rest.partition(".")
            if index.isdigit() and int(index) < len(survivor_forms):
                target = survivor_forms[int(index)]
                target.add_error(field if field in target.fields else None, msgs)
            else:
                formset.add_non_form_error(msgs)
        else:
            form.add_error(key if key in form.fields else None, msgs)


def _referral_entry(request, *, self_referral: bool):
    """The referral form: a referring body's (to a provider it chooses), or
    a provider's self-referral (to itself, with no order). The same service
    decides both."""
    scope = request.scope
    region = scope.organisation.country
    providers = None if self_referral else programme_providers(scope)
    if request.method == "POST":
        form = ReferralForm(request.POST, providers=providers, body_kind=scope.kind)
        person_form = PersonForm(request.POST, prefix="person", region=region)
        formset = _survivor_formset(region, request.POST)
        valid = [form.is_valid(), person_form.is_valid(), formset.is_valid()]
        if all(valid):
            data = form.cleaned_data
            try:
                referral, created = services.referral_create(
                    by=request.user,
                    provider=scope.organisation if self_referral else data["provider"],
                    source=Source.SELF if self_referral else data.get("source", ""),
                    person=person_form.cleaned_data,
                    survivors=formset.survivors_data(),
                    order=form.order_data(),
                    incident_description=data["incident_description"],
                    risk_flags=data["risk_flags"],
                    submission_key=data["submission_key"],
                )
            except ValidationError as exc:
                _add_referral_errors(exc, form, person_form, formset)
            else:
                _referral_recorded(request, referral, created=created, self_referral=self_referral)
                return redirect("referrals:screen" if self_referral else "referrals:police_detail", referral.pk)
    else:
        form = ReferralForm(providers=providers, body_kind=scope.kind, initial={"submission_key": uuid.uuid4()})
        person_form = PersonForm(prefix="person", region=region)
        formset = _survivor_formset(region)
    return render(
        request,
        "referrals/create.html",
        {"form": form, "person_form": person_form, "formset": formset, "self_referral": self_referral},
    )


def _survivor_formset(region: str, data=None) -> BaseSurvivorFormSet:
    return cast(BaseSurvivorFormSet, SurvivorFormSet(data, prefix="survivors", form_kwargs={"region": region}))


def _referral_recorded(request, referral: Referral, *, created: bool, self_referral: bool) -> None:
    if not created:
        messages.info(request, _("This referral was already recorded."))
    elif self_referral:
        messages.success(
            request, _("Self-referral %(ref)s has been recorded. Screen it as any other referral.") % {"ref": referral}
        )
    else:
        messages.success(request, _("Referral %(ref)s has been recorded and sent to the provider.") % {"ref": referral})


@referrer_required
def create(request):
    return _referral_entry(request, self_referral=False)


@provider_staff_required
def self_create(request):
    """A person who came to the provider on their own: its staff record the
    self-referral, which then goes to screening like any other."""
    return _referral_entry(request, self_referral=True)


@referrer_required
def police_detail(request, pk: int):
    """Status of one referral as the referring police unit sees it. Nothing
    clinical; the survivors only for the officer who entered them."""
    referral = get_own_referral_for_user(request.scope, pk)
    # The extensions are listed and give the current expiry: read once.
    prefetch_related_objects([referral], "order_extensions")
    entered_by_me = referral.created_by_id == request.user.pk
    survivors = survivors_entered_by_me(request.scope, referral, via="referrals:police_detail")
    return render(
        request,
        "referrals/police_detail.html",
        {
            "referral": referral,
            "history": police_status_history(request.scope, referral),
            "extensions": referral.order_extensions.all(),
            "entered_by_me": entered_by_me,
            "survivors": survivors,
            # New violence is reported on the case, once the provider has opened one.
            # (the reverse one-to-one raises an AttributeError subclass when there is none).
            "case_id": getattr(getattr(referral, "case", None), "pk", None),
        },
    )


@order_extender_required
def extend_order(request, pk: int):
    referral = get_own_referral_for_user(request.scope, pk)
    if request.method == "POST":
        form = OrderExtensionForm(request.POST)
        if form.is_valid():
            try:
                services.referral_extend_order(referral=referral, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The extension of the protection order has been recorded."))
                return redirect("referrals:police_detail", referral.pk)
    else:
        form = OrderExtensionForm(
            initial={"extended_on": timezone.localdate(), "obliges_programme": referral.order_obliges_programme}
        )
    return render(request, "referrals/extend_order.html", {"referral": referral, "form": form})


# --- Provider staff ----------------------------------------------------------


@provider_staff_required
def incoming(request):
    """Referrals to the user's provider: those still to decide first, all of
    them on the second tab."""
    list_name = "referrals:incoming"
    if response := handle_search_post(request, list_name):
        return response
    term = current_search(request, list_name)
    tab = "all" if request.GET.get("tab") == "all" else "open"
    status = _status_filter(request) if tab == "all" else ""
    page = _page(request, referral_list_for(request.scope, status=status, term=term, open_only=tab == "open"))
    return render(
        request,
        "referrals/incoming.html",
        {
            "page": page,
            "tab": tab,
            "status": status,
            "statuses": Referral.Status.choices,
            "tab_query": _query(tab="all" if tab == "all" else ""),
            "filter_query": _query(tab="all" if tab == "all" else "", status=status),
            "duplicates": duplicate_referral_ids(page.object_list),
            "search_term": term,
            "search_placeholder": _("Name, order number or R-00012"),
            "can_edit_criteria": can_edit_criteria(request.scope),
        },
    )


def _intake_url(referral: Referral) -> str | None:
    try:
        return reverse("casework:intake", args=[referral.pk])
    except NoReverseMatch:
        return None


SCREEN_ACTIONS = {
    "save": gettext_lazy("Screening saved."),
    "accept": gettext_lazy("Referral accepted. The referring body is told and sees the new status."),
    "decline": gettext_lazy("Referral declined. The referring body is told and sees the reason."),
}
# A self-referral has no referring body but the provider: nobody else is told.
SELF_SCREEN_ACTIONS = {
    "save": SCREEN_ACTIONS["save"],
    "accept": gettext_lazy("Self-referral accepted."),
    "decline": gettext_lazy("Self-referral declined."),
}


@provider_staff_required
def screen(request, pk: int):
    """Screen a referral against the provider's criteria; accept or decline.
    Accepting and declining ask first: the first valid POST shows what will
    happen and who sees it, and only the confirmed POST decides."""
    referral = get_referral_for_user(request.scope, pk)
    screening = Screening.objects.filter(referral=referral).first()
    criteria = criteria_for_provider(referral.provider)
    confirm = None
    if request.method == "POST":
        form = ScreeningForm(request.POST, criteria=criteria, screening=screening)
        action = request.POST.get("action")
        if action not in SCREEN_ACTIONS:
            form.add_error(None, _("Choose Save screening, Accept or Decline."))
        elif form.is_valid():
            try:
                if action != "save" and not is_confirmed(request):
                    _decision_check(referral, request.user, action, form)
                    confirm = _decision_confirmation(request, referral, action, form)
                else:
                    _screen_and_decide(referral, request.user, action, form)
            except ValidationError as exc:
                add_service_errors(form, exc, form.error_field)
            else:
                if confirm is None:
                    done = SELF_SCREEN_ACTIONS if _is_self_referral(referral) else SCREEN_ACTIONS
                    messages.success(request, done[action])
                    return redirect("referrals:screen", referral.pk)
    else:
        form = ScreeningForm(criteria=criteria, screening=screening)
    answers = screening.answers if screening else {}
    answer_labels = dict(Screening.Answer.choices)
    return render(
        request,
        "referrals/screen.html",
        {
            "referral": referral,
            "form": form,
            "screening": screening,
            "decided": referral.status not in OPEN_STATUSES,
            "recorded_answers": [(c, answer_labels.get(answers.get(c.code), "—")) for c in criteria],
            "can_edit_criteria": can_edit_criteria(request.scope),
            "survivors": survivor_summaries(referral),
            "risk_flags": [RiskFlag(code).label for code in referral.risk_flags if code in RiskFlag.values],
            "duplicates": possible_duplicates(referral),
            "extensions": referral.order_extensions.all(),
            "intake_url": _intake_url(referral) if referral.status == Referral.Status.ACCEPTED else None,
            "confirm": confirm,
        },
    )


def _screen_and_decide(referral: Referral, by, action: str, form: ScreeningForm) -> None:
    # One decision: the answers are kept only if the step succeeds.
    with transaction.atomic():
        services.screening_save(
            referral=referral,
            by=by,
            answers=form.answers(),
            notes=form.cleaned_data["notes"],
            decline_reason=form.cleaned_data["reason"],
            decline_explanation=form.cleaned_data["explanation"],
        )
        if action == "accept":
            services.referral_accept(referral=referral, by=by)
        elif action == "decline":
            services.referral_decline(
                referral=referral,
                by=by,
                reason=form.cleaned_data["reason"],
                explanation=form.cleaned_data["explanation"],
            )


def _decision_check(referral: Referral, by, action: str, form: ScreeningForm) -> None:
    """What accepting or declining would refuse, before asking to confirm."""
    if action == "accept":
        services.referral_accept_check(referral=referral, by=by, answers=form.answers())
    else:
        services.referral_decline_check(
            referral=referral, by=by, reason=form.cleaned_data["reason"], explanation=form.cleaned_data["explanation"]
        )


def _is_self_referral(referral: Referral) -> bool:
    return referral.source == Source.SELF and referral.referring_body_id == referral.provider_id


def _decision_confirmation(request, referral: Referral, action: str, form: ScreeningForm) -> Confirmation:
    names = {"reference": referral.reference, "name": referral.person.full_name}
    if action == "accept":
        what = _("You are about to accept referral %(reference)s (%(name)s) into your programme.") % names
        tells = _("It tells: %(unit)s, which sees the new status.") % {"unit": referral.referring_body.shown_name}
    else:
        reason = dict(Referral.DeclineReason.choices).get(form.cleaned_data["reason"], "")
        what = _("You are about to decline referral %(reference)s (%(name)s): %(reason)s.") % {
            **names,
            "reason": reason,
        }
        tells = _("It tells: %(unit)s, which sees the reason and the explanation.") % {
            "unit": referral.referring_body.shown_name
        }
    if _is_self_referral(referral):
        tells = _("A self-referral: nobody outside your organisation is told.")
    return Confirmation.of(request, what=what, tells=tells)


# --- A provider's own eligibility criteria -----------------------------------


@criteria_editor_required
def criteria(request):
    provider = request.scope.organisation
    own = list(own_criteria(provider))
    return render(
        request,
        "referrals/criteria.html",
        {
            "provider": provider,
            "own": own,
            "any_active": any(c.is_active for c in own),
            "defaults": [] if own else list(default_criteria(provider.country)),
        },
    )


@criteria_editor_required
@require_POST
def criteria_adopt(request):
    created = services.criteria_adopt_defaults(provider=request.scope.organisation, by=request.user)
    if created:
        messages.success(
            request,
            _("%(n)d criteria copied. Your organisation's criteria now apply to new screenings.") % {"n": len(created)},
        )
    else:
        messages.info(request, _("There was nothing to copy."))
    return redirect("referrals:criteria")


def _criterion_page(request, criterion=None):
    provider = request.scope.organisation
    if request.method == "POST":
        form = CriterionForm(request.POST)
        if form.is_valid():
            try:
                services.criterion_save(provider=provider, by=request.user, criterion=criterion, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Criterion saved."))
                return redirect("referrals:criteria")
    elif criterion is not None:
        form = CriterionForm(
            initial={
                field: getattr(criterion, field)
                for field in ("code", "text_ru", "text_en", "effect", "position", "is_active")
            }
        )
    else:
        form = CriterionForm()
    return render(
        request,
        "referrals/criterion_form.html",
        {
            "form": form,
            "criterion": criterion,
            "replaces_defaults": criterion is None and not own_criteria(provider).filter(is_active=True).exists(),
        },
    )


@criteria_editor_required
def criterion_add(request):
    return _criterion_page(request)


@criteria_editor_required
def criterion_edit(request, pk: int):
    return _criterion_page(request, get_own_criterion(request.scope, pk))


@criteria_editor_required
@require_POST
def criterion_deactivate(request, pk: int):
    criterion = get_own_criterion(request.scope, pk)
    services.criterion_deactivate(criterion=criterion, by=request.user)
    messages.success(request, _("Criterion deactivated. Earlier screenings keep their answers."))
    return redirect("referrals:criteria")
