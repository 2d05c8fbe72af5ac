"""Benchmark of the monitoring dashboard on a large invented data set.

    DATABASE_URL=postgresql://.../casework_bench python manage.py migrate
    DATABASE_URL=postgresql://.../casework_bench python manage.py reports_benchmark --referrals 200000

Fills the (empty) database given by DATABASE_URL with the invented register
of reports/bench_data.py (the one ``make bench`` serves: referrals, cases,
enrolments, groups, sessions and attendance, notices, CTS-2 questionnaires
with their scale scores and follow-up points), then prints for each section
of the dashboard the number of queries and the time they took.
It prints numbers; it passes or fails nothing. ``--measure-only`` times
the data already there; ``--explain`` prints PostgreSQL's plan of each
query of the whole report.

Never run it against a database with real records: it refuses to add data
to a database that already has referrals, and to run with DEBUG off unless
given ``--force``.
"""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Organisation, Role, User
from accounts.scope import Scope
from outcomes.models import Administration, FollowUp, ScaleScore
from programmes.models import Attendance, Enrolment
from referrals.models import Referral
from reports import bench_data, figures
from reports.forms import ReportFilterForm
from reports.selectors import Filters


class Command(BaseCommand):
    help = "Fill an empty database with invented records and time the monitoring dashboard's sections."

    def add_arguments(self, parser):
        parser.add_argument("--referrals", type=int, default=200_000)
        parser.add_argument("--measure-only", action="store_true", help="Time the data already there.")
        parser.add_argument("--repeat", type=int, default=3, help="Runs per measurement (the best is printed).")
        parser.add_argument("--explain", action="store_true", help="Print EXPLAIN ANALYZE of every report query.")
        parser.add_argument("--force", action="store_true", help="Run with DEBUG off (a throw-away database only).")
        parser.add_argument("--seed", type=int, default=20260)

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError("DEBUG is off: this may be a real system. Use a throw-away database and --force.")
        if not options["measure_only"]:
            if Referral.objects.exists():
                raise CommandError(
                    "This database already has referrals: give an empty one in DATABASE_URL "
                    "(or use --measure-only to time what is there)."
                )
            built = bench_data.build(options["referrals"], seed=options["seed"], say=self.stdout.write)
            self.stdout.write(
                f"built in {built.seconds:.1f} s: " + ", ".join(f"{v} {k}" for k, v in built.counts.items())
            )
        self._measure(options["repeat"], options["explain"])

    # --- timing --------------------------------------------------------------------

    def _time(self, repeat: int, function):
        best, queries = None, 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                function()
                elapsed = time.perf_counter() - started
            best = elapsed if best is None else min(best, elapsed)
            queries = len(captured)
        return queries, best * 1000, captured.captured_queries

    def _measure(self, repeat: int, explain: bool) -> None:
        monitor = User.objects.filter(membership__role=Role.MONITORING_VIEWER).order_by("pk").first()
        if monitor is None:
            raise CommandError("No monitoring viewer in this database.")
        scope = Scope.for_user(monitor)
        today = timezone.localdate()
        provider = Organisation.objects.filter(kind=Organisation.Kind.PROGRAMME_PROVIDER, country="KG").first()
        self.stdout.write(
            f"data: {Referral.objects.count()} referrals, {Enrolment.objects.count()} enrolments, "
            f"{Attendance.objects.count()} attendance marks, {Administration.objects.count()} questionnaires, "
            f"{ScaleScore.objects.count()} scale scores, {FollowUp.objects.count()} follow-up points"
        )
        selections = {
            "all time": Filters(),
            "last 365 days": Filters(date_from=today - dt.timedelta(days=365), date_to=today),
            "last 30 days": Filters(date_from=today - dt.timedelta(days=30), date_to=today),
            "one provider": Filters(provider=provider),
            "one region, one programme": Filters(
                region=provider.region if provider else "", template=bench_data.TEMPLATE
            ),
        }
        names = dict(figures.selectors.monitored_templates(scope))
        sections = {
            "filter choices": lambda f: ReportFilterForm(None, scope=scope),
            "referrals": lambda f: figures._referral_section(scope, f),
            "waiting list": lambda f: figures._waiting_section(scope, f, today),
            "completion and dropout": lambda f: figures._endings_section(scope, f, names),
            "still attending": lambda f: figures._survival_table(scope, f),
            "outcomes (CTS-2, follow-up)": lambda f: figures._outcomes_section(scope, f, today),
            "whole report": lambda f: figures.build_report(scope, f),
        }
        for label, filters in selections.items():
            self.stdout.write(f"\n{label}")
            self.stdout.write(f"  {'section':32} {'queries':>7} {'ms':>9}")
            for name, function in sections.items():
                queries, ms, captured = self._time(repeat, lambda function=function, filters=filters: function(filters))
                self.stdout.write(f"  {name:32} {queries:7d} {ms:9.1f}")
                if explain and name == "whole report":
                    self._explain(captured)

    def _explain(self, captured) -> None:
        with connection.cursor() as cursor:
            for query in captured:
                cursor.execute("EXPLAIN ANALYZE " + query["sql"])
                self.stdout.write("\n" + query["sql"][:300])
                for (line,) in cursor.fetchall():
                    self.stdout.write("    " + line)
