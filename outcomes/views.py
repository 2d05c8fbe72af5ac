"""Questionnaire pages: entering a CTS2 for the person, a close relation or
(from the survivor service's side) a survivor; one person's results before
and after; follow-up points due, and recording a follow-up meeting.

Views are thin: a decorator decides the role (403), a selector the object
(404 outside the user's organisation), a form parses, a service writes.
Every read of answers, scores or meeting notes is recorded; a survivor's
questionnaires are reached only through the survivor service's pages.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import clinical_required, party_required, provider_staff_required, survivor_worker_required
from casework.forms import survivor_labels
from casework.selectors import get_case_for_user, get_survivor_for_user
from core.errors import add_service_errors
from outcomes import scoring, selectors, services
from outcomes.forms import MeetingForm, QuestionnaireForm, item_field_name
from outcomes.models import Administration, FollowUp, Instrument, Occasion, Perspective, Respondent
from outcomes.monitoring_selectors import provider_monitoring
from outcomes.pages import meeting_recorded, page_of, view_name

# The "Follow-ups due" page shows what is overdue and what falls due soon.
DUE_SOON_DAYS = 14


# Keys from administration_record that the questionnaire form has no field of
# its own for, mapped to the field that shows them.
ERROR_FIELDS = {"follow_up": "point", "occasion": "point", "survivor": None}


def _questionnaire_field(key: str) -> str | None:
    """The questionnaire form's field for a key of ``administration_record``."""
    if key.startswith("answers."):
        return item_field_name(int(key.split(".", 1)[1]))
    return ERROR_FIELDS.get(key, key)


def _occasion_label(administration: Administration) -> str:
    if administration.occasion == Occasion.AFTER_END and administration.months:
        return _("%(months)d months after the end") % {"months": administration.months}
    return str(administration.get_occasion_display())


def _score_table(administrations: list[Administration], scales, perspective: str) -> dict | None:
    """Scales down, questionnaires across (few columns, so it reads on a
    phone): per top-level scale the annual frequency and prevalence of each
    questionnaire. Scores are matched to the scales by code, so that an
    older version of the questionnaire lines up with the current one."""
    if not administrations:
        return None
    scores = [{(s.scale.code, s.perspective): s for s in a.scores.all()} for a in administrations]
    return {
        "columns": [{"administration": a, "occasion": _occasion_label(a)} for a in administrations],
        "rows": [
            {"label": selectors.scale_label(scale), "cells": [by.get((scale.code, perspective)) for by in scores]}
            for scale in scales
        ],
    }


CHART_WIDTH = 360
BAR = 14


def _chart(before: Administration | None, after: Administration | None, scales) -> dict | None:
    """Bars of the score (the annual frequency for the CTS2 family; the
    person's own acts) per scale, first intake against the latest
    questionnaire after it. Geometry only: the
    template draws it as SVG (no inline styles, no script)."""
    if before is None:
        return None

    def frequencies(administration):
        if administration is None:
            return {}
        return {s.scale.code: s.value for s in administration.scores.all() if s.perspective == Perspective.SELF}

    first, last = frequencies(before), frequencies(after)
    known = [v for v in [*first.values(), *last.values()] if v is not None]
    top = max([*known, 1])
    span = CHART_WIDTH - 40  # room for the number after the longest bar
    groups = []
    y = 0
    for scale in scales:
        label_y = y + 12
        y += 16
        bars = []
        for key, values, administration in (("before", first, before), ("after", last, after)):
            if administration is None:
                continue
            value = values.get(scale.code)
            width = 0 if value is None else round(span * value / top)
            bars.append(
                {
                    "key": key,
                    "y": y,
                    "text_y": y + BAR - 3,
                    "width": max(width, 1) if value else 0,
                    "value": scoring.shown(value),
                    "value_x": width + 4,
                }
            )
            y += BAR + 2
        groups.append({"label": selectors.scale_label(scale), "label_y": label_y, "bars": bars})
        y += 8
    return {"groups": groups, "height": y, "width": CHART_WIDTH}


