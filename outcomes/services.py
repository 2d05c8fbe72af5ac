"""Writes for outcome monitoring: questionnaires filled in, follow-up
points and their meetings, licensed item wording.

Who may do what:
- the referred person's and a close relation's questionnaires, follow-up
  meetings: the provider's psychologists and social workers (clinical staff);
- a survivor's questionnaire: a survivor-service worker on the case, only
  when she has agreed to be contacted and agrees to answer (see
  ``survivor_questionnaire_allowed``).

Follow-up scheduling (``follow_ups_schedule``) is called by the programme
services when a person is enrolled and when an enrolment ends; it is
idempotent.

A questionnaire or follow-up meeting writes a timeline entry (what and
when, never a score or a note); a survivor's questionnaire is a
survivor-side entry.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Language, Organisation
from accounts.permissions import require_clinical, require_manager, require_survivor_worker
from accounts.scope import Scope
from casework.models import Case, Consent
from casework.selectors import has_consent
from core.dates import short_date
from core.submission import known_submission, save_once
from core.timeline import timeline_add
from core.validation import validated
from outcomes import scoring
from outcomes import timeline as K
from outcomes.models import (
    ITEM_TEXT_MAX_LENGTH,
    Administration,
    FollowUp,
    Instrument,
    Item,
    ItemText,
    Occasion,
    Respondent,
    ScaleScore,
    ScoringSettings,
)
from outcomes.selectors import instrument_structure, prorates_missing
from programmes.models import Enrolment, Session
from referrals.models import NOTE_MAX_LENGTH, Relationship, Survivor

# Endings after which the person is still followed up. A dropout or an
# expulsion is followed up too: evaluation counts everyone who started
# (otherwise the figures show only the people who did well), and the
# questionnaire is the person's own, not the survivor's. Staff mark a point
# "missed" when the person cannot be reached.
FOLLOW_UP_ENDINGS = (Enrolment.Status.COMPLETED, Enrolment.Status.DROPPED_OUT, Enrolment.Status.EXPELLED)
# De-selected (no longer eligible) and transferred: the open points are no
# longer due here (a transfer's new enrolment schedules its own).
CANCELLING_ENDINGS = (Enrolment.Status.DESELECTED, Enrolment.Status.TRANSFERRED)

KIND_TO_OCCASION = {
    FollowUp.Kind.INTAKE: Occasion.INTAKE,
    FollowUp.Kind.MID: Occasion.MID,
    FollowUp.Kind.END: Occasion.END,
    FollowUp.Kind.AFTER_END: Occasion.AFTER_END,
}
OPEN_STATUSES = (FollowUp.Status.DUE, FollowUp.Status.MISSED)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day if shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def survivor_questionnaire_allowed(case: Case, survivor: Survivor) -> bool:
    """Whether a survivor may be asked for a questionnaire at all: her latest
    decision on being contacted is "given". ``Consent.Kind`` has no purpose
    for questionnaires yet, so this is the closest recorded consent; each
    administration also records that she agreed to answer it
    (``respondent_consented``)."""
    return has_consent(case, survivor, Consent.Kind.SURVIVOR_CONTACT)


# --- Questionnaires ------------------------------------------------------------


def _clean_answers(
    instrument: Instrument, structure: scoring.Structure, answers: Mapping[Any, Any], errors: dict
) -> dict[int, int | None]:
    numbers = structure.item_numbers()
    cleaned: dict[int, int | None] = {n: None for n in numbers}
    for key, value in (answers or {}).items():
        try:
            number = int(key)
        except (TypeError, ValueError):
            number = None
        if number not in numbers:
            errors.setdefault("answers", []).append(_("Unknown item: %(item)s.") % {"item": key})
            continue
        if value is None or value == "":
            continue
        try:
            code = int(value)
        except (TypeError, ValueError):
            code = None
        if code not in structure.options:
            errors[f"answers.{number}"] = [_("Choose one of the answers.")]
            continue
        cleaned[number] = code
    answer_errors = any(key == "answers" or key.startswith("answers.") for key in errors)
    if not answer_errors and all(code is None for code in cleaned.values()):
        errors["answers"] = [_("No item is answered. Enter at least one answer.")]
    return cleaned


@dataclass
class _Answered:
    """Who answered a questionnaire and when, as the checks settle it: a
    survivor's is never a follow-up point and has no relation; only a close
    relation's keeps its relation; a follow-up point gives the occasion."""

    respondent: str
    survivor: Survivor | None
    relation: str
    consented: bool
    follow_up: FollowUp | None
    occasion: str
    administered_on: dt.date | None
    months: int | None = None


