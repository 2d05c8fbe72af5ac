"""The endpoints of field work: prepare a phone, sync what it recorded, the
web app manifest and the service worker that make the site installable.

Prepare and sync are for psychologists and social workers (``clinical``):
a wrong role gets 403; what they answer starts from the user's scope, so
another organisation's session is "not found" like a missing one. Sync
answers 400 only when the body is not a JSON list of at most 50 entries
(413 past the size Django reads; a NUL anywhere is refused by
``core.middleware`` naming its place, "entries.1.notes"); each entry then
gets its own answer (applied, conflict, invalid or not found), so one bad
entry never holds the others back.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.contrib.staticfiles import finders
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import clinical_required
from core.errors import api_error_dict
from fieldwork import selectors
from fieldwork.forms import EntryForm, entries_of, key_of
from fieldwork.services import Applied, field_entry_apply

THEME_COLOUR = "#0d6efd"
# The static files every page uses: the service worker keeps them.
OFFLINE_ASSETS = (
    "vendor/bootstrap/bootstrap.min.css",
    "css/app.css",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "vendor/htmx/htmx.min.js",
    "js/programmes_sessions.js",
    "fieldwork/field.js",
    "fieldwork/icons/icon-192.png",
    "fieldwork/icons/favicon-32.png",
)
SHELL_URL = "/field/"


def offline_version(assets: list[str]) -> str:
    """Changes when a kept file changes: its URL (hashed in production) or,
    where URLs do not change (development), its content."""
    digest = hashlib.sha256("\n".join(assets).encode())
    for name in OFFLINE_ASSETS:
        path = finders.find(name)
        if isinstance(path, str):
            with open(path, "rb") as source:
                digest.update(source.read())
    return digest.hexdigest()[:16]


def _json(data: dict[str, Any], status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})
    response["Cache-Control"] = "no-store, private"
    return response


@never_cache
@require_GET
@clinical_required
def prepare(request):
    """The bundle a phone keeps for the field (``selectors.field_bundle``)."""
    return _json(selectors.field_bundle(request.scope, request.user))


def _answer(applied: Applied) -> dict[str, Any]:
    row = applied.entry
    return {
        "key": str(row.key),
        "outcome": row.outcome,
        "replayed": applied.replayed,
        "differs": applied.differs,
        "recorded_at": row.recorded_at.isoformat(),
        "received_at": row.received_at.isoformat(),
        **row.result,
    }


def _named(request, answers: list[dict[str, Any]]) -> dict[str, Any]:
    """The names and reasons the answers' ids stand for."""
    enrolments: set[int] = set()
    users: set[int] = set()
    sessions: set[int] = set()
    for answer in answers:
        for event in answer.get("events", []):
            enrolments.add(event["enrolment"])
        for conflict in answer.get("conflicts", []):
            enrolments.update(conflict.get("roster", []))
            if "enrolment" in conflict:
                enrolments.add(conflict["enrolment"])
            enrolments.update(int(k) for k in conflict.get("marks", {}))
            if conflict.get("logged_by"):
                users.add(conflict["logged_by"])
            sessions.add(answer["session"]["id"])
    names = selectors.sync_names(request.scope, enrolment_ids=enrolments, user_ids=users)
    return {**names, "sessions": selectors.session_reasons(request.scope, sessions)}


@never_cache
@require_POST
@clinical_required
def sync(request):
    """Apply the entries a phone sends (``{"entries": [...]}``), each once;
    answer ``{"results": [...], "people": ..., "staff": ..., "sessions": ...}``
    in the order sent."""
    if request.content_type != "application/json":
        return _json({"errors": {"entries": [_("Send the entries as JSON.")]}}, status=400)
    try:
        entries = entries_of(json.loads(request.body or b"null"))
    except RequestDataTooBig:
        return _json({"errors": {"entries": [_("The request body is too large.")]}}, status=413)
    except (ValueError, RecursionError):  # not JSON (UnicodeDecodeError is one), or nested past parsing
        return _json({"errors": {"entries": [_("Send the entries as JSON.")]}}, status=400)
    except ValidationError as exc:
        return _json({"errors": api_error_dict(exc)}, status=400)
    answers: list[dict[str, Any]] = []
    for index, raw in enumerate(entries):
        if not isinstance(raw, dict):
            answers.append(
                {
                    "index": index,
                    "key": None,
                    "outcome": "invalid",
                    "errors": {"non_field_errors": [_("An entry is an object.")]},
                }
            )
            continue
        form = EntryForm(raw)
        if not form.is_valid():
            answers.append({"index": index, "key": key_of(raw), "outcome": "invalid", "errors": form.error_dict()})
            continue
        try:
            applied = field_entry_apply(entry=form.entry(), by=request.user)
        except Http404:
            answers.append(
                {
                    "index": index,
                    "key": key_of(raw),
                    "outcome": "not_found",
                    "errors": {"session": [_("No such session of your organisation.")]},
                }
            )
        except ValidationError as exc:
            answers.append({"index": index, "key": key_of(raw), "outcome": "invalid", "errors": api_error_dict(exc)})
        else:
            answers.append({"index": index, **_answer(applied)})
    return _json({"results": answers, **_named(request, answers)})


@never_cache
@require_GET
@clinical_required
def shell(request):
    """The page the phone shows without a network: Today and the rosters,
    drawn by ``static/fieldwork/field.js`` from what it keeps. It holds no
    personal data itself (the service worker keeps a copy of it)."""
    return render(request, "fieldwork/shell.html")


@require_GET
def manifest(request):
    """The web app manifest, in the reader's language: the app installs on a
    phone's home screen and opens on Today."""
    icons = [
        {"src": static(f"fieldwork/icons/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
        for size in (192, 512)
    ]
    icons.append(
        {
            "src": static("fieldwork/icons/maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        }
    )
    data = {
        "name": _("Perpetrator programmes"),
        "short_name": _("Programmes"),
        "start_url": reverse("programmes:today"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": icons,
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_GET
def service_worker(request):
    """The service worker (``templates/fieldwork/sw.js``), served from the
    root so that it may look after every page. The static files it keeps
    are named with their current URLs, and its version changes with them, so
    a new release replaces what a phone kept."""
    assets = [static(name) for name in OFFLINE_ASSETS]
    response = render(
        request,
        "fieldwork/sw.js",
        {
            "assets": json.dumps(assets),
            "version": offline_version(assets),
            "shell_url": SHELL_URL,
            "static_url": static(""),
        },
        content_type="text/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response
