"""The sign-in page and every page of the main journey in each language of
the region, in Chromium at 390×844: police referral, incoming referrals
and screening, intake, enrolment, Today and the roster, the inboxes and a
notice, the dashboard.

On each page, in each of the six languages:

- **no English**: no word of the English interface (a word of a message's
  English original, ``msgid``) that the language's own catalogue never
  uses, in the visible text, the options of a list, a field's placeholder
  or a button's label. What users typed here is in Russian, and the
  organisations and the room have their names in every language
  (``core.localnames``), so nothing English is expected anywhere;
- **nothing cut off**: the page does not scroll sideways, and no element
  hides part of its text (overflow hidden or an ellipsis), the phone
  menu's items included.

The people sign in once (the sign-in page is checked in each language as
an anonymous browser whose Accept-Language asks for it); each language is
then their profile's, as the language menu sets it.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import Browser

from accounts.models import Organisation, Role, User
from notifications.models import Notice, SafetyEvent
from notifications.services import safety_event_record
from programmes.models import Session
from tests import factories as f
from tests.browser.conftest import PHONE
from tests.core.test_translations import read_catalogue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]

# The organisations and the room in each language, as their administrators
# would enter them; the name as typed is English on purpose, so that a
# page showing it instead of the reader's is caught.
NAMES = {
    "police": {
        "ru": "УВД Первомайского района",
        "ky": "Биринчи Май районунун ИИББ",
        "tg": "ШВКД ноҳияи Первомай",
        "uz": "Pervomay tumani IIB",
        "kk": "Первомай ауданының ПБ",
        "tk": "Perwomaý etrap polisiýasy",
    },
    "provider": {
        "ru": "Консультационный кабинет",
        "ky": "Консультациялык кабинет",
        "tg": "Ҳуҷраи машваратӣ",
        "uz": "Maslahat xonasi",
        "kk": "Консультациялық кабинет",
        "tk": "Maslahat otagy",
    },
    "crisis": {
        "ru": "Кризисный центр «Сезим»",
        "ky": "«Сезим» кризистик борбору",
        "tg": "Маркази бӯҳронии «Сезим»",
        "uz": "«Sezim» inqiroz markazi",
        "kk": "«Сезим» дағдарыс орталығы",
        "tk": "«Sezim» krizis merkezi",
    },
    "monitor": {
        "ru": "Управление социального развития",
        "ky": "Социалдык өнүктүрүү башкармалыгы",
        "tg": "Раёсати рушди иҷтимоӣ",
        "uz": "Ijtimoiy rivojlanish boshqarmasi",
        "kk": "Әлеуметтік даму басқармасы",
        "tk": "Sosial ösüş müdirligi",
    },
}
ROOM = {"ru": "Кабинет 2", "ky": "2-бөлмө", "tg": "Ҳуҷраи 2", "uz": "2-xona", "kk": "2-бөлме", "tk": "2-nji otag"}

# Words that are the same in the language and in English, or a name or a
# code that is not translated (a brand, a standard's abbreviation).
NOT_ENGLISH = {"sms", "pdf", "csv", "telegram", "cts", "email", "e-mail", "api", "otp", "totp", "url", "json"}

WORD = re.compile(r"[A-Za-z][A-Za-z'’-]{2,}")


@cache
def _words(texts: tuple[str, ...]) -> frozenset[str]:
    words = set()
    for text in texts:
        text = re.sub(r"%\(\w+\)[sdf]|\{\w*\}|<[^>]+>|&\w+;", " ", text)  # placeholders, markup
        words.update(w.lower().strip("'’-") for w in WORD.findall(text))
    return frozenset(words)


@cache
def english_words(language: str) -> frozenset[str]:
    """The words of the English interface that ``language``'s catalogue
    never uses itself (Uzbek and Turkmen are written in Latin letters)."""
    _header, entries = read_catalogue(language)
    english = _words(tuple(e.msgid for e in entries) + tuple(e.msgid_plural for e in entries if e.msgid_plural))
    own = _words(tuple(e.msgstr for e in entries) + tuple(s for e in entries for s in e.msgstr_plural.values()))
    return english - own - NOT_ENGLISH


# Every text a reader reads: visible text, the options of every list (a
# closed select shows one, opening it shows all), placeholders, the labels
# of buttons and links read aloud, image descriptions.
READ_TEXT = """() => {
  const parts = [document.body.innerText, document.title];
  document.querySelectorAll("option").forEach(o => parts.push(o.textContent));
  document.querySelectorAll("[placeholder]").forEach(e => parts.push(e.getAttribute("placeholder")));
  document.querySelectorAll("[aria-label]").forEach(e => parts.push(e.getAttribute("aria-label")));
  document.querySelectorAll("img[alt]").forEach(e => parts.push(e.getAttribute("alt")));
  document.querySelectorAll("input[type=submit][value], input[type=button][value]").forEach(e => parts.push(e.value));
  return parts.join("\\n");
}"""

# Elements that hide part of their own text: clipped or cut with an ellipsis
# (not the 1-pixel boxes of text for screen readers, which clip by design);
# and what makes the page wider than the screen, if it is.
CUT_OFF = """() => {
  const cut = [];
  const doc = document.documentElement;
  const name = el =>
    el.tagName.toLowerCase() + (el.className ? "." + String(el.className).trim().split(/\\s+/).join(".") : "");
  for (const el of document.body.querySelectorAll("*")) {
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden") continue;
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;  // for screen readers only
    const clips = ["hidden", "clip"].includes(style.overflowX) || style.textOverflow === "ellipsis";
    if (clips && el.scrollWidth > el.clientWidth + 1 && el.innerText.trim()) {
      cut.push(name(el) + ": " + el.innerText.trim().slice(0, 60));
    }
    if (doc.scrollWidth > doc.clientWidth && box.right > doc.clientWidth + 1 && !el.closest(".table-responsive")) {
      const inner = [...el.children].some(c => c.getBoundingClientRect().right > doc.clientWidth + 1);
      const where = `${Math.round(box.right)}px on a ${doc.clientWidth}px screen`;
      if (!inner) cut.push(`${name(el)} reaches ${where}: ${el.innerText.trim().slice(0, 60)}`);
    }
  }
  return cut;
}"""


def problems_on(page, language: str) -> list[str]:
    found = []
    english = english_words(language)
    text = page.evaluate(READ_TEXT)
    leaked = [m for m in WORD.finditer(text) if m.group().lower().strip("'’-") in english]
    found.extend(f"English: {text[max(0, m.start() - 30) : m.end() + 30]!r}" for m in leaked)
    found.extend(f"cut off: {what}" for what in page.evaluate(CUT_OFF))
    return found


@pytest.fixture
def journey(shipped_data) -> dict:
    """One of each thing the journey's pages show, typed in Russian (the
    usernames in Latin letters, as usual, but no English word)."""
    K = Organisation.Kind
    orgs = {
        "police": f.make_org(K.POLICE_UNIT, name="Pervomaisky District Police"),
        "provider": f.make_org(K.PROGRAMME_PROVIDER, name="Consultation Room"),
        "crisis": f.make_org(K.SURVIVOR_SERVICE, name="Sezim Crisis Centre"),
        "monitor": f.make_org(K.MONITORING_BODY, name="Social Development Department"),
    }
    for key, org in orgs.items():
        org.name_translations = NAMES[key]
        org.save(update_fields=["name_translations"])
    people = {
        "officer": f.make_user(orgs["police"], Role.POLICE_OFFICER, "t.asanov"),
        "psychologist": f.make_user(orgs["provider"], Role.PSYCHOLOGIST, "a.asanova"),
        "social_worker": f.make_user(orgs["provider"], Role.SOCIAL_WORKER, "b.bakirova"),
        "manager": f.make_user(orgs["provider"], Role.PROGRAMME_MANAGER, "n.nurlanova"),
        "survivor_worker": f.make_user(orgs["crisis"], Role.SURVIVOR_WORKER, "g.sadykova"),
        "monitor": f.make_user(orgs["monitor"], Role.MONITORING_VIEWER, "e.ermekova"),
    }
    for person in people.values():
        person.first_name, person.last_name = "Айгуль", "Асанова"
        person.save(update_fields=["first_name", "last_name"])
    police, psychologist = people["officer"], people["psychologist"]

    def referral(family_name: str):
        return f.make_referral(
            police=police,
            provider=orgs["provider"],
            person=f.person_data(family_name=family_name, household="Жена, двое детей"),
            incident_description="Толкнул жену и угрожал ей дома.",
            order=f.order_data(order_issuing_authority="УВД Первомайского района"),
        )

    received = referral("Асанов")
    accepted = f.accept(referral("Бакиев"), psychologist)
    to_enrol = f.open_case(referral("Токтогулов"), psychologist)
    enrolled = f.open_case(referral("Жумабеков"), psychologist)
    template = f.shipped_template("kg-annex3-voluntary-men")
    group = f.make_group(
        by=psychologist,
        template=template,
        name="Мужская группа",
        location="Room 2",
        location_translations=ROOM,
        language="ru",
        starts_on=timezone.localdate(),
        time_of_day=dt.time(10, 0),
        psychologist=psychologist,
        social_worker=people["social_worker"],
    )
    f.enrol_case(enrolled, by=psychologist, template=template, group=group, starts_on=timezone.localdate())
    case_services_refer(enrolled, orgs["crisis"], psychologist)
    with transaction.atomic():
        event = safety_event_record(
            kind=SafetyEvent.Kind.RISK_RAISED,
            case=enrolled,
            facts={"from_level": "medium", "to_level": "high", "assessed_on": timezone.localdate()},
            dedupe_key=f"risk_raised:languages:{enrolled.pk}",
            by=psychologist,
        )
    return {
        "people": people,
        "received": received,
        "accepted": accepted,
        "to_enrol": to_enrol,
        "session": Session.objects.filter(group=group).order_by("starts_at").first(),
        "notice": Notice.objects.get(event=event, organisation=orgs["crisis"]),
    }


def case_services_refer(case, organisation, by) -> None:
    from casework import services as case_services

    case_services.survivor_service_refer(case=case, organisation=organisation, by=by)


def pages_of(journey: dict) -> dict[str, list[str]]:
    received, accepted, to_enrol = journey["received"], journey["accepted"], journey["to_enrol"]
    return {
        "officer": ["/referrals/mine/", "/referrals/new/", f"/referrals/{received.pk}/status/"],
        "psychologist": [
            "/programmes/today/",
            "/referrals/incoming/",
            f"/referrals/{received.pk}/screen/",
            f"/cases/intake/{accepted.pk}/",
            f"/programmes/cases/{to_enrol.pk}/enrol/",
            f"/programmes/sessions/{journey['session'].pk}/log/",
            "/notifications/",
        ],
        "survivor_worker": ["/notifications/", f"/notifications/{journey['notice'].pk}/"],
        "manager": ["/reports/"],
        "monitor": ["/reports/"],
    }


def test_the_main_journey_reads_in_each_language_on_a_phone(browser: Browser, live_server, sign_in, journey):
    found: dict[str, list[str]] = {}

    for language in LANGUAGES:
        context = browser.new_context(locale=language, viewport=PHONE, base_url=live_server.url)
        page = context.new_page()
        page.goto("/accounts/login/")
        assert page.locator("html").get_attribute("lang") == language
        for problem in problems_on(page, language):
            found.setdefault(f"{language} /accounts/login/", []).append(problem)
        context.close()

    visitors = {role: sign_in(journey["people"][role], viewport=PHONE) for role in pages_of(journey)}
    for language in LANGUAGES:
        User.objects.filter(pk__in=[p.pk for p in journey["people"].values()]).update(preferred_language=language)
        for role, paths in pages_of(journey).items():
            page = visitors[role].page
            for number, path in enumerate(paths):
                response = page.goto(path)
                assert response is not None and response.status == 200, f"{role} {path}: {response and response.status}"
                assert page.locator("html").get_attribute("lang") == language, f"{role} {path}"
                problems = problems_on(page, language)
                if number == 0:  # the phone menu, open
                    page.locator(".navbar-toggler").click()
                    page.locator(".navbar-collapse.show").wait_for()
                    problems += [f"menu: {p}" for p in problems_on(page, language)]
                if problems:
                    found[f"{language} {role} {path}"] = problems

    assert not found, "\n".join(f"{where}: {'; '.join(problems)}" for where, problems in found.items())
    for visitor in visitors.values():
        assert not visitor.problems, visitor.problems
