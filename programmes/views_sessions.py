"""The daily work of a consultation room and the endings: Today, logging a
session (one roster screen), rescheduling and cancelling, a participant's
sessions and progress, discharge, the certificate of completion and the
personal calendar feed.

Views are thin: a decorator decides the role (403), a selector the object
(404 outside the user's organisation), a form parses, a service writes and
its ValidationError lands on the form. Clinical staff (psychologists and
social workers) log and discharge; programme managers may look.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import clinical_required, provider_staff_required
from core.confirm import Confirmation, is_confirmed
from core.errors import add_service_errors
from core.events import ask
from core.redirects import safe_next
from programmes import calendar, scheduling, services
from programmes.certificates import certificate_for, facts, render_pdf, statement
from programmes.events import ENDING_TOLD, ENDING_WOULD_TELL
from programmes.forms_sessions import (
    NEVER_AN_ABSENCE,
    CancelForm,
    DischargeForm,
    RescheduleForm,
    RosterForm,
    mark_field,
    session_topics,
)
from programmes.models import Enrolment, Session
from programmes.selectors import (
    Roster,
    enrolment_sessions,
    get_enrolment_for_user,
    get_session_for_user,
    progress,
    roster_of,
    session_notes_for,
    today_for,
)

PAGE_SIZE = 25


# --- helpers -------------------------------------------------------------------


def _next_url(request, default: str) -> str:
    """Where to go after a form: ``next`` when it is a page of this site."""
    return safe_next(request, request.POST.get("next") or request.GET.get("next")) or default


def _loggable(session: Session) -> bool:
    return session.starts_at <= timezone.now() + services.LOG_EARLY


def _session_title(session: Session) -> str:
    if session.kind == Session.Kind.GROUP:
        return _("Group session %(number)d — %(group)s") % {"number": session.number, "group": session.group.name}
    return _("Individual session %(number)d — case %(case)s") % {
        "number": session.number,
        "case": session.enrolment.case.number,
    }


# --- Today ---------------------------------------------------------------------


@never_cache
@require_GET
@provider_staff_required
def today(request):
    """Clinical staff: the sessions they lead or co-lead today and the ones
    of theirs not yet logged. A programme manager: the provider's."""
    board = today_for(request.scope, request.user, page=request.GET.get("page"), per_page=PAGE_SIZE)
    return render(
        request,
        "programmes/sessions/today.html",
        {"sessions": board.sessions, "page": board.unlogged, "today": timezone.localdate()},
    )


# --- Logging a session ---------------------------------------------------------


LOG_PAGE = "programmes/sessions/session_log.html"
LOG_BODY = "programmes/sessions/partials/session_log_body.html"


@never_cache
@require_http_methods(["GET", "POST"])
@provider_staff_required
def session_log(request, pk: int):
    """One roster screen for a whole session, saved in one request through
    ``attendance_record``; opening it again shows what was saved.

    Without JavaScript a save redirects to this page. A save sent by htmx
    (the form's ``hx-post``) is answered with the roster as saved, the page's
    content only: a few KB instead of a redirect and a whole page, which
    counts on a phone's weak network (issue 17)."""
    scope = request.scope
    if request.method == "POST":
        if not scope.is_clinical:
            get_session_for_user(scope, pk)  # someone else's session is still a 404
            raise PermissionDenied
        return _save_log(request, pk)
    session = get_session_for_user(scope, pk)
    context = _log_context(roster_of(session))
    if scope.is_clinical:
        # Programme managers see the marks and the topic; notes are therapy
        # records for the clinical staff only.
        context["form"] = _roster_form(request, session, context["rows"], None)
    return _render_log(request, context)


