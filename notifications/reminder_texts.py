"""What a reminder says.

1. The participant's SMS the day before a session: one reviewed table, in
   the seven languages a participant may prefer. It is kept here in code,
   not in the gettext catalogue, because the catalogue holds the staff
   interface (Russian and English only) and because every word of this
   text has to be checked by someone who knows who else reads a
   participant's phone (a partner, a mother-in-law, an employer):

   - it says "appointment"/"meeting", never programme, group, violence,
     perpetrator, police, court, order or anything about the survivor;
   - it carries only the date and time (numbers, read the same in every
     language and script: 05.05.2026, 15:00), the place staff entered for
     the session (a room, or a village and district for a mobile session;
     left out when there is none) and, unless
     ``REMIND_PARTICIPANT_SMS_WITH_PROVIDER`` is off, the provider's name:
     a message with an address and no sender looks like a scam, and the
     sender ID of an SMS gateway names the provider anyway. A provider
     whose name gives away what it does should turn that setting off;
   - no suffixes are glued to numbers (Kyrgyz, Kazakh, Uzbek and Turkmen
     would need vowel harmony after a time), so every language reads
     "Reminder: your appointment is tomorrow, <date>, <time>. Place: …".

   An unknown or missing language falls back to Russian.
   The ky, tg, uz, kk and tk texts still need review by native speakers
   (README, "Reminders").

2. Staff reminders (inbox and email) are translated like the rest of the
   interface (gettext, the staff member's language). They name the case
   number, the date and the kind of thing due, never a person: "A risk
   reassessment on case K-0012 is due. Please sign in."
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from casework.models import Case
from core.dates import short_date, short_datetime
from core.languages import interface_language

# --- the participant's SMS ---------------------------------------------------------
# {date}: DD.MM.YYYY, {time}: HH:MM (24 h), both local (settings.TIME_ZONE).
PARTICIPANT_SMS: dict[str, dict[str, str]] = {
    "ru": {
        "body": "Напоминание: ваша встреча завтра, {date}, в {time}.",
        "place": "Место: {place}.",
    },
    "ky": {
        "body": "Эскертме: жолугушууңуз эртең, {date}, саат {time}.",
        "place": "Орду: {place}.",
    },
    "tg": {
        "body": "Ёдоварӣ: вохӯрии шумо пагоҳ, {date}, соати {time}.",
        "place": "Ҷой: {place}.",
    },
    "uz": {
        "body": "Eslatma: uchrashuvingiz ertaga, {date}, soat {time}.",
        "place": "Manzil: {place}.",
    },
    "kk": {
        "body": "Еске салу: кездесуіңіз ертең, {date}, сағат {time}.",
        "place": "Орны: {place}.",
    },
    "tk": {
        "body": "Ýatlatma: duşuşygyňyz ertir, {date}, sagat {time}.",
        "place": "Ýeri: {place}.",
    },
    "en": {
        "body": "Reminder: your appointment is tomorrow, {date}, at {time}.",
        "place": "Place: {place}.",
    },
}
FALLBACK_LANGUAGE = "ru"
PLACE_MAX = 80
PROVIDER_MAX = 60


def participant_language(language: str | None) -> str:
    return language if language in PARTICIPANT_SMS else FALLBACK_LANGUAGE


def _short(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def participant_sms(*, language: str | None, starts_at: dt.datetime, place: str = "", provider: str = "") -> str:
    """The SMS the day before a session, in ``language`` (Russian when the
    language is unknown)."""
    texts = PARTICIPANT_SMS[participant_language(language)]
    local = timezone.localtime(starts_at)
    parts = []
    if provider and settings.REMIND_PARTICIPANT_SMS_WITH_PROVIDER:
        parts.append(f"{_short(provider, PROVIDER_MAX)}:")
    parts.append(texts["body"].format(date=f"{local:%d.%m.%Y}", time=f"{local:%H:%M}"))
    if place and place.strip():
        parts.append(texts["place"].format(place=_short(place, PLACE_MAX)))
    return " ".join(parts)


# --- staff reminders ---------------------------------------------------------------


_date, _when = short_date, short_datetime


def _number(case_id: int | None) -> str:
    return Case(pk=case_id).number if case_id else ""


def staff_summary(reminder) -> str:
    """One sentence, in the active language, for the reminder list and the
    email body. Case numbers, dates, session numbers only."""
    kind = reminder.kind
    facts = reminder.facts or {}
    if kind == "unlogged_session":
        session = reminder.session
        if session is None:
            return _("Attendance of a session is not logged yet.")
        if session.kind == "group":
            return _("Attendance of group session %(number)s (%(group)s) of %(when)s is not logged yet.") % {
                "number": session.number,
                "group": session.group.name if session.group_id else "",
                "when": _when(session.starts_at),
            }
        return _("Attendance of individual session %(number)s on case %(case)s of %(when)s is not logged yet.") % {
            "number": session.number,
            "case": _number(reminder.case_id),
            "when": _when(session.starts_at),
        }
    if kind == "risk_reassessment":
        assessed = facts.get("assessed_on")
        return _("A risk reassessment on case %(case)s is due (last assessed on %(date)s).") % {
            "case": _number(reminder.case_id),
            "date": _date(dt.date.fromisoformat(assessed)) if assessed else "—",
        }
    if kind == "safety_plan_review":
        return _("A safety-plan review on case %(case)s is due on %(date)s.") % {
            "case": _number(reminder.case_id),
            "date": _date(reminder.due_on),
        }
    if kind == "monitoring_meeting":
        return _("A monitoring meeting on case %(case)s is due on %(date)s.") % {
            "case": _number(reminder.case_id),
            "date": _date(reminder.due_on),
        }
    if kind == "follow_up":
        return _("A follow-up on case %(case)s is due on %(date)s.") % {
            "case": _number(reminder.case_id),
            "date": _date(reminder.due_on),
        }
    return _("A reminder is waiting.")


def staff_subject(reminder) -> str:
    kind = reminder.kind
    number = _number(reminder.case_id)
    if kind == "unlogged_session":
        return _("Attendance not logged")
    if kind == "risk_reassessment":
        return _("Risk reassessment due on case %(case)s") % {"case": number}
    if kind == "safety_plan_review":
        return _("Safety-plan review due on case %(case)s") % {"case": number}
    if kind == "follow_up":
        return _("Follow-up due on case %(case)s") % {"case": number}
    if kind == "monitoring_meeting":
        return _("Monitoring meeting due on case %(case)s") % {"case": number}
    return _("Reminder")


def staff_email(reminder, *, language: str) -> tuple[str, str]:
    """(subject, body) of a staff reminder email, in ``language``."""
    with translation.override(interface_language(language)):
        subject = staff_subject(reminder)
        body = f"{staff_summary(reminder)} {_('Please sign in.')}"
        site = settings.NOTIFY_SITE_URL.rstrip("/")
        if site:
            body = f"{body} {site}{reverse('notifications:reminders')}"
    return subject, body
