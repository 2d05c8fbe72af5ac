"""Case pages: intake, case lists and detail, risk, consents, survivor
contact, referral to a survivor service, safety plan.

Views are thin: a decorator decides the role (403), a selector the object
(404 outside the user's organisation), a form parses, a service writes.
Survivors are named "Survivor 1 — Partner / spouse" everywhere except on the
survivor page, which only survivor-service workers reach and which records
every read. Every page here sends ``Cache-Control: no-store``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import (
    case_reader_required,
    clinical_required,
    party_required,
    provider_staff_required,
    survivor_worker_required,
)
from casework import services
from casework.events import SAFETY_TRAIL
from casework.filters import CaseFilter
from casework.forms import (
    SURVIVOR_KINDS,
    ConsentRecordForm,
    IntakeConsentForm,
    IntakeInterviewForm,
    ReferSurvivorServiceForm,
    RiskAssessmentForm,
    RiskReassessForm,
    SafetyPlanForm,
    SurvivorContactForm,
    survivor_labels,
)
from casework.models import Case, Consent, RiskInstrument, SafetyPlan
from casework.selectors import (
    case_therapy_records,
    cases_visible_to,
    get_case_for_user,
    get_safety_plan_version_for_user,
    get_survivor_for_user,
    has_consent,
    instruments_for,
    safety_plan_for,
    safety_plan_versions,
    survivor_record,
    survivor_service_cases,
    survivor_services_choosable,
)
from core.errors import add_service_errors, service_error_dict
from core.events import ask
from core.search import current_search, handle_search_post
from referrals.models import Referral, RiskFlag, Survivor
from referrals.selectors import get_referral_for_user, timeline_for

PAGE_SIZE = 25
REVIEW_DUE_DAYS = 7
BASIC_INSTRUMENT = "basic-checklist"

# Survivor columns that may be loaded on pages that must not show her name,
# phone or address (the encrypted columns stay deferred and unread).
SURVIVOR_PLAIN_FIELDS = ("id", "referral_id", "relationship", "consents_to_contact", "children_in_household")


# --- helpers -----------------------------------------------------------------


def _put_error(form: Form, field: str | None, messages_: list[str]) -> None:
    form.add_error(field if field in form.fields else None, messages_)


def _labelled_survivors(referral: Referral) -> list[tuple[Survivor, str]]:
    return survivor_labels(referral.survivors.only(*SURVIVOR_PLAIN_FIELDS))


def _label_of(referral: Referral, survivor: Survivor) -> str:
    return dict((s.pk, label) for s, label in _labelled_survivors(referral))[survivor.pk]


def _decision_label(decision: str | None) -> str:
    return Consent.Decision(decision).label if decision else _("Not recorded")


def _consent_state(case: Case) -> tuple[str | None, dict[int, dict[str, str]]]:
    """The latest decision of the person, and per survivor per kind."""
    person: str | None = None
    by_survivor: dict[int, dict[str, str]] = {}
    for consent in case.consents.order_by("recorded_at", "id"):
        if consent.survivor_id is None:
            person = consent.decision
        else:
            by_survivor.setdefault(consent.survivor_id, {})[consent.kind] = consent.decision
    return person, by_survivor


def _survivor_rows(
    case: Case, *, with_plans: bool = False, decisions: dict[int, dict[str, str]] | None = None
) -> list[dict]:
    """One row per survivor; ``decisions``: her consents, when the page has
    read them already (``_consent_state``)."""
    if decisions is None:
        _person, decisions = _consent_state(case)
    plans = {}
    if with_plans:
        plans = {
            p.survivor_id: p for p in SafetyPlan.objects.filter(case=case).only("id", "survivor_id", "next_review_on")
        }
    rows = []
    for survivor, label in _labelled_survivors(case.referral):
        mine = decisions.get(survivor.pk, {})
        contact = mine.get(Consent.Kind.SURVIVOR_CONTACT)
        sharing = mine.get(Consent.Kind.SURVIVOR_SHARING)
        plan = plans.get(survivor.pk)
        rows.append(
            {
                "survivor": survivor,
                "label": label,
                "contact": contact,
                "contact_label": _decision_label(contact),
                "may_contact": contact == Consent.Decision.GIVEN,
                "sharing_label": _decision_label(sharing),
                "plan_review": plan.next_review_on if plan else None,
                "review_state": _review_state(plan.next_review_on if plan else None),
            }
        )
    return rows


def _review_state(date: dt.date | None) -> str:
    if date is None:
        return ""
    today = timezone.localdate()
    if date < today:
        return "overdue"
    if date <= today + dt.timedelta(days=REVIEW_DUE_DAYS):
        return "due"
    return "later"


def _chosen_instrument(instruments: QuerySet[RiskInstrument], raw: str | None) -> RiskInstrument | None:
    chosen = None
    if raw:
        try:
            chosen = next((i for i in instruments if i.pk == int(raw)), None)
        except (TypeError, ValueError):
            chosen = None
    if chosen is None:
        chosen = next((i for i in instruments if i.code == BASIC_INSTRUMENT), None)
    return chosen or next(iter(instruments), None)


def _flagged_items(instrument: RiskInstrument, flags: Iterable[str]) -> list[str]:
    flags = set(flags)
    return [item.code for item in instrument.items.all() if item.referral_flag and item.referral_flag in flags]


def _risk_flag_labels(referral: Referral) -> list[str]:
    labels = dict(RiskFlag.choices)
    return [str(labels.get(flag, flag)) for flag in referral.risk_flags]


def _view_name(request) -> str:
    return request.resolver_match.view_name


def _back_to_case(request, case: Case, survivor: Survivor | None = None):
    if survivor is not None and request.scope.is_survivor_worker:
        return redirect("casework:survivor_detail", pk=case.pk, survivor_pk=survivor.pk)
    return redirect("casework:case_detail", pk=case.pk)


# --- lists -------------------------------------------------------------------


def _case_page(request, url_name: str, cases, *, search_names: bool, placeholder: str) -> tuple[Page, dict]:
    """One page of a list of cases, filtered and searched as the list keeps
    its search (``core.search``), and the context both lists show it with;
    ``search_names``: the search also looks at the person's names."""
    term = current_search(request, url_name)
    found = CaseFilter(request.GET, cases, search=term, search_names=search_names)
    page = Paginator(found.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filter_form": found.form,
        "search_term": term,
        "search_placeholder": placeholder,
        "filtered": found.is_filtered,
    }
    return page, context