def _save_log(request, pk: int) -> HttpResponse:
    """A save of the roster screen. The session is locked and its roster read
    under the lock once: the form is checked against it and the service
    saves against it, without reading it again."""
    scope = request.scope
    data = request.POST.copy()
    logged = None
    with transaction.atomic():
        session = get_session_for_user(scope, pk, for_update=True)
        roster = roster_of(session)
        context = _log_context(roster)
        rows = context["rows"]
        form = _roster_form(request, session, rows, data)
        if form.is_valid():
            try:
                # Saved in one pass, unless it tells someone something the user
                # has not yet been shown and confirmed: then nothing is kept.
                logged = services.attendance_record(
                    session=session,
                    by=request.user,
                    marks=form.marks(),
                    topic_covered=form.topic_covered(),
                    notes=form.cleaned_data["notes"],
                    confirmed=form.confirmed(),
                    expect=form.cleaned_data["expect"],
                    roster=roster,
                )
            except services.AttendanceUnconfirmed as unconfirmed:
                # Say what the save will set off, and ask before doing it.
                data["expect"] = services.told_signature(unconfirmed.told)
                context["consequences"] = _consequences(unconfirmed.told, rows)
            except ValidationError as exc:
                fields = {"topic_covered": form.topic_field()}
                fields.update({f"marks.{row.enrolment.pk}": mark_field(row.enrolment.pk) for row in rows})
                add_service_errors(form, exc, fields)
    if logged is not None:
        _saved_messages(request, logged, rows)
        if not request.htmx:
            return redirect("programmes:session_log", pk=session.pk)
        # What the redirect would have shown, read afresh.
        session = get_session_for_user(scope, pk)
        context = _log_context(roster_of(session))
        form = _roster_form(request, session, context["rows"], None)
    context["form"] = form
    return _render_log(request, context)


def _log_context(roster: Roster) -> dict:
    session, rows = roster.session, roster.rows
    return {
        "session": session,
        "title": _session_title(session),
        "rows": rows,
        "loggable": _loggable(session),
        "notice_hours": scheduling.notice_hours(),
        "marked": sum(1 for row in rows if row.mark),
    }


def _roster_form(request, session: Session, rows, data) -> RosterForm:
    # The facilitators' notes are therapy records: the selector logs the read.
    notes = session_notes_for(request.scope, session, via=request.resolver_match.view_name)
    return RosterForm(data, session=session, rows=rows, topics=session_topics(session), notes=notes)


def _render_log(request, context: dict) -> HttpResponse:
    if request.htmx and request.method == "POST":
        return render(request, LOG_BODY, {**context, "swapped": True})
    return render(request, LOG_PAGE, context)


def _names(organisations) -> str:
    return str(get_text_list([str(o) for o in organisations], _("and")))


def _consequence_text(kind: str, name: str, facts: dict, organisations) -> str:
    told = _names(organisations)
    if kind == "dropout":
        missed, in_row = facts.get("sessions_missed") or 0, facts.get("missed_in_a_row") or 0
        if missed == in_row:
            absences = ngettext("%(n)d unexcused absence in a row", "%(n)d unexcused absences in a row", in_row) % {
                "n": in_row
            }
        else:
            absences = ngettext(
                "%(n)d unexcused absences, %(k)d in a row", "%(n)d unexcused absences, %(k)d in a row", missed
            ) % {"n": missed, "k": in_row}
        return _("%(name)s: this makes %(absences)s. The programme's rule records a dropout and tells %(told)s.") % {
            "name": name,
            "absences": absences,
            "told": told,
        }
    if kind == "non_compliance":
        return _(
            "%(name)s: the protection order obliges attendance until %(date)s. This absence is reported to "
            "%(told)s as non-compliance."
        ) % {"name": name, "date": facts.get("order_expires_on", ""), "told": told}
    return _("%(name)s: a safety notice goes to %(told)s.") % {"name": name, "told": told}


def _consequences(preview: list[dict], rows) -> list[str]:
    names = {row.enrolment.pk: row.enrolment.case.referral.person.full_name for row in rows}
    return [
        _consequence_text(p["kind"], names.get(p["enrolment_id"], ""), p["facts"], p["organisations"]) for p in preview
    ]


def _saved_messages(request, logged, rows) -> None:
    text = ngettext("Session saved: %(n)d person marked.", "Session saved: %(n)d people marked.", len(rows)) % {
        "n": len(rows)
    }
    if logged.session.status == Session.Status.NOT_HELD:
        text += " " + _("Nobody came: the session is recorded as not held, with no topic covered.")
    messages.success(request, text)
    names = {row.enrolment.pk: row.enrolment.case.referral.person.full_name for row in rows}
    for event in logged.events:
        organisations = [n.organisation.shown_name for n in event.notices.select_related("organisation").order_by("pk")]
        label = {
            "dropout": _("A dropout notice about %(name)s went to %(told)s."),
            "non_compliance": _("A non-compliance notice about %(name)s went to %(told)s."),
        }.get(event.kind, _("A safety notice about %(name)s went to %(told)s."))
        messages.warning(request, label % {"name": names.get(event.enrolment_id, ""), "told": _names(organisations)})


