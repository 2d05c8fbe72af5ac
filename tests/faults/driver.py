"""The fault suite's driver: runs inside Django against the suite's own
database, as the web application would.

    python -m tests.faults.driver world
    python -m tests.faults.driver burst PREFIX N [PAUSE_MS]

``burst`` records N dropout events, each in its own transaction (as N web
requests would), prints one "." line per event, and at the end one JSON line
with the slowest write (seconds, including the commit and the nudge)."""

from __future__ import annotations

import json
import sys
import time


def world() -> None:
    from django.utils import timezone

    from accounts.models import Organisation, Role
    from casework.services import survivor_service_refer
    from notifications.models import AlertChannel
    from tests import factories as f

    K = Organisation.Kind
    police = f.make_org(K.POLICE_UNIT, name="Faults Police")
    provider = f.make_org(K.PROGRAMME_PROVIDER, name="Faults Consultation Room")
    crisis = f.make_org(K.SURVIVOR_SERVICE, name="Faults Crisis Centre")
    officer = f.make_user(police, Role.POLICE_OFFICER, "officer")
    psychologist = f.make_user(provider, Role.PSYCHOLOGIST, "psychologist")
    social_worker = f.make_user(provider, Role.SOCIAL_WORKER, "social_worker")
    manager = f.make_user(provider, Role.PROGRAMME_MANAGER, "manager")
    worker = f.make_user(crisis, Role.SURVIVOR_WORKER, "crisis_worker")
    for n, user in enumerate([officer, manager, worker], start=1):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
        # Every off-line channel, confirmed: the scenarios count each.
        for kind, address in (
            ("email", user.email),
            ("sms", f"+99655500000{n}"),
            ("telegram", f"10000{n}"),
        ):
            AlertChannel.objects.create(user=user, kind=kind, address=address, confirmed_at=timezone.now())
    case = f.open_case(f.make_referral(police=officer, provider=provider), psychologist)
    survivor_service_refer(case=case, organisation=crisis, by=social_worker)
    print(json.dumps({"case": case.pk}), flush=True)


def burst(prefix: str, n: int, pause_ms: int) -> None:
    from django.db import transaction

    from casework.models import Case
    from notifications.services import safety_event_record

    case = Case.objects.get()
    slowest = 0.0
    for i in range(n):
        started = time.monotonic()
        with transaction.atomic():
            safety_event_record(kind="dropout", case=case, facts={}, dedupe_key=f"dropout:fault:{prefix}:{i}")
        slowest = max(slowest, time.monotonic() - started)
        print(".", flush=True)
        time.sleep(pause_ms / 1000)
    print(json.dumps({"events": n, "slowest_write": round(slowest, 3)}), flush=True)


def main() -> None:
    import django

    django.setup()
    command, *args = sys.argv[1:]
    if command == "world":
        world()
    elif command == "burst":
        burst(args[0], int(args[1]), int(args[2]) if len(args) > 2 else 0)
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main()