def _require_recorder(case: Case, by, respondent: str) -> Scope:
    """The scope of the person entering a questionnaire of this respondent:
    a survivor's by her survivor service, the others by clinical staff."""
    if respondent == Respondent.SURVIVOR:
        return require_survivor_worker(case, by)
    if respondent in (Respondent.PERSON, Respondent.CLOSE_RELATION):
        return require_clinical(case.provider_id, by)
    raise ValidationError({"respondent": [_("Choose who answered.")]})


def _check_respondent(answered: _Answered, case: Case, errors: dict) -> None:
    """A survivor of the case who agreed to be contacted; the agreement to
    answer of anyone but the person; a close relation's relationship."""
    respondent = answered.respondent
    if respondent == Respondent.SURVIVOR:
        survivor = answered.survivor
        if survivor is None or survivor.referral_id != case.referral_id:
            raise ValidationError({"survivor": [_("Unknown survivor.")]})
        if not survivor_questionnaire_allowed(case, survivor):
            raise ValidationError({"__all__": [_("She has not agreed to be contacted: record her consent first.")]})
        answered.follow_up = None
        answered.relation = ""
    else:
        answered.survivor = None
    if respondent != Respondent.PERSON and not answered.consented:
        errors["respondent_consented"] = [_("Confirm that the respondent agreed to answer.")]
    if respondent == Respondent.CLOSE_RELATION:
        if answered.relation not in Relationship.values:
            errors["relation"] = [_("Choose the relationship to the referred person.")]
    else:
        answered.relation = ""


def _check_occasion(
    answered: _Answered, case: Case, mine, submission_key: uuid.UUID | None, errors: dict
) -> Administration | None:
    """Lock the follow-up point the questionnaire completes and take its
    occasion (and months); without one, check the occasion given. Returns
    the questionnaire a concurrent resend recorded for the point, if any."""
    if answered.follow_up is None:
        if answered.occasion not in Occasion.values:
            errors["occasion"] = [_("Choose when the questionnaire was filled in.")]
        return None
    follow_up = FollowUp.objects.select_for_update().select_related("enrolment").get(pk=answered.follow_up.pk)
    answered.follow_up = follow_up
    if submission_key and follow_up.administration_id is not None:
        # The same page sent twice at once: the other request held the
        # point and recorded the questionnaire while this one waited.
        existing, _key = known_submission(mine, submission_key)
        if existing is not None:
            return existing
    if follow_up.enrolment.case_id != case.pk:
        raise ValidationError({"follow_up": [_("This follow-up point belongs to another case.")]})
    if follow_up.status == FollowUp.Status.CANCELLED:
        errors["follow_up"] = [_("This follow-up point is no longer due.")]
    elif follow_up.administration_id is not None:
        errors["follow_up"] = [_("A questionnaire is already recorded for this follow-up point.")]
    if follow_up.respondent != answered.respondent:
        errors["respondent"] = [
            _("This follow-up point is for: %(who)s.") % {"who": follow_up.get_respondent_display()}
        ]
    answered.occasion = KIND_TO_OCCASION[follow_up.kind]
    answered.months = follow_up.months if follow_up.kind == FollowUp.Kind.AFTER_END else None
    return None


def _check_date(answered: _Answered, errors: dict) -> None:
    if answered.administered_on is None:
        errors["administered_on"] = [_("Enter the date.")]
    elif answered.administered_on > timezone.localdate():
        errors["administered_on"] = [_("This date is in the future.")]