# --- Rescheduling and cancelling -----------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@provider_staff_required
def session_reschedule(request, pk: int):
    session = get_session_for_user(request.scope, pk)
    back = _next_url(request, reverse("programmes:today"))
    form = RescheduleForm(request.POST if request.method == "POST" else None, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            moved = services.session_reschedule(
                session=session,
                starts_at=form.starts_at(),
                by=request.user,
                reason=form.cleaned_data["reason"],
                duration_minutes=form.cleaned_data["duration_minutes"],
                allow_clash=form.cleaned_data["allow_clash"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, {"starts_at": "day"})
        else:
            messages.success(request, _("The session was moved."))
            if moved.starts_at - timezone.now() < scheduling.min_notice():
                messages.warning(
                    request,
                    ngettext(
                        "It is less than %(hours)d hour away: tell the participants now. An unexcused absence "
                        "there counts only if you confirm, when logging it, that they knew in time.",
                        "It is less than %(hours)d hours away: tell the participants now. An unexcused absence "
                        "there counts only if you confirm, when logging it, that they knew in time.",
                        scheduling.notice_hours(),
                    )
                    % {"hours": scheduling.notice_hours()},
                )
            return redirect(back)
    return render(
        request,
        "programmes/sessions/session_change.html",
        {
            "session": session,
            "title": _session_title(session),
            "form": form,
            "heading": _("Reschedule the session"),
            "submit": _("Move the session"),
            "open": session.status == Session.Status.PLANNED,
            "closed_message": _("Only a planned session can be rescheduled."),
            "help": NEVER_AN_ABSENCE,
            "next": back,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
@provider_staff_required
def session_cancel(request, pk: int):
    session = get_session_for_user(request.scope, pk)
    back = _next_url(request, reverse("programmes:today"))
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_cancel(session=session, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The session was cancelled."))
            return redirect(back)
    closed = {
        Session.Status.HELD: _("A session that was logged cannot be cancelled."),
        Session.Status.NOT_HELD: _("A session that was logged cannot be cancelled."),
        Session.Status.CANCELLED: _("This session is already cancelled."),
    }
    return render(
        request,
        "programmes/sessions/session_change.html",
        {
            "session": session,
            "title": _session_title(session),
            "form": form,
            "heading": _("Cancel the session"),
            "submit": _("Cancel the session"),
            "danger": True,
            "open": session.status == Session.Status.PLANNED,
            "closed_message": closed.get(session.status, ""),
            "help": NEVER_AN_ABSENCE,
            "next": back,
        },
    )


# --- A participant: sessions, progress, discharge, certificate -----------------


@never_cache
@require_GET
@provider_staff_required
def enrolment_detail(request, pk: int):
    """Every session of the person's plan with their marks, and progress."""
    scope = request.scope
    enrolment = get_enrolment_for_user(scope, pk)
    return render(
        request,
        "programmes/sessions/enrolment_detail.html",
        {
            "enrolment": enrolment,
            "case": enrolment.case,
            "sessions": enrolment_sessions(enrolment),
            "progress": progress(enrolment),
            "own": enrolment.provider_id == scope.organisation_id,
            "here": request.get_full_path(),
            "now": timezone.now(),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
@clinical_required
def discharge(request, pk: int):
    """End the programme. The first valid POST asks for confirmation, naming
    the organisations the ending's notice will go to; the confirmed POST
    ends it and says who was told."""
    scope = request.scope
    enrolment = get_enrolment_for_user(scope, pk)
    if enrolment.status != Enrolment.Status.ACTIVE:
        messages.info(request, _("This enrolment has already ended."))
        return redirect("programmes:enrolment_detail", pk=enrolment.pk)
    form = DischargeForm(request.POST if request.method == "POST" else None, enrolment=enrolment)
    confirm = None
    if request.method == "POST" and form.is_valid():
        ending = {
            "kind": form.cleaned_data["kind"],
            "on": form.cleaned_data["on"],
            "reason": form.cleaned_data["reason"],
            "notes": form.cleaned_data["notes"],
            "for_violence": form.cleaned_data["for_violence"],
        }
        ended = None
        try:
            if is_confirmed(request):
                ended = services.enrolment_discharge(enrolment=enrolment, by=request.user, **ending)
            else:
                services.enrolment_discharge_check(enrolment=enrolment, by=request.user, **ending)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if ended is None:
                confirm = _discharge_confirmation(request, enrolment, form)
            else:
                message = _("The programme ended: %(status)s.") % {"status": _status_label(form)}
                sentence = ask(ENDING_TOLD, enrolment=ended)
                messages.success(request, f"{message} {sentence}" if sentence else message)
                return redirect("programmes:enrolment_detail", pk=enrolment.pk)
    return render(
        request,
        "programmes/sessions/discharge.html",
        {
            "enrolment": enrolment,
            "case": enrolment.case,
            "form": form,
            "progress": progress(enrolment),
            "confirm": confirm,
        },
    )


def _discharge_confirmation(request, enrolment: Enrolment, form: DischargeForm) -> Confirmation:
    kind = form.cleaned_data["kind"]
    what = _("You are about to end the programme of %(name)s (case %(case)s): %(status)s, last day %(on)s.") % {
        "name": enrolment.case.referral.person.full_name,
        "case": enrolment.case.number,
        "status": _status_label(form),
        "on": formats.date_format(form.cleaned_data["on"], "SHORT_DATE_FORMAT"),
    }
    if form.cleaned_data["for_violence"]:
        what += " " + _("Because of new violence: the notice is urgent.")
    tells = ask(ENDING_WOULD_TELL, enrolment=enrolment, ending=kind)
    return Confirmation.of(request, what=what, tells=tells)


def _status_label(form: DischargeForm) -> str:
    return str(Enrolment.Status(form.cleaned_data["kind"]).label)


def _certificate_or_message(request, pk: int):
    enrolment = get_enrolment_for_user(request.scope, pk)
    if enrolment.status != Enrolment.Status.COMPLETED:
        return enrolment, None
    return enrolment, certificate_for(enrolment)


@never_cache
@require_GET
@provider_staff_required
def certificate(request, pk: int):
    """A printable certificate for the police or a court. No survivor data:
    it is built from ``certificates.Certificate`` only."""
    enrolment, cert = _certificate_or_message(request, pk)
    if cert is None:
        return render(request, "programmes/sessions/certificate_unavailable.html", {"enrolment": enrolment}, status=404)
    return render(
        request,
        "programmes/sessions/certificate.html",
        {"enrolment": enrolment, "cert": cert, "facts": facts(cert), "statement": statement(cert)},
    )


@never_cache
@require_GET
@provider_staff_required
def certificate_pdf(request, pk: int):
    _enrolment, cert = _certificate_or_message(request, pk)
    if cert is None:
        raise Http404("Only a completed programme has a certificate.")
    response = HttpResponse(render_pdf(cert), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{cert.filename}"'
    return response


# --- Calendar feed -------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@provider_staff_required
def calendar_settings(request):
    """The personal feed link, and "new link" (the old one stops working)."""
    if request.method == "POST":
        existed = calendar.feed_for(request.user) is not None
        calendar.feed_rotate(user=request.user)
        messages.success(
            request,
            _("A new link was made. The old link no longer works.") if existed else _("Your calendar link is ready."),
        )
        return redirect("programmes:calendar_settings")
    feed = calendar.feed_for(request.user)
    url = (
        request.build_absolute_uri(reverse("programmes:calendar_feed", args=[calendar.feed_token(feed)]))
        if feed
        else None
    )
    return render(request, "programmes/sessions/calendar_settings.html", {"feed": feed, "url": url})


@require_GET
def calendar_feed(request, token: str):
    """The .ics feed, without signing in: the token is the key. Holds no
    personal data (see programmes.calendar). A wrong or old token: 404."""
    user = calendar.user_for_token(token)
    if user is None:
        raise Http404("No such calendar.")
    response = HttpResponse(calendar.build_ics(user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="sessions.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