@never_cache
@require_http_methods(["GET", "POST"])
@provider_staff_required
def case_list(request):
    searched = handle_search_post(request, "casework:case_list")
    if searched:
        return searched
    _page, context = _case_page(
        request,
        "casework:case_list",
        cases_visible_to(request.scope),
        search_names=True,
        placeholder=_("Name or case number"),
    )
    return render(request, "casework/case_list.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@survivor_worker_required
def survivor_cases(request):
    searched = handle_search_post(request, "casework:survivor_cases")
    if searched:
        return searched
    # Survivor workers search by case number only: the person's names are not theirs to search.
    page, context = _case_page(
        request,
        "casework:survivor_cases",
        survivor_service_cases(request.scope),
        search_names=False,
        placeholder=_("Case number"),
    )
    rows = []
    for case in page:
        reviews = [p.next_review_on for p in case.safety_plans.all()]
        next_review = min(reviews) if reviews else None
        rows.append(
            {
                "case": case,
                "relationships": ", ".join(str(s.get_relationship_display()) for s in case.referral.survivors.all()),
                "next_review": next_review,
                "review_state": _review_state(next_review),
            }
        )
    return render(request, "casework/survivor_cases.html", {**context, "rows": rows})


# --- intake ------------------------------------------------------------------


@dataclass
class _IntakeForms:
    interview: IntakeInterviewForm
    consent: IntakeConsentForm
    risk: RiskAssessmentForm | None


def _intake_not_open(request, referral: Referral) -> HttpResponse | None:
    """Where to send the user when this referral cannot go to intake."""
    existing = Case.objects.filter(referral=referral).only("pk").first()
    if existing is not None:
        messages.info(request, _("Intake has already been done for this referral."))
        return redirect("casework:case_detail", pk=existing.pk)
    if referral.status != Referral.Status.ACCEPTED:
        messages.error(request, _("Only an accepted referral can go to intake."))
        return redirect("referrals:incoming")
    return None


def _intake_forms(
    data, referral: Referral, instrument: RiskInstrument | None, instruments: QuerySet[RiskInstrument]
) -> _IntakeForms:
    survivors = _labelled_survivors(referral)
    interview_form = IntakeInterviewForm(
        data,
        prefix="interview",
        initial={"interviewed_on": timezone.localdate(), "language": referral.person.preferred_language},
    )
    consent_form = IntakeConsentForm(data, prefix="consents", survivors=survivors)
    risk_form = (
        RiskAssessmentForm(
            data,
            prefix="risk",
            instrument=instrument,
            instruments=instruments,
            ticked=_flagged_items(instrument, referral.risk_flags),
        )
        if instrument
        else None
    )
    return _IntakeForms(interview_form, consent_form, risk_form)


def _submit_intake(request, referral: Referral, forms: _IntakeForms, risk_form: RiskAssessmentForm):
    """Validate the three forms and complete the intake. Returns (case, page
    errors); case is None when nothing was recorded."""
    valid = [form.is_valid() for form in (forms.interview, forms.consent, risk_form)]
    if not all(valid):
        return None, []
    try:
        case = services.intake_complete(
            referral=referral,
            by=request.user,
            interview=forms.interview.cleaned_data,
            person_release=forms.consent.cleaned_data["person_release"],
            survivor_consents=forms.consent.survivor_consents(),
            instrument=risk_form.cleaned_data["instrument"],
            risk_answers=risk_form.answers(),
            risk_notes=risk_form.cleaned_data["notes"],
        )
    except ValidationError as exc:
        return None, _route_intake_errors(exc, forms.interview, forms.consent, risk_form)
    return case, []


@never_cache
@require_http_methods(["GET", "POST"])
@clinical_required
def intake(request, referral_pk: int):
    scope = request.scope
    referral = get_referral_for_user(scope, referral_pk)
    not_open = _intake_not_open(request, referral)
    if not_open is not None:
        return not_open

    instruments = instruments_for(scope)
    raw_instrument = request.POST.get("risk-instrument") if request.method == "POST" else request.GET.get("instrument")
    instrument = _chosen_instrument(instruments, raw_instrument)
    data = request.POST if request.method == "POST" else None
    forms = _intake_forms(data, referral, instrument, instruments)
    page_errors: list[str] = []
    if instrument is None:
        page_errors.append(_("No risk instrument is available to your organisation."))

    if data is not None and forms.risk is not None:
        case, submit_errors = _submit_intake(request, referral, forms, forms.risk)
        if case is not None:
            messages.success(request, _("Intake recorded: case %(number)s is open.") % {"number": case.number})
            return redirect("casework:case_detail", pk=case.pk)
        page_errors += submit_errors

    return render(
        request,
        "casework/intake.html",
        {
            "referral": referral,
            "person": referral.person,
            "risk_flags": _risk_flag_labels(referral),
            "interview_form": forms.interview,
            "consent_form": forms.consent,
            "risk_form": forms.risk,
            "instruments": instruments,
            "instrument": instrument,
            "page_errors": page_errors,
        },
    )


def _route_intake_errors(exc, interview_form, consent_form, risk_form) -> list[str]:
    """Keys from intake_complete: ``interview.<field>``, ``person_release``,
    ``survivor_consents[.<id>.<kind>]``, ``instrument``, ``risk.answers``,
    ``risk.notes``, ``__all__``."""
    page_errors: list[str] = []
    for key, messages_ in service_error_dict(exc).items():
        head, _dot, rest = key.partition(".")
        if head == "interview":
            _put_error(interview_form, rest, messages_)
        elif head == "risk":
            _put_error(risk_form, rest, messages_)
        elif head == "instrument":
            _put_error(risk_form, None, messages_)
        elif head == "person_release":
            _put_error(consent_form, "person_release", messages_)
        elif head == "survivor_consents":
            survivor_id, _dot, kind = rest.partition(".")
            field = IntakeConsentForm.field_name(survivor_id, kind) if kind else None
            _put_error(consent_form, field, messages_)
        else:
            page_errors.extend(messages_)
    return page_errors


# --- case detail -------------------------------------------------------------


@never_cache
@require_GET
@case_reader_required
def case_detail(request, pk: int):
    scope = request.scope
    case = get_case_for_user(scope, pk)
    referral = case.referral
    context = {
        "case": case,
        "referral": referral,
        "timeline": timeline_for(scope, referral),
        "safety_trail": ask(SAFETY_TRAIL, scope=scope, case=case),
    }
    if scope.is_clinical:
        person_release, decisions = _consent_state(case)
        # The intake interview and risk notes are therapy records: the selector logs the read.
        intake, assessments = case_therapy_records(scope, case, via=_view_name(request))
        context.update(
            intake=intake,
            assessments=assessments,
            person_release_label=_decision_label(person_release),
            survivors=_survivor_rows(case, decisions=decisions),
            services=case.survivor_services.select_related("organisation"),
        )
    elif scope.is_survivor_worker:
        context.update(
            risk_flags=_risk_flag_labels(referral),
            survivors=_survivor_rows(case, with_plans=True),
        )
    return render(request, "casework/case_detail.html", context)


# --- risk --------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@clinical_required
def risk_reassess(request, pk: int):
    scope = request.scope
    case = get_case_for_user(scope, pk)
    instruments = instruments_for(scope)
    raw = request.POST.get("instrument") if request.method == "POST" else request.GET.get("instrument")
    instrument = _chosen_instrument(instruments, raw)
    if instrument is None:
        messages.error(request, _("No risk instrument is available to your organisation."))
        return redirect("casework:case_detail", pk=case.pk)
    latest = case.risk_assessments.filter(instrument=instrument).first()
    ticked = (
        [code for code, yes in latest.answers.items() if yes]
        if latest
        else _flagged_items(instrument, case.referral.risk_flags)
    )
    form = RiskReassessForm(
        request.POST if request.method == "POST" else None,
        instrument=instrument,
        instruments=instruments,
        ticked=ticked,
    )
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.risk_reassess(
                case=case,
                by=request.user,
                instrument=form.cleaned_data["instrument"],
                answers=form.answers(),
                notes=form.cleaned_data["notes"],
                submission_key=form.cleaned_data["submission_key"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Risk reassessed: score %(score)d, level %(level)s.")
                % {"score": assessment.score, "level": assessment.get_level_display()},
            )
            return redirect("casework:risk_reassess", pk=case.pk)
    return render(
        request,
        "casework/risk_reassess.html",
        {
            "case": case,
            "form": form,
            "instrument": instrument,
            "instruments": instruments,
            "history": case.risk_assessments.select_related("instrument", "assessed_by"),
        },
    )


# --- consents ----------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@party_required
def consent_record(request, pk: int):
    scope = request.scope
    case = get_case_for_user(scope, pk)
    survivors = _labelled_survivors(case.referral)
    kinds = [k for k, _label in Consent.Kind.choices] if scope.is_clinical else list(SURVIVOR_KINDS)
    initial = {}
    if request.GET.get("survivor"):
        initial = {"survivor": request.GET["survivor"], "kind": Consent.Kind.SURVIVOR_CONTACT}
    form = ConsentRecordForm(
        request.POST if request.method == "POST" else None, survivors=survivors, kinds=kinds, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        survivor = form.survivor_object()
        try:
            services.consent_record(
                case=case,
                by=request.user,
                kind=form.cleaned_data["kind"],
                decision=form.cleaned_data["decision"],
                survivor=survivor,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Consent recorded."))
            return _back_to_case(request, case, survivor)
    person_release, decisions = _consent_state(case)
    return render(
        request,
        "casework/consent_record.html",
        {
            "case": case,
            "form": form,
            "survivors": _survivor_rows(case, decisions=decisions),
            "person_release_label": _decision_label(person_release) if scope.is_clinical else None,
        },
    )


# --- survivors ---------------------------------------------------------------


@never_cache
@require_GET
@survivor_worker_required
def survivor_detail(request, pk: int, survivor_pk: int):
    scope = request.scope
    case = get_case_for_user(scope, pk)
    survivor = get_survivor_for_user(scope, case, survivor_pk)
    consents = list(case.consents.filter(survivor=survivor).select_related("recorded_by__membership__organisation"))
    latest: dict[str, str] = {}
    for consent in consents:
        latest[consent.kind] = consent.decision
    plan = SafetyPlan.objects.filter(survivor=survivor).only("id", "survivor_id", "next_review_on").first()

    # Her name, phone, address and the contact log reach a survivor service
    # only while her latest decision on sharing is "given".
    shared = latest.get(Consent.Kind.SURVIVOR_SHARING) == Consent.Decision.GIVEN
    contacts = []
    if shared:
        # One row per view: her record, with its contact log, was read.
        contacts = survivor_record(scope, case, survivor, via=_view_name(request))
    return render(
        request,
        "casework/survivor_detail.html",
        {
            "case": case,
            "survivor": survivor,
            "label": _label_of(case.referral, survivor),
            "shared": shared,
            "contacts": contacts,
            "consents": consents,
            "contact_label": _decision_label(latest.get(Consent.Kind.SURVIVOR_CONTACT)),
            "sharing_label": _decision_label(latest.get(Consent.Kind.SURVIVOR_SHARING)),
            "may_contact": latest.get(Consent.Kind.SURVIVOR_CONTACT) == Consent.Decision.GIVEN,
            "plan": plan,
            "review_state": _review_state(plan.next_review_on if plan else None),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
@party_required
def survivor_contact(request, pk: int, survivor_pk: int):
    scope = request.scope
    case = get_case_for_user(scope, pk)
    survivor = get_survivor_for_user(scope, case, survivor_pk)
    form = SurvivorContactForm(
        request.POST if request.method == "POST" else None, initial={"contacted_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.survivor_contact_log(case=case, survivor=survivor, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Contact logged."))
            return _back_to_case(request, case, survivor)
    return render(
        request,
        "casework/survivor_contact.html",
        {
            "case": case,
            "survivor": survivor,
            "label": _label_of(case.referral, survivor),
            "form": form,
            "may_contact": has_consent(case, survivor, Consent.Kind.SURVIVOR_CONTACT),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
@clinical_required
def refer_survivor_service(request, pk: int):
    scope = request.scope
    case = get_case_for_user(scope, pk)
    form = ReferSurvivorServiceForm(
        request.POST if request.method == "POST" else None, services=survivor_services_choosable(case)
    )
    if request.method == "POST" and form.is_valid():
        try:
            link = services.survivor_service_refer(
                case=case, organisation=form.cleaned_data["organisation"], by=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("The case is referred to %(service)s.") % {"service": link.organisation.shown_name}
            )
            return redirect("casework:case_detail", pk=case.pk)
    return render(
        request,
        "casework/refer_survivor_service.html",
        {
            "case": case,
            "form": form,
            "survivors": _survivor_rows(case),
            "services": case.survivor_services.select_related("organisation"),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
@survivor_worker_required
def safety_plan(request, pk: int, survivor_pk: int):
    scope = request.scope
    case = get_case_for_user(scope, pk)
    survivor = get_survivor_for_user(scope, case, survivor_pk)
    # The stored plan is on this page (read-only or in the form): the selector logs the read.
    plan = safety_plan_for(scope, case, survivor, via=_view_name(request))
    editing = request.method == "POST" or plan is None or request.GET.get("edit") == "1"
    form = None
    if editing:
        form = SafetyPlanForm(request.POST if request.method == "POST" else None, instance=plan)
        if request.method == "POST" and form.is_valid():
            try:
                services.safety_plan_save(case=case, survivor=survivor, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Safety plan saved."))
                return redirect("casework:safety_plan", pk=case.pk, survivor_pk=survivor.pk)
    return render(
        request,
        "casework/safety_plan.html",
        {
            "case": case,
            "survivor": survivor,
            "label": _label_of(case.referral, survivor),
            "plan": plan,
            "form": form,
            "review_state": _review_state(plan.next_review_on if plan else None),
        },
    )


@never_cache
@require_GET
@survivor_worker_required
def safety_plan_history(request, pk: int, survivor_pk: int):
    """Every saved version of the plan: who saved it and when, no plan text."""
    scope = request.scope
    case = get_case_for_user(scope, pk)
    survivor = get_survivor_for_user(scope, case, survivor_pk)
    page = Paginator(safety_plan_versions(survivor), PAGE_SIZE).get_page(request.GET.get("page"))
    first_number = page.paginator.count - page.start_index() + 1
    return render(
        request,
        "casework/safety_plan_versions.html",
        {
            "case": case,
            "survivor": survivor,
            "label": _label_of(case.referral, survivor),
            "page": page,
            "rows": [(first_number - i, version) for i, version in enumerate(page.object_list)],
        },
    )


@never_cache
@require_GET
@survivor_worker_required
def safety_plan_version(request, pk: int, survivor_pk: int, version_pk: int):
    """One earlier version of the plan, as it was saved. Recorded in the read log."""
    scope = request.scope
    case = get_case_for_user(scope, pk)
    survivor = get_survivor_for_user(scope, case, survivor_pk)
    version = get_safety_plan_version_for_user(
        user=request.user, survivor=survivor, pk=version_pk, view=_view_name(request)
    )
    versions = safety_plan_versions(survivor)
    return render(
        request,
        "casework/safety_plan_version.html",
        {
            "case": case,
            "survivor": survivor,
            "label": _label_of(case.referral, survivor),
            "version": version,
            "number": versions.filter(pk__lte=version.pk).count(),
            "total": versions.count(),
        },
    )