def _new_administration(
    instrument: Instrument,
    case: Case,
    answered: _Answered,
    cleaned: dict[int, int | None],
    organisation: Organisation | None,
    by,
    submission_key: uuid.UUID | None,
) -> Administration:
    """The questionnaire row, not saved yet; raises when its own fields do
    not fit."""
    missing = sum(1 for code in cleaned.values() if code is None)
    administration = Administration(
        instrument=instrument,
        case=case,
        respondent=answered.respondent,
        survivor=answered.survivor,
        relation=answered.relation,
        occasion=answered.occasion,
        months=answered.months,
        administered_on=answered.administered_on,
        respondent_consented=answered.consented,
        answers=json.dumps({str(n): code for n, code in sorted(cleaned.items())}),
        items_answered=len(cleaned) - missing,
        items_missing=missing,
        organisation=organisation,
        recorded_by=by,
        submission_key=submission_key,
    )
    errors: dict[str, list] = {}
    validated(
        administration,
        errors,
        "",
        exclude=["instrument", "case", "survivor", "organisation", "recorded_by", "submission_key"],
    )
    if errors:
        raise ValidationError(errors)
    return administration


def _save_scores(
    administration: Administration,
    instrument: Instrument,
    structure: scoring.Structure,
    cleaned: dict[int, int | None],
    *,
    prorate: bool,
) -> None:
    scales = {s.code: s for s in instrument.scales.all()}
    ScaleScore.objects.bulk_create(
        [
            ScaleScore(
                administration=administration,
                scale=scales[code],
                perspective=perspective,
                prevalence=result.prevalence,
                ever=result.ever,
                annual_frequency=result.annual_frequency,
                value=scoring.score(result),
                items_missing=result.missing,
                prorated=result.prorated,
            )
            for (code, perspective), result in scoring.score_answers(structure, cleaned, prorate=prorate).items()
        ]
    )


def _complete_follow_ups(administration: Administration, answered: _Answered, case: Case) -> None:
    """The follow-up point the questionnaire was for is done; a person's
    intake questionnaire entered without one completes the open intake
    points of the case's enrolments."""
    follow_up = answered.follow_up
    if follow_up is not None:
        follow_up.administration = administration
        follow_up.status = FollowUp.Status.DONE
        follow_up.save(update_fields=["administration", "status"])
    elif answered.respondent == Respondent.PERSON and answered.occasion == Occasion.INTAKE:
        FollowUp.objects.filter(
            enrolment__case=case,
            kind=FollowUp.Kind.INTAKE,
            respondent=Respondent.PERSON,
            status__in=OPEN_STATUSES,
            administration__isnull=True,
        ).update(administration=administration, status=FollowUp.Status.DONE)


def _timeline_questionnaire(case: Case, by, instrument: Instrument, answered: _Answered) -> None:
    # Which questionnaire, whose and when; never a score. A survivor's is a
    # survivor-side entry: perpetrator-facing staff and police never see it.
    params: dict[str, object] = {
        "instrument": instrument.code,
        "respondent": answered.respondent,
        "occasion": answered.occasion,
    }
    if answered.months:
        params["months"] = answered.months
    timeline_add(
        referral=case.referral,
        by=by,
        kind=K.QUESTIONNAIRE_RECORDED,
        params=params,
        survivor_side=answered.respondent == Respondent.SURVIVOR,
    )


@transaction.atomic
def administration_record(
    *,
    case: Case,
    instrument: Instrument,
    by,
    respondent: str,
    answers: Mapping[Any, Any],
    administered_on: dt.date | None,
    follow_up: FollowUp | None = None,
    occasion: str = Occasion.OTHER,
    survivor: Survivor | None = None,
    relation: str = "",
    respondent_consented: bool = False,
    submission_key: uuid.UUID | None = None,
) -> Administration:
    """Record one questionnaire and its scores.

    ``answers``: {item number: answer code, or None / "" for no answer};
    items not given are unanswered. ``follow_up``: the point this
    questionnaire completes (its kind gives the occasion); without one,
    ``occasion`` says when, and an intake questionnaire completes the open
    intake points of the case's enrolments.

    The person's and a close relation's questionnaires are entered by the
    provider's clinical staff; a survivor's only by her survivor service,
    with her consent. A close relation and a survivor must have agreed to
    answer (``respondent_consented``).

    A resend with the same ``submission_key`` (same case, same author)
    returns the first questionnaire instead of storing it twice."""
    scope = _require_recorder(case, by, respondent)
    mine = Administration.objects.filter(case=case, recorded_by=by)
    existing, submission_key = known_submission(mine, submission_key)
    if existing is not None:
        return existing
    if instrument is None or not instrument.is_active:
        raise ValidationError({"__all__": [_("This questionnaire is not available.")]})
    errors: dict[str, list] = {}
    consented = bool(respondent_consented)
    answered = _Answered(respondent, survivor, relation, consented, follow_up, occasion, administered_on)
    _check_respondent(answered, case, errors)
    existing = _check_occasion(answered, case, mine, submission_key, errors)
    if existing is not None:
        return existing
    _check_date(answered, errors)
    structure = instrument_structure(instrument)
    cleaned = _clean_answers(instrument, structure, answers, errors)
    if errors:
        raise ValidationError(errors)
    administration = _new_administration(instrument, case, answered, cleaned, scope.organisation, by, submission_key)
    administration, created = save_once(administration, mine)
    if not created:
        return administration
    # The case's provider chooses the rule for unanswered items.
    prorate = prorates_missing(case.provider)
    _save_scores(administration, instrument, structure, cleaned, prorate=prorate)
    _complete_follow_ups(administration, answered, case)
    _timeline_questionnaire(case, by, instrument, answered)
    return administration