def _survivor_labels(case) -> dict[int, str]:
    """Labels like "Survivor 1 — Partner / spouse" by id; her encrypted columns are not loaded."""
    survivors = case.referral.survivors.only("id", "referral_id", "relationship")
    return {s.pk: label for s, label in survivor_labels(survivors)}


# --- The person: results, entry, one questionnaire ----------------------------------


@never_cache
@require_GET
@clinical_required
def case_results(request, pk: int):
    scope = request.scope
    case = get_case_for_user(scope, pk)
    instrument = _instrument(request)
    scales = selectors.top_scales(instrument) if instrument else []
    # Scores come from clinical answers: the selector logs the read.
    person, relations = selectors.case_results_for(scope, case, instrument=instrument, via=view_name(request))
    intakes = [a for a in person if a.occasion == Occasion.INTAKE]
    before = intakes[0] if intakes else None
    later = [a for a in person if before and a.pk != before.pk and a.administered_on >= before.administered_on]
    after = later[-1] if later else None
    return render(
        request,
        "outcomes/case_results.html",
        {
            "case": case,
            **_instrument_choice(request, instrument),
            "own": _score_table(person, scales, Perspective.SELF),
            "partner": _score_table(person, scales, Perspective.PARTNER),
            "relations": _score_table(relations, scales, Perspective.PARTNER),
            "chart": _chart(before, after, scales),
            "before": before,
            "after": after,
            "open_points": selectors.open_follow_ups_of_case(case),
            "prorates": selectors.prorates_missing(case.provider),
        },
    )


def _with_instrument(url: str, instrument: Instrument) -> str:
    return f"{url}?instrument={instrument.code}"


def _questionnaire_page(request, *, case, form, instrument, language, languages, title, back_url, survivor_label=""):
    return render(
        request,
        "outcomes/questionnaire_form.html",
        {
            "case": case,
            "form": form,
            **_instrument_choice(request, instrument),
            "language": language,
            "languages": languages,
            "title": title,
            "back_url": back_url,
            "survivor_label": survivor_label,
            "has_wording": any(row["text"] for row in form.items),
        },
    )


def _instrument(request) -> Instrument | None:
    """The questionnaire a page is for: ``?instrument=CODE`` (404 for one
    that does not exist or is switched off), else the first one offered
    (the full CTS2); None when none is active."""
    code = request.GET.get("instrument")
    organisation = request.scope.organisation
    if code:
        instrument = selectors.active_instrument(code, organisation)
        if instrument is None:
            raise Http404("No such questionnaire.")
        return instrument
    instruments = selectors.active_instruments(organisation)
    return instruments[0] if instruments else None


def _instrument_choice(request, instrument: Instrument | None) -> dict:
    """The page's questionnaire, and a link to this page for each one
    offered (the other parameters kept)."""
    choices = []
    for other in selectors.active_instruments(request.scope.organisation):
        query = request.GET.copy()
        query["instrument"] = other.code
        choices.append({"instrument": other, "url": f"?{query.urlencode()}", "current": other == instrument})
    return {"instrument": instrument, "instrument_choices": choices}


def _wording_language(request, instrument, organisation) -> tuple[str | None, list[str]]:
    languages = selectors.wording_languages(instrument, organisation)
    asked = request.POST.get("lang") if request.method == "POST" else request.GET.get("lang")
    return (asked if asked in languages else None), languages


def _saved(request, case, instrument: Instrument, administration: Administration):
    messages.success(
        request,
        _("Questionnaire saved: %(answered)d items answered, %(missing)d without an answer.")
        % {"answered": administration.items_answered, "missing": administration.items_missing},
    )
    return redirect(_with_instrument(reverse("outcomes:case_results", args=[case.pk]), instrument))


