"""The background work at the register's scale: each Celery sweep timed twice, and the relay's rate.

Every sweep runs as beat runs it (the service the task calls), over the
register, twice: the first run records what the register has due, the second
is the steady state (everything due is recorded already, as it is every hour
but the first). The relay then sends what the sweeps queued to gateways that
accept at once (``NullSMS``, ``NullTelegram``, Django's dummy email backend),
so its rate is the relay's own cost. All of it happens in one transaction that
is rolled back at the end: the register stays as it was built, no nudge
reaches the broker (``on_commit`` never fires), and the next run measures the
same thing. The sweeps' own transactions become savepoints inside it.

The clock is today at 10:00 local time, inside the participants' SMS hours,
so the session-tomorrow rule has work to do whatever the hour of the run.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from notifications.channels import BaseBackend as BaseTelegram
from notifications.sms import BaseBackend as BaseSMS

# issue #16's targets.
SWEEP_SECONDS = 5.0
RELAY_PER_SECOND = 500.0


class NullSMS(BaseSMS):
    """A gateway that takes every message at once."""

    def send(self, *, to: str, text: str, idempotency_key: str) -> None:
        return None


class NullTelegram(BaseTelegram):
    def send(self, *, to: str, text: str, idempotency_key: str) -> None:
        return None


@dataclass
class Timed:
    label: str
    first_s: float = 0.0
    steady_s: float = 0.0
    recorded: int = 0
    steady_recorded: int = 0
    rate: float = 0.0  # the relay's deliveries a second
    sent: int = 0
    error: str = ""
    verdict: str = ""


def sweeps() -> list[tuple[str, Callable[[dt.datetime], int]]]:
    """(label, run(now) -> rows recorded), in the order the table shows them."""
    from notifications import reminders, services

    rules = [
        ("reminders: risk reassessment", "risk_reassessment"),
        ("reminders: safety-plan review", "safety_plan_review"),
        ("reminders: follow-up", "follow_up"),
        ("reminders: monitoring meeting", "monitoring_meeting"),
        ("reminders: participant session", "session_tomorrow"),
        ("reminders: unlogged session", "unlogged_session"),
    ]
    return [
        ("dropout sweep", lambda now: services.dropout_sweep(now=now)),
        ("order-expiry sweep", lambda now: services.order_expiry_sweep(now=now)),
        ("escalation sweep", lambda now: services.escalate_overdue(now=now)),
        *[(label, lambda now, rule=rule: reminders.RULES[rule](now=now)) for label, rule in rules],
    ]


def _clock() -> dt.datetime:
    today = timezone.localdate()
    return timezone.make_aware(dt.datetime.combine(today, dt.time(10, 0)))


class _Rollback(Exception):
    pass


def run(*, relay_seconds: float, say: Callable[[str], None] = print) -> tuple[list[Timed], bool]:
    """Time every sweep (first and steady run) and the relay, then roll it all back."""
    from notifications import relay

    results: list[Timed] = []
    now = _clock()
    nulls = {
        "SMS_BACKEND": f"{__name__}.NullSMS",
        "TELEGRAM_BACKEND": f"{__name__}.NullTelegram",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }
    try:
        with override_settings(**nulls), transaction.atomic():
            for label, sweep in sweeps():
                say(f"background: {label}")
                timed = Timed(label)
                try:
                    with transaction.atomic():
                        started = time.perf_counter()
                        timed.recorded = sweep(now)
                        timed.first_s = time.perf_counter() - started
                        started = time.perf_counter()
                        timed.steady_recorded = sweep(now)
                        timed.steady_s = time.perf_counter() - started
                except Exception as exc:  # noqa: BLE001 - shown as the row's error, the others still run
                    timed.error = f"{type(exc).__name__}: {exc}"[:200]
                results.append(timed)
            say("background: relay")
            timed = Timed("relay (email, SMS, Telegram), deliveries/s")
            try:
                with transaction.atomic():
                    started = time.perf_counter()
                    outcome = relay.relay_deliveries(batch=50, now=now, time_budget=relay_seconds)
                    elapsed = time.perf_counter() - started
                timed.sent = outcome.sent + outcome.cancelled + outcome.deferred
                timed.rate = timed.sent / elapsed if elapsed else 0.0
                timed.first_s = elapsed
            except Exception as exc:  # noqa: BLE001
                timed.error = f"{type(exc).__name__}: {exc}"[:200]
            results.append(timed)
            raise _Rollback
    except _Rollback:
        pass
    return results, judge(results)


def judge(results: list[Timed]) -> bool:
    ok = True
    for r in results:
        if r.error:
            r.verdict = "ERROR"
        elif r.label.startswith("relay"):
            if r.sent == 0:
                r.verdict = "no deliveries due"
            else:
                r.verdict = "ok" if r.rate >= RELAY_PER_SECOND else f"MISS <{RELAY_PER_SECOND:.0f}/s"
        else:
            slowest = max(r.first_s, r.steady_s)
            r.verdict = "ok" if slowest <= SWEEP_SECONDS else f"MISS >{SWEEP_SECONDS:.0f} s"
        ok = ok and r.verdict in ("ok", "no deliveries due")
    return ok


def table(results: list[Timed], *, active_enrolments: int) -> str:
    header = f"{'background':<44} {'first s':>8} {'rows':>7} {'steady s':>9} {'rows':>5} {'per s':>8}  verdict"
    lines = [header, "-" * len(header)]
    for r in results:
        if r.label.startswith("relay"):
            lines.append(f"{r.label:<44} {r.first_s:8.2f} {r.sent:7d} {'-':>9} {'-':>5} {r.rate:8.0f}  {r.verdict}")
        else:
            lines.append(
                f"{r.label:<44} {r.first_s:8.2f} {r.recorded:7d} {r.steady_s:9.2f} {r.steady_recorded:5d} "
                f"{'-':>8}  {r.verdict}"
            )
    lines.append("")
    lines.append(
        f"Over {active_enrolments} active enrolments. first: the sweep's first run over the register, and the "
        "events or reminders it recorded; steady: the second run at once (all recorded already); per s: the "
        "relay sending what the sweeps queued to gateways that accept at once. All in one transaction, "
        f"rolled back. Targets (issue #16): each sweep <= {SWEEP_SECONDS:.0f} s (at 100,000 active "
        f"enrolments), the relay >= {RELAY_PER_SECOND:.0f} deliveries/s."
    )
    for r in results:
        if r.error:
            lines.append(f"  ERROR {r.label}: {r.error}")
    return "\n".join(lines)


def active_enrolments() -> int:
    from programmes.models import Enrolment

    return Enrolment.objects.filter(status=Enrolment.Status.ACTIVE).count()