@transaction.atomic
def scoring_settings_set(*, organisation: Organisation, by, prorate_missing: bool) -> ScoringSettings:
    """The provider's rule for a scale with one unanswered item, chosen by
    its programme manager. It applies to questionnaires recorded from now
    on: a recorded score keeps the rule it was computed by (and says so)."""
    require_manager(organisation.pk, by)
    settings, _created = ScoringSettings.objects.update_or_create(
        organisation=organisation, defaults={"prorate_missing": bool(prorate_missing), "changed_by": by}
    )
    return settings


# --- Follow-up points ------------------------------------------------------------


def _mid_programme_points(enrolment: Enrolment) -> list[FollowUp]:
    number = enrolment.template.mid_programme_session
    if not number:
        return []
    # The person's sessions, group and individual, in the order they are held.
    theirs = Q(enrolment=enrolment)
    if enrolment.group_id:
        theirs |= Q(group_id=enrolment.group_id)
    session = Session.objects.filter(theirs).order_by("starts_at", "id")[number - 1 : number].first()
    due_on = timezone.localtime(session.starts_at).date() if session else enrolment.starts_on
    return [
        FollowUp(
            enrolment=enrolment,
            kind=FollowUp.Kind.MID,
            months=0,
            after_session=number,
            respondent=Respondent.PERSON,
            due_on=max(due_on, enrolment.starts_on),
        )
    ]


def _after_end_points(enrolment: Enrolment) -> list[FollowUp]:
    """The end of the programme and the template's months after it, once
    the enrolment has ended in a way that is followed up."""
    if enrolment.status not in FOLLOW_UP_ENDINGS or not enrolment.ended_on:
        return []
    person = Respondent.PERSON
    end = enrolment.ended_on
    points = [FollowUp(enrolment=enrolment, kind=FollowUp.Kind.END, months=0, respondent=person, due_on=end)]
    template = enrolment.template
    respondents = [person, Respondent.CLOSE_RELATION] if template.follow_up_close_relations else [person]
    for months in sorted(set(template.follow_up_months or [])):
        for respondent in respondents:
            points.append(
                FollowUp(
                    enrolment=enrolment,
                    kind=FollowUp.Kind.AFTER_END,
                    months=months,
                    respondent=respondent,
                    due_on=add_months(end, months),
                )
            )
    return points


@transaction.atomic
def follow_ups_schedule(*, enrolment: Enrolment) -> list[FollowUp]:
    """Create the follow-up points of an enrolment that do not exist yet
    (unique per enrolment, kind, months and respondent: safe to call again).

    - intake: due on the enrolment's start (completed at once by an intake
      questionnaire already on the case);
    - when the enrolment has ended as completed, dropped out or expelled:
      the end of the programme (due on the last day) and every
      ``template.follow_up_months`` after it, for a close relation too when
      ``template.follow_up_close_relations``. A template's months points
      serve both a questionnaire and a monitoring meeting (e.g. Chance's
      meeting every three months for 18 months): either one completes it;
    - mid-programme, when the template names a session
      (``template.mid_programme_session``): due on the day of the person's
      session of that rank, group and individual counted together in the
      order they are held (else on the start);
    - de-selected or transferred: points still due are no longer due."""
    enrolment = Enrolment.objects.select_related("template").get(pk=enrolment.pk)
    wanted = [
        FollowUp(
            enrolment=enrolment,
            kind=FollowUp.Kind.INTAKE,
            months=0,
            respondent=Respondent.PERSON,
            due_on=enrolment.starts_on,
        ),
        *_mid_programme_points(enrolment),
        *_after_end_points(enrolment),
    ]
    FollowUp.objects.bulk_create(wanted, ignore_conflicts=True)
    if enrolment.status in CANCELLING_ENDINGS:
        FollowUp.objects.filter(enrolment=enrolment, status=FollowUp.Status.DUE).update(
            status=FollowUp.Status.CANCELLED
        )
    else:
        intake = (
            Administration.objects.filter(
                case_id=enrolment.case_id, respondent=Respondent.PERSON, occasion=Occasion.INTAKE
            )
            .order_by("-administered_on", "-id")
            .first()
        )
        if intake is not None:
            FollowUp.objects.filter(
                enrolment=enrolment,
                kind=FollowUp.Kind.INTAKE,
                status__in=OPEN_STATUSES,
                administration__isnull=True,
            ).update(administration=intake, status=FollowUp.Status.DONE)
    return list(enrolment.follow_ups.all())