@never_cache
@require_http_methods(["GET", "POST"])
@clinical_required
def administration_new(request, pk: int):
    scope = request.scope
    case = get_case_for_user(scope, pk)
    instrument = _instrument(request)
    if instrument is None:
        messages.error(request, _("No questionnaire is switched on."))
        return redirect("casework:case_detail", pk=case.pk)
    language, languages = _wording_language(request, instrument, scope.organisation)
    points = list(selectors.open_follow_ups_of_case(case))
    initial = {}
    wanted = request.GET.get("follow_up")
    chosen = next((p for p in points if str(p.pk) == wanted), None)
    if chosen is not None:
        initial = {"point": f"fu-{chosen.pk}", "respondent": chosen.respondent}
    form = QuestionnaireForm(
        request.POST if request.method == "POST" else None,
        items=selectors.item_rows(instrument, scope.organisation, language),
        choices=selectors.answer_choices(instrument),
        side="provider",
        points=points,
        initial=initial,
    )
    if request.method == "POST":
        # A resend of a questionnaire that completed a follow-up point: the
        # point is no longer offered, so the form alone would refuse it.
        resent = selectors.administration_submitted(case, request.user, request.POST.get("submission_key"))
        if resent is not None:
            return _saved(request, case, instrument, resent)
    if request.method == "POST" and form.is_valid():
        try:
            administration = services.administration_record(
                case=case,
                instrument=instrument,
                by=request.user,
                respondent=form.cleaned_data["respondent"],
                answers=form.answers(),
                administered_on=form.cleaned_data["administered_on"],
                follow_up=form.chosen_point(),
                occasion=form.occasion(),
                relation=form.cleaned_data.get("relation") or "",
                respondent_consented=form.cleaned_data.get("respondent_consented", False),
                submission_key=form.cleaned_data["submission_key"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, _questionnaire_field)
        else:
            return _saved(request, case, instrument, administration)
    return _questionnaire_page(
        request,
        case=case,
        form=form,
        instrument=instrument,
        language=language,
        languages=languages,
        title=_("%(questionnaire)s questionnaire, case %(number)s")
        % {"questionnaire": instrument.code.upper(), "number": case.number},
        back_url=_with_instrument(reverse("outcomes:case_results", args=[case.pk]), instrument),
    )


@never_cache
@require_GET
@party_required
def administration_detail(request, pk: int):
    scope = request.scope
    administration = selectors.get_administration_for_user(scope, pk, via=view_name(request))
    case = administration.case
    instrument = administration.instrument
    answers = administration.answer_map()
    labels = dict(selectors.answer_choices(instrument))
    rows = [
        {**row, "answer": labels.get(answers.get(row["number"]), _("No answer"))}
        for row in selectors.item_rows(instrument, scope.organisation)
    ]
    scores = {(s.scale_id, s.perspective): s for s in administration.scores.all()}
    score_rows = [
        {
            "label": selectors.scale_label(scale),
            "is_top": scale.parent_id is None,
            "self": scores.get((scale.pk, Perspective.SELF)),
            "partner": scores.get((scale.pk, Perspective.PARTNER)),
        }
        for scale in instrument.scales.select_related("parent").order_by("position")
    ]
    survivor_label = ""
    if administration.respondent == Respondent.SURVIVOR:
        survivor_label = _survivor_labels(case).get(administration.survivor_id, "")
    return render(
        request,
        "outcomes/administration_detail.html",
        {
            "case": case,
            "administration": administration,
            "instrument": instrument,
            "occasion": _occasion_label(administration),
            "rows": rows,
            "score_rows": score_rows,
            "survivor_label": survivor_label,
        },
    )


# --- The survivor's side ---------------------------------------------------------------


def _survivor_context(request, pk: int, survivor_pk: int):
    case = get_case_for_user(request.scope, pk)
    survivor = get_survivor_for_user(request.scope, case, survivor_pk)
    return case, survivor, _survivor_labels(case)[survivor.pk]


@never_cache
@require_GET
@survivor_worker_required
def survivor_results(request, pk: int, survivor_pk: int):
    case, survivor, label = _survivor_context(request, pk, survivor_pk)
    instrument = _instrument(request)
    scales = selectors.top_scales(instrument) if instrument else []
    administrations = selectors.survivor_results_for(
        request.scope, case, survivor, instrument=instrument, via=view_name(request)
    )
    return render(
        request,
        "outcomes/survivor_results.html",
        {
            "case": case,
            "survivor": survivor,
            "label": label,
            **_instrument_choice(request, instrument),
            # What the referred person did to her (the partner's acts), and hers.
            "partner": _score_table(administrations, scales, Perspective.PARTNER),
            "own": _score_table(administrations, scales, Perspective.SELF),
            "allowed": services.survivor_questionnaire_allowed(case, survivor),
            "prorates": selectors.prorates_missing(case.provider),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
@survivor_worker_required
def survivor_administration_new(request, pk: int, survivor_pk: int):
    scope = request.scope
    case, survivor, label = _survivor_context(request, pk, survivor_pk)
    back_url = reverse("outcomes:survivor_results", args=[case.pk, survivor.pk])
    if not services.survivor_questionnaire_allowed(case, survivor):
        messages.error(request, _("She has not agreed to be contacted: record her consent first."))
        return redirect(back_url)
    instrument = _instrument(request)
    if instrument is None:
        messages.error(request, _("No questionnaire is switched on."))
        return redirect(back_url)
    back_url = _with_instrument(back_url, instrument)
    language, languages = _wording_language(request, instrument, scope.organisation)
    form = QuestionnaireForm(
        request.POST if request.method == "POST" else None,
        items=selectors.item_rows(instrument, scope.organisation, language),
        choices=selectors.answer_choices(instrument),
        side="survivor",
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.administration_record(
                case=case,
                instrument=instrument,
                by=request.user,
                respondent=Respondent.SURVIVOR,
                survivor=survivor,
                answers=form.answers(),
                administered_on=form.cleaned_data["administered_on"],
                occasion=form.occasion(),
                respondent_consented=form.cleaned_data["respondent_consented"],
                submission_key=form.cleaned_data["submission_key"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, _questionnaire_field)
        else:
            messages.success(request, _("Her questionnaire is saved."))
            return redirect(back_url)
    return _questionnaire_page(
        request,
        case=case,
        form=form,
        instrument=instrument,
        language=language,
        languages=languages,
        title=_("%(questionnaire)s questionnaire: %(label)s")
        % {"questionnaire": instrument.code.upper(), "label": label},
        back_url=back_url,
        survivor_label=label,
    )


# --- Follow-up points -------------------------------------------------------------------


@never_cache
@require_GET
@provider_staff_required
def follow_ups(request):
    today = timezone.localdate()
    qs = selectors.follow_ups_due(on=today + dt.timedelta(days=DUE_SOON_DAYS), provider=request.scope.organisation)
    return render(
        request,
        "outcomes/follow_ups.html",
        {
            "page": page_of(request, qs),
            "today": today,
            "soon_days": DUE_SOON_DAYS,
            "monitoring": provider_monitoring(request.scope, today=today),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
@clinical_required
def follow_up_detail(request, pk: int):
    # A recorded meeting's notes are therapy records: the selector logs the read.
    point = selectors.get_follow_up_for_user(request.scope, pk, via=view_name(request))
    form = MeetingForm(request.POST if request.method == "POST" else None)

    def record(data):
        services.follow_up_meeting_record(
            follow_up=point, by=request.user, met_on=data["met_on"], attended=data["attended"], notes=data["notes"]
        )

    if meeting_recorded(request, form, record, done=_("Meeting recorded.")):
        return redirect("outcomes:follow_up_detail", pk=point.pk)
    return render(
        request,
        "outcomes/follow_up_detail.html",
        {
            "point": point,
            "case": point.enrolment.case,
            "form": form,
            "can_enter": point.status in (FollowUp.Status.DUE, FollowUp.Status.MISSED)
            and point.administration_id is None,
            "instruments": selectors.active_instruments(request.scope.organisation),
            "today": timezone.localdate(),
        },
    )
