"""Reads for outcome monitoring, starting from the user's scope (404
outside it), and the aggregate figures the reports use (computed in the
database, never by looping over people in Python).

Who sees what:
- the referred person's and close relations' questionnaires: the clinical
  staff (psychologists, social workers) of the case's provider;
- a survivor's questionnaires: only the survivor services on the case;
  never provider staff or police;
- follow-up points: the staff of the provider of the enrolment.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import Organisation
from accounts.permissions import get_visible_or_404
from accounts.scope import Scope
from casework.models import Case, SurvivorServiceReferral
from core.audit import log_reads
from core.models import SensitiveRead
from core.submission import already_submitted
from outcomes import cts2, scoring, shipped
from outcomes.models import (
    Administration,
    FollowUp,
    Instrument,
    ItemText,
    Occasion,
    Perspective,
    Respondent,
    Scale,
    ScaleScore,
    ScoringSettings,
    localized,
)

LATER_OCCASIONS = (Occasion.END, Occasion.AFTER_END)


# --- Instruments ---------------------------------------------------------------


def instruments_offered_to(organisation: Organisation | None) -> QuerySet[Instrument]:
    """Questionnaires for every organisation, and those the organisation
    loaded itself (another organisation's are not offered)."""
    everyone = Q(organisation__isnull=True)
    return Instrument.objects.filter(everyone | Q(organisation=organisation) if organisation else everyone)


def active_instrument(code: str, organisation: Organisation | None = None) -> Instrument | None:
    """The latest active version of the questionnaire ``code`` offered to
    ``organisation`` (only those for everyone when None)."""
    return instruments_offered_to(organisation).filter(code=code, is_active=True).order_by("-version").first()


def cts2_instrument() -> Instrument | None:
    """The active full-form CTS2 (its latest version): the one the
    dashboard's change figures compare."""
    return active_instrument(cts2.CODE)


def active_instruments(organisation: Organisation | None = None) -> list[Instrument]:
    """The latest active version of each questionnaire offered to
    ``organisation``: the shipped ones first (full form, short form), then
    any other by name."""
    order = {definition.CODE: index for index, definition in enumerate(shipped.SHIPPED)}
    latest: dict[str, Instrument] = {}
    for instrument in instruments_offered_to(organisation).filter(is_active=True).order_by("code", "-version"):
        latest.setdefault(instrument.code, instrument)
    return sorted(latest.values(), key=lambda i: (order.get(i.code, len(order)), i.name.casefold()))


def instruments_listed_for(organisation: Organisation | None) -> QuerySet[Instrument]:
    """Every version of the questionnaires offered to the organisation, for
    its questionnaire page."""
    return (
        instruments_offered_to(organisation)
        .select_related("loaded_by", "organisation")
        .annotate(scale_count=Count("scales", distinct=True), item_count=Count("items", distinct=True))
        .order_by("organisation_id", "code", "-version")
    )


def get_instrument_for_user(scope: Scope, pk: int) -> Instrument:
    """A questionnaire offered to the user's organisation (404 otherwise)."""
    if scope.organisation is None:
        raise Http404("No such questionnaire.")
    return get_visible_or_404(instruments_offered_to(scope.organisation), pk=pk)


def instrument_structure(instrument: Instrument) -> scoring.Structure:
    scale_rows = list(instrument.scales.select_related("parent"))
    scales = {s.code: (s.parent.code if s.parent is not None else None) for s in scale_rows}
    items = [
        scoring.ItemDef(number=i.number, scale=i.scale.code, perspective=i.perspective, reversed=i.reversed)
        for i in instrument.items.select_related("scale")
    ]
    return scoring.Structure(
        options=scoring.options_from(instrument.response_options),
        scales=scales,
        items=items,
        rules={s.code: s.rule for s in scale_rows},
    )


def prorates_missing(organisation: Organisation | None) -> bool:
    """Whether the organisation scores a scale with one unanswered item by
    the prorating rule (``ScoringSettings``); the conservative rule if it
    has not chosen."""
    if organisation is None:
        return False
    return ScoringSettings.objects.filter(organisation=organisation, prorate_missing=True).exists()


def top_scales(instrument: Instrument) -> list[Scale]:
    return list(instrument.scales.filter(parent__isnull=True).order_by("position", "id"))


def scale_label(scale: Scale) -> str:
    """ "Physical Assault" or "Physical Assault (minor)", translated."""
    if scale.parent is not None:
        return _("%(scale)s (%(subscale)s)") % {
            "scale": scale_name(scale.parent),
            "subscale": scale_name(scale).lower(),
        }
    return scale_name(scale)


def scale_name(scale: Scale) -> str:
    """A scale's own name in the interface language."""
    return localized(scale.names) or _(scale.name)


def item_rows(instrument: Instrument, organisation: Organisation | None, language: str | None = None) -> list[dict]:
    """Every item with its label ("Item 5 — Psychological Aggression (minor),
    respondent's own act") and the licensed wording in ``language`` (the
    interface language by default) if the organisation may show it: wording
    imported for that organisation, else for every organisation."""
    language = (language or get_language() or "ru")[:2]
    texts: dict[int, str] = {}
    for text in ItemText.objects.filter(item__instrument=instrument, language=language).filter(
        Q(organisation__isnull=True) | Q(organisation=organisation)
    ):
        if text.organisation_id is not None or text.item_id not in texts:
            texts[text.item_id] = text.text
    rows = []
    for item in instrument.items.select_related("scale", "scale__parent").order_by("number"):
        rows.append(
            {
                "item": item,
                "number": item.number,
                "scale": scale_label(item.scale),
                "perspective": item.get_perspective_display(),
                "text": texts.get(item.pk, ""),
            }
        )
    return rows


def wording_languages(instrument: Instrument, organisation: Organisation | None) -> list[str]:
    return sorted(
        set(
            ItemText.objects.filter(item__instrument=instrument)
            .filter(Q(organisation__isnull=True) | Q(organisation=organisation))
            .values_list("language", flat=True)
        )
    )


def answer_choices(instrument: Instrument) -> list[tuple[int, str]]:
    """(code, "3 — 3-5 times in the past year"), translated (a loaded
    questionnaire's labels are given per language)."""
    return [(int(o["code"]), f"{o['code']} — {localized(o['label'])}") for o in instrument.response_options]


# --- Access ----------------------------------------------------------------------


def administrations_visible_to(scope: Scope) -> QuerySet[Administration]:
    qs = Administration.objects.select_related("instrument", "case", "case__referral", "recorded_by")
    if scope.organisation is None:
        return qs.none()
    if scope.is_clinical:
        return qs.filter(
            case__provider=scope.organisation, respondent__in=[Respondent.PERSON, Respondent.CLOSE_RELATION]
        )
    if scope.is_survivor_worker:
        return qs.filter(respondent=Respondent.SURVIVOR).filter(
            Exists(SurvivorServiceReferral.objects.filter(case_id=OuterRef("case_id"), organisation=scope.organisation))
        )
    return qs.none()


def get_administration_for_user(scope: Scope, pk: int, *, via: str) -> Administration:
    """One questionnaire with its answers: a logged read of her record (a
    survivor's questionnaire) or of the case's therapy records."""
    administration = get_visible_or_404(administrations_visible_to(scope), pk=pk)
    if administration.respondent == Respondent.SURVIVOR and administration.survivor_id is not None:
        _log(scope, SensitiveRead.RecordType.SURVIVOR, administration.survivor_id, via)
    else:
        _log(scope, SensitiveRead.RecordType.THERAPY_NOTES, administration.case_id, via)
    return administration


def _log(scope: Scope, record_type: str, record_id: int, via: str) -> None:
    log_reads(user_id=scope.user_id, record_type=record_type, record_ids=[record_id], via=via)


def administration_submitted(case: Case, by, raw_key: object) -> Administration | None:
    """The questionnaire that this person already recorded on the case with
    this submission key (as posted), if any."""
    return already_submitted(Administration.objects.filter(case=case, recorded_by=by), raw_key)


def follow_ups_visible_to(scope: Scope) -> QuerySet[FollowUp]:
    qs = FollowUp.objects.select_related(
        "enrolment",
        "enrolment__case",
        "enrolment__case__referral",
        "enrolment__case__referral__person",
        "enrolment__template",
        "enrolment__psychologist",
        "administration",
    )
    if scope.organisation is None or not scope.is_provider_staff:
        return qs.none()
    return qs.filter(enrolment__provider=scope.organisation)


def get_follow_up_for_user(scope: Scope, pk: int, *, via: str) -> FollowUp:
    """One follow-up point; once its meeting is recorded, its notes are
    therapy records and the read is logged."""
    point = get_visible_or_404(follow_ups_visible_to(scope), pk=pk)
    if point.recorded_at:
        _log(scope, SensitiveRead.RecordType.THERAPY_NOTES, point.enrolment.case_id, via)
    return point


def follow_ups_due(*, on: dt.date, provider: Organisation | None = None) -> QuerySet[FollowUp]:
    """Points still due on or before ``on`` (status "due"; missed, done and
    cancelled points are not), oldest first; of one provider if given. For
    reminders and the "Follow-ups due" page."""
    qs = FollowUp.objects.filter(status=FollowUp.Status.DUE, due_on__lte=on).select_related(
        "enrolment",
        "enrolment__case",
        "enrolment__case__referral__person",
        "enrolment__provider",
        "enrolment__psychologist",
        "enrolment__template",
    )
    if provider is not None:
        qs = qs.filter(enrolment__provider=provider)
    return qs.order_by("due_on", "id")


def open_follow_ups_of_case(case: Case) -> QuerySet[FollowUp]:
    """Points of the case's enrolments a questionnaire can still complete."""
    return (
        FollowUp.objects.filter(
            enrolment__case=case,
            status__in=[FollowUp.Status.DUE, FollowUp.Status.MISSED],
            administration__isnull=True,
        )
        .select_related("enrolment")
        .order_by("due_on", "id")
    )


def case_administrations(
    case: Case, respondents: list[str], survivor=None, instrument: Instrument | None = None
) -> list[Administration]:
    """One case's questionnaires with their scores (the caller has checked
    access), oldest first; of one questionnaire (every version) if given."""
    qs = case.questionnaires.filter(respondent__in=respondents).select_related("instrument", "recorded_by")
    if instrument is not None:
        qs = qs.filter(instrument__code=instrument.code)
    if survivor is not None:
        qs = qs.filter(survivor=survivor)
    return list(qs.prefetch_related("scores__scale").order_by("administered_on", "id"))


def case_results_for(
    scope: Scope, case: Case, *, instrument: Instrument | None, via: str
) -> tuple[list[Administration], list[Administration]]:
    """The person's and his close relations' questionnaires on a case, for
    the provider's psychologists and social workers. Scores come from
    clinical answers: when there are any, the read is logged."""
    if not (scope.is_clinical and case.provider_id == scope.organisation_id):
        raise Http404("No such case.")
    person = case_administrations(case, [Respondent.PERSON], instrument=instrument)
    relations = case_administrations(case, [Respondent.CLOSE_RELATION], instrument=instrument)
    if person or relations:
        _log(scope, SensitiveRead.RecordType.THERAPY_NOTES, case.pk, via)
    return person, relations


def survivor_results_for(
    scope: Scope, case: Case, survivor, *, instrument: Instrument | None, via: str
) -> list[Administration]:
    """Her questionnaires, for a survivor service on the case; a logged read
    of her record when there are any."""
    if not (scope.is_survivor_worker and case.survivor_services.filter(organisation=scope.organisation).exists()):
        raise Http404("No such survivor.")
    administrations = case_administrations(case, [Respondent.SURVIVOR], survivor=survivor, instrument=instrument)
    if administrations:
        _log(scope, SensitiveRead.RecordType.SURVIVOR, survivor.pk, via)
    return administrations


# --- Aggregates (reports) --------------------------------------------------------


def _chosen_administrations(instrument: Instrument, enrolments, *, later: bool) -> QuerySet[Administration]:
    """One questionnaire of the person's own per case of ``enrolments``: the
    first intake one, or with ``later`` the latest end-of-programme or
    follow-up one. A single DISTINCT ON query (no subquery per case)."""
    qs = Administration.objects.filter(
        instrument=instrument, respondent=Respondent.PERSON, case_id__in=enrolments.values("case_id")
    )
    if later:
        qs = qs.filter(occasion__in=LATER_OCCASIONS).order_by("case_id", "-administered_on", "-id")
    else:
        qs = qs.filter(occasion=Occasion.INTAKE).order_by("case_id", "administered_on", "id")
    return qs.distinct("case_id")


CHANGE_SQL = """
WITH base AS ({base}), later AS ({later})
SELECT b.scale_id, COUNT(*), AVG(b.annual_frequency), AVG(l.annual_frequency),
  COUNT(*) FILTER (WHERE b.prorated OR l.prorated)
FROM base
JOIN later ON later.case_id = base.case_id
JOIN outcomes_scalescore b ON b.administration_id = base.id
JOIN outcomes_scalescore l ON l.administration_id = later.id AND l.scale_id = b.scale_id
WHERE b.perspective = %s AND l.perspective = %s
  AND b.annual_frequency IS NOT NULL AND l.annual_frequency IS NOT NULL
  AND b.scale_id = ANY(%s)
GROUP BY b.scale_id
"""


def cts_change_by_scale(enrolments) -> list[dict]:
    """enrolments: a QuerySet of programmes.Enrolment already filtered by the caller.
    For CTS-2 administrations where the respondent is the person (self-report, perspective 'self'):
    per top-level scale, the people with both a baseline (intake) and a later administration (latest follow-up/end).
    Returns [{"scale": code, "label": translated name, "n": int, "before": float|None, "after": float|None,
    "prorated": int}] with before/after = mean annual frequency, ordered as the instrument's scales, and
    "prorated" the people of n whose before or after score was computed by the prorating rule.

    A person counts once (by case, however many enrolments), with their
    first intake questionnaire and their latest end/follow-up one, for the
    scales where both annual frequencies are known (see ``scoring`` on
    missing answers). One query: the two questionnaires per case are picked
    with DISTINCT ON and their scores paired with joins, so the cost grows
    with the rows, not with a subquery per row (the ORM cannot express the
    pairing, hence the SQL; every value is a parameter)."""
    instrument = cts2_instrument()
    if instrument is None:
        return []
    scales = top_scales(instrument)
    by_scale = {}
    try:
        base_sql, base_params = (
            _chosen_administrations(instrument, enrolments, later=False).values("id", "case_id").query.sql_with_params()
        )
        later_sql, later_params = (
            _chosen_administrations(instrument, enrolments, later=True).values("id", "case_id").query.sql_with_params()
        )
    except EmptyResultSet:  # no enrolments at all (e.g. QuerySet.none())
        base_sql = None
    if base_sql is not None:
        with connection.cursor() as cursor:
            cursor.execute(
                CHANGE_SQL.format(base=base_sql, later=later_sql),
                [*base_params, *later_params, Perspective.SELF, Perspective.SELF, [s.pk for s in scales]],
            )
            by_scale = {row[0]: row[1:] for row in cursor.fetchall()}
    result = []
    for scale in scales:
        n, before, after, prorated = by_scale.get(scale.pk, (0, None, None, 0))
        result.append(
            {
                "scale": scale.code,
                "label": scale_name(scale),
                "n": n,
                "before": float(before) if before is not None else None,
                "after": float(after) if after is not None else None,
                "prorated": prorated,
            }
        )
    return result


def cts_scale_summary(enrolments, *, later: bool = False, perspective: str = Perspective.SELF) -> list[dict]:
    """Per top-level CTS2 scale, over the people of ``enrolments`` (each
    once, by case) with a questionnaire of their own: at intake (their first)
    or, with ``later``, their latest end/follow-up one.

    [{"scale", "label", "n" (people whose prevalence is known),
      "prevalent", "ever" (how many), "mean_frequency" (among those with a
      known frequency), "chronicity" (mean frequency among the prevalent)}]"""
    instrument = cts2_instrument()
    if instrument is None:
        return []
    scales = top_scales(instrument)
    administration_ids = _chosen_administrations(instrument, enrolments, later=later).values("id")
    rows = (
        ScaleScore.objects.filter(administration_id__in=administration_ids, perspective=perspective, scale__in=scales)
        .values("scale_id")
        .annotate(
            n=Count("id", filter=Q(prevalence__isnull=False)),
            prevalent=Count("id", filter=Q(prevalence=True)),
            ever=Count("id", filter=Q(ever=True)),
            mean_frequency=Avg("annual_frequency"),
            chronicity=Avg("annual_frequency", filter=Q(prevalence=True)),
        )
        .order_by()
    )
    by_scale = {row["scale_id"]: row for row in rows}
    result = []
    for scale in scales:
        row = by_scale.get(scale.pk, {})
        result.append(
            {
                "scale": scale.code,
                "label": scale_name(scale),
                "n": row.get("n", 0),
                "prevalent": row.get("prevalent", 0),
                "ever": row.get("ever", 0),
                "mean_frequency": float(row["mean_frequency"]) if row.get("mean_frequency") is not None else None,
                "chronicity": float(row["chronicity"]) if row.get("chronicity") is not None else None,
            }
        )
    return result


def follow_up_completion(enrolments, *, today: dt.date) -> dict:
    """{"due": points due by today, "done": of those done, "overdue": due and
    not done, and "people_due", "people_done", "people_overdue": how many
    people (enrolments) those points belong to}.

    Points no longer due (de-selected, transferred) are left out; a missed
    point counts as not done. One query."""
    done = Q(status=FollowUp.Status.DONE)
    figures = (
        FollowUp.objects.filter(enrolment__in=enrolments.values("pk"), due_on__lte=today)
        .exclude(status=FollowUp.Status.CANCELLED)
        .aggregate(
            due=Count("id"),
            done=Count("id", filter=done),
            people_due=Count("enrolment", distinct=True),
            people_done=Count("enrolment", distinct=True, filter=done),
            people_overdue=Count("enrolment", distinct=True, filter=~done),
        )
    )
    return {**figures, "overdue": figures["due"] - figures["done"]}