@transaction.atomic
def follow_up_meeting_record(
    *, follow_up: FollowUp, by, met_on: dt.date | None, attended: bool | None, notes: str = ""
) -> FollowUp:
    """Record a follow-up (monitoring) meeting, like a session: the date,
    whether the person came, and notes (encrypted). A meeting the person
    came to completes the point; one they missed marks it missed (a
    questionnaire recorded later still completes it)."""
    require_clinical(follow_up.enrolment.provider_id, by)
    follow_up = FollowUp.objects.select_for_update().select_related("enrolment").get(pk=follow_up.pk)
    errors: dict[str, list] = {}
    if follow_up.status == FollowUp.Status.CANCELLED:
        raise ValidationError({"__all__": [_("This follow-up point is no longer due.")]})
    if met_on is None:
        errors["met_on"] = [_("Enter the date.")]
    elif met_on > timezone.localdate():
        errors["met_on"] = [_("This date is in the future.")]
    elif met_on < follow_up.enrolment.starts_on:
        errors["met_on"] = [
            _("The meeting cannot be before the start of the programme (%(date)s).")
            % {"date": short_date(follow_up.enrolment.starts_on)}
        ]
    if attended is None:
        errors["attended"] = [_("Say whether the person came.")]
    notes = notes or ""
    if len(notes) > NOTE_MAX_LENGTH:
        errors["notes"] = [_("Keep the notes under %(max)d characters.") % {"max": NOTE_MAX_LENGTH}]
    if errors:
        raise ValidationError(errors)
    follow_up.met_on = met_on
    follow_up.attended = attended
    follow_up.meeting_notes = notes
    follow_up.recorded_by = by
    follow_up.recorded_at = timezone.now()
    if attended:
        follow_up.status = FollowUp.Status.DONE
    elif follow_up.administration_id is None:
        follow_up.status = FollowUp.Status.MISSED
    follow_up.save(update_fields=["met_on", "attended", "meeting_notes", "recorded_by", "recorded_at", "status"])
    timeline_add(
        referral=follow_up.enrolment.case.referral,
        by=by,
        kind=K.FOLLOW_UP_MEETING,
        params={"met_on": met_on, "attended": bool(attended)},
    )
    return follow_up


# --- Licensed wording ------------------------------------------------------------

IMPORT_COLUMNS = ("instrument", "item", "language", "text")


@dataclass
class ImportResult:
    created: int
    updated: int


def _instruments_by_key() -> dict[tuple[str, int | None], Instrument]:
    found: dict[tuple[str, int | None], Instrument] = {}
    for instrument in Instrument.objects.order_by("code", "version"):
        found[(instrument.code, instrument.version)] = instrument
        found[(instrument.code, None)] = instrument  # the latest version
    return found


@dataclass
class _KnownWording:
    """What a row of wording may name: instruments by (code, version) and
    by (code, None) for the latest, items by (instrument, number), and the
    languages."""

    instruments: dict[tuple[str, int | None], Instrument]
    items: dict[tuple[int, int], Item]
    languages: set[str]

    @classmethod
    def load(cls) -> _KnownWording:
        instruments = _instruments_by_key()
        items = {(i.instrument_id, i.number): i for i in Item.objects.all()}
        return cls(instruments=instruments, items=items, languages=set(Language.values))


def _row_item(row: Mapping[Any, Any], known: _KnownWording, problems: list[str]) -> Item | None:
    """The item a row names (its instrument, the version if given, the
    item number), or None with the reason added to ``problems``."""
    code = (row.get("instrument") or "").strip()
    version_raw = (row.get("version") or "").strip()
    number_raw = (row.get("item") or "").strip()
    version = None
    if version_raw:
        try:
            version = int(version_raw)
        except ValueError:
            problems.append(f"version {version_raw!r} is not a number")
    instrument = known.instruments.get((code, version))
    if instrument is None and not problems:
        problems.append(f"unknown instrument {code!r}" + (f" version {version}" if version else ""))
    try:
        number = int(number_raw)
    except ValueError:
        problems.append(f"item {number_raw!r} is not a number")
        return None
    if instrument is None:
        return None
    item = known.items.get((instrument.pk, number))
    if item is None:
        problems.append(f"{code} has no item {number}")
    return item


def _wording_problems(language: str, text: str, languages: set[str]) -> list[str]:
    problems: list[str] = []
    if language not in languages:
        problems.append(f"unknown language {language!r} (use one of {', '.join(sorted(languages))})")
    if not text:
        problems.append("the text is empty")
    elif len(text) > ITEM_TEXT_MAX_LENGTH:
        problems.append(f"the text is longer than {ITEM_TEXT_MAX_LENGTH} characters")
    return problems


def _parse_row(
    row: Mapping[Any, Any], line: int, known: _KnownWording, seen: dict[tuple[int, str], int]
) -> tuple[tuple[Item, str, str] | None, list[str]]:
    """One row as (item, language, text), and its problems. ``seen`` holds
    the line of each item and language read so far: a second row for the
    same is a duplicate."""
    language = (row.get("language") or "").strip().lower()
    text = " ".join((row.get("text") or "").split())
    problems: list[str] = []
    if row.get(None):
        problems.append("more fields than columns (put a text that holds a comma in double quotes)")
    item = _row_item(row, known, problems)
    problems += _wording_problems(language, text, known.languages)
    if item is None:
        return None, problems
    if language in known.languages:
        key = (item.pk, language)
        if key in seen:
            problems.append(f"duplicate of line {seen[key]} (same item and language)")
        else:
            seen[key] = line
    return (item, language, text), problems


def item_texts_parse(lines: Iterable[str]) -> tuple[list[tuple[Item, str, str]], list[str]]:
    """Read a CSV of licensed wording (columns instrument, item, language,
    text; an optional ``version`` column picks the instrument version, else
    the latest). Returns the rows as (item, language, text) and the
    row-level errors, each naming its line."""
    reader = csv.DictReader(lines)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in IMPORT_COLUMNS if c not in header]
    if missing:
        return [], [f"The file needs the columns {', '.join(IMPORT_COLUMNS)}; missing: {', '.join(missing)}."]
    reader.fieldnames = header
    known = _KnownWording.load()
    rows: list[tuple[Item, str, str]] = []
    errors: list[str] = []
    seen: dict[tuple[int, str], int] = {}
    for row in reader:
        line = reader.line_num
        parsed, problems = _parse_row(row, line, known, seen)
        if problems:
            errors.append(f"Line {line}: " + "; ".join(problems) + ".")
        elif parsed is not None:
            rows.append(parsed)
    if not rows and not errors:
        errors.append("The file has no rows.")
    return rows, errors


@transaction.atomic
def item_texts_import(*, lines: Iterable[str], organisation: Organisation | None = None) -> ImportResult:
    """Import licensed wording, all or nothing: any bad row and nothing is
    written (ValidationError listing every row's problem). A row for an
    item and language that already has wording replaces it."""
    rows, errors = item_texts_parse(lines)
    if errors:
        raise ValidationError(errors)
    existing = {
        (t.item_id, t.language): t for t in ItemText.objects.filter(organisation=organisation).select_for_update()
    }
    created = updated = 0
    for item, language, text in rows:
        current = existing.get((item.pk, language))
        if current is None:
            ItemText.objects.create(item=item, language=language, text=text, organisation=organisation)
            created += 1
        elif current.text != text:
            current.text = text
            current.save(update_fields=["text", "imported_at"])
            updated += 1
    return ImportResult(created=created, updated=updated)
