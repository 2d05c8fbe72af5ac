"""Benchmark of the monitoring dashboard on a large invented data set.

    DATABASE_URL=postgresql://.../casework_bench python manage.py migrate
    DATABASE_URL=postgresql://.../casework_bench python manage.py reports_benchmark --referrals 200000

Fills the (empty) database given by DATABASE_URL with invented referrals,
cases, enrolments in the Kyrgyz mandatory programme (2 individual + 2 group
sessions), sessions and attendance, CTS-2 questionnaires with their scale
scores and follow-up points, with bulk inserts, then prints for each
section of the dashboard the number of queries and the time they took.
It prints numbers; it passes or fails nothing. ``--measure-only`` times
the data already there; ``--explain`` prints PostgreSQL's plan of each
query of the whole report.

Never run it against a database with real records: it refuses to add data
to a database that already has referrals, and to run with DEBUG off unless
given ``--force``.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import DateTimeField, ExpressionWrapper, F, Value
from django.db.models.functions import Mod, Now
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Membership, Organisation, Role, User
from accounts.scope import Scope
from casework.models import Case
from outcomes.models import Administration, FollowUp, Instrument, Occasion, Perspective, Respondent, ScaleScore
from programmes.models import Attendance, Enrolment, Group, ProgrammeTemplate, Session
from referrals.models import Person, Referral
from reports import figures
from reports.forms import ReportFilterForm
from reports.selectors import Filters

REGIONS = ["Chuy", "Osh", "Issyk-Kul", "Naryn", "Talas", "Jalal-Abad", "Batken"]
PROVIDERS = 21
BATCH = 5000
TEMPLATE = "kg-annex3-mandatory"
SOURCES = (
    (["police"] * 70)
    + (["court"] * 8)
    + (["womens_centre"] * 10)
    + (["self"] * 7)
    + (["child_rights"] * 3)
    + (["other"] * 2)
)
RS = Referral.Status
ES = Enrolment.Status


@dataclass(frozen=True)
class _Staff:
    police_unit: Organisation
    police: User
    providers: list[Organisation]
    psychologist_of: dict[int, User]
    social_worker_of: dict[int, User]


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
            started = time.perf_counter()
            self._build(options["referrals"], random.Random(options["seed"]))  # noqa: S311 - invented data
            with connection.cursor() as cursor:
                # Statistics for the planner, as autovacuum would gather them on a live system.
                cursor.execute("ANALYZE")
            self.stdout.write(f"built in {time.perf_counter() - started:.1f} s")
        self._measure(options["repeat"], options["explain"])

    # --- data --------------------------------------------------------------------

    def _bulk(self, model, objects):
        made = []
        for start in range(0, len(objects), BATCH):
            made.extend(model.objects.bulk_create(objects[start : start + BATCH]))
        return made

    @transaction.atomic
    def _build(self, n: int, rng: random.Random) -> None:
        today = timezone.localdate()
        staff = self._organisations_and_staff()
        referrals = self._referrals(self._persons(n, rng), staff, rng)
        created = self._spread_over_two_years(referrals)
        in_programme = [r for r in referrals if r.status in (RS.ENROLLED, RS.COMPLETED, RS.DROPPED_OUT)]
        cases = self._bulk(
            Case,
            [
                Case(referral=r, provider_id=r.provider_id, opened_by=staff.psychologist_of[r.provider_id])
                for r in in_programme
            ],
        )
        template = ProgrammeTemplate.objects.get(code=TEMPLATE, provider=None, version=1)
        offset = template.first_group_offset()
        plan = self._start_dates(in_programme, cases, created, today)
        groups, members = self._groups(plan, staff, template, offset)
        enrolments = self._enrolments(plan, members, staff, template, offset, today, rng)
        sessions = self._sessions(enrolments, groups)
        marks = self._attendance(enrolments, sessions, rng)
        questionnaires, scores, points = self._outcomes(enrolments, today, rng)
        self.stdout.write(
            f"{len(referrals)} referrals, {len(cases)} cases, {len(enrolments)} enrolments, {len(groups)} groups, "
            f"{len(sessions)} sessions, {len(marks)} attendance marks, {questionnaires} CTS-2 questionnaires, "
            f"{scores} scale scores, {points} follow-up points"
        )

    def _organisations_and_staff(self) -> _Staff:
        """A police unit, a monitoring body and PROVIDERS providers, each
        provider with one psychologist and one social worker."""
        police_unit = Organisation.objects.create(
            name="Benchmark police unit", kind=Organisation.Kind.POLICE_UNIT, country="KG", region="Chuy"
        )
        monitoring = Organisation.objects.create(
            name="Benchmark monitoring body", kind=Organisation.Kind.MONITORING_BODY, country="KG", region="Chuy"
        )
        providers = self._bulk(
            Organisation,
            [
                Organisation(
                    name=f"Benchmark provider {i:02d}",
                    kind=Organisation.Kind.PROGRAMME_PROVIDER,
                    country="KG",
                    region=REGIONS[i % len(REGIONS)],
                    languages=["ru"],
                )
                for i in range(PROVIDERS)
            ],
        )
        users = self._bulk(
            User,
            [User(username="bench.police"), User(username="bench.monitor")]
            + [User(username=f"bench.psy{i}") for i in range(PROVIDERS)]
            + [User(username=f"bench.sw{i}") for i in range(PROVIDERS)],
        )
        police, monitor = users[0], users[1]
        psychologists = users[2 : 2 + PROVIDERS]
        social_workers = users[2 + PROVIDERS :]
        self._bulk(
            Membership,
            [
                Membership(user=police, organisation=police_unit, role=Role.POLICE_OFFICER),
                Membership(user=monitor, organisation=monitoring, role=Role.MONITORING_VIEWER),
            ]
            + [
                Membership(user=u, organisation=p, role=Role.PSYCHOLOGIST)
                for u, p in zip(psychologists, providers, strict=True)
            ]
            + [
                Membership(user=u, organisation=p, role=Role.SOCIAL_WORKER)
                for u, p in zip(social_workers, providers, strict=True)
            ],
        )
        return _Staff(
            police_unit=police_unit,
            police=police,
            providers=providers,
            psychologist_of={p.pk: u for p, u in zip(providers, psychologists, strict=True)},
            social_worker_of={p.pk: u for p, u in zip(providers, social_workers, strict=True)},
        )

    def _persons(self, n: int, rng: random.Random) -> list[Person]:
        return self._bulk(
            Person,
            [
                Person(
                    family_name=f"Benchmark{i}",
                    given_name="Invented",
                    sex="female" if rng.random() < 0.15 else "male",
                    birth_date=dt.date(1960 + i % 40, 1 + i % 12, 1 + i % 28),
                    preferred_language="ru",
                    match_key=f"benchmark{i}|invented|{i}",
                )
                for i in range(n)
            ],
        )

    def _referrals(self, persons: list[Person], staff: _Staff, rng: random.Random) -> list[Referral]:
        """One referral per person, in the proportions of a live register."""
        referrals = []
        for person in persons:
            r = rng.random()
            if r < 0.03:
                status = RS.RECEIVED
            elif r < 0.05:
                status = RS.SCREENING
            elif r < 0.20:
                status = RS.DECLINED
            elif r < 0.25:
                status = RS.ACCEPTED
            else:
                status = rng.choices([RS.ENROLLED, RS.COMPLETED, RS.DROPPED_OUT], weights=[20, 45, 35])[0]
            referrals.append(
                Referral(
                    referring_body=staff.police_unit,
                    created_by=staff.police,
                    provider=rng.choice(staff.providers),
                    source=rng.choice(SOURCES),
                    person=person,
                    status=status,
                )
            )
        return self._bulk(Referral, referrals)

    def _spread_over_two_years(self, referrals: list[Referral]) -> dict[int, dt.datetime]:
        """Received over the last two years (auto_now_add set them all to
        now); returns each referral's new time of receipt."""
        first = referrals[0].pk
        Referral.objects.filter(pk__gte=first).update(
            created_at=ExpressionWrapper(
                Now() - Mod(F("id") * 7919, 730) * Value(dt.timedelta(days=1)), output_field=DateTimeField()
            )
        )
        return dict(Referral.objects.filter(pk__gte=first).values_list("pk", "created_at"))

    def _start_dates(self, in_programme, cases, created, today: dt.date) -> list[tuple[Referral, Case, dt.date]]:
        """Each person's start, five days after the referral (never after
        today), in order of provider, sex and start."""
        plan = []
        for referral, case in zip(in_programme, cases, strict=True):
            starts_on = min(timezone.localtime(created[referral.pk]).date() + dt.timedelta(days=5), today)
            plan.append((referral, case, starts_on))
        plan.sort(key=lambda item: (item[0].provider_id, item[0].person.sex, item[2]))
        return plan

    def _groups(self, plan, staff: _Staff, template, offset) -> tuple[list[Group], list[Group]]:
        """Groups of 10 people of one provider and sex, in order of start;
        returns the groups and each planned person's group."""
        groups: list[Group] = []
        members: list[Group] = []
        group, group_key, in_group = None, None, 0
        for referral, _case, starts_on in plan:
            key = (referral.provider_id, referral.person.sex)
            if group is None or group_key != key or in_group >= 10:
                group = Group(
                    provider_id=referral.provider_id,
                    template=template,
                    name=f"Benchmark group {len(groups)}",
                    sex=referral.person.sex,
                    capacity=12,
                    psychologist=staff.psychologist_of[referral.provider_id],
                    social_worker=staff.social_worker_of[referral.provider_id],
                    location="Room 1",
                    language="ru",
                    starts_on=starts_on + dt.timedelta(days=offset),
                )
                groups.append(group)
                group_key, in_group = key, 0
            members.append(group)
            in_group += 1
        self._bulk(Group, groups)
        return groups, members

    def _enrolments(self, plan, members, staff: _Staff, template, offset, today, rng) -> list[Enrolment]:
        """One enrolment per planned person, ended as the referral's status says."""
        enrolments = []
        for (referral, case, starts_on), group in zip(plan, members, strict=True):
            ended_on, status = None, ES.ACTIVE
            if referral.status == RS.COMPLETED:
                status, ended_on = ES.COMPLETED, starts_on + dt.timedelta(days=28)
            elif referral.status == RS.DROPPED_OUT:
                status = rng.choices([ES.DROPPED_OUT, ES.EXPELLED, ES.DESELECTED], weights=[70, 20, 10])[0]
                ended_on = starts_on + dt.timedelta(days=rng.randint(1, 27))
            enrolments.append(
                Enrolment(
                    case=case,
                    template=template,
                    provider_id=referral.provider_id,
                    group=group,
                    psychologist=staff.psychologist_of[referral.provider_id],
                    starts_on=starts_on,
                    group_from=starts_on + dt.timedelta(days=offset),
                    status=status,
                    enrolled_by=staff.psychologist_of[referral.provider_id],
                    ended_on=min(ended_on, today) if ended_on else None,
                )
            )
        return self._bulk(Enrolment, enrolments)

    def _sessions(self, enrolments: list[Enrolment], groups: list[Group]) -> list[Session]:
        """Two individual sessions per enrolment and two sessions per group, all held."""

        def at(day: dt.date, hour: int) -> dt.datetime:
            return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))

        held = Session.Status.HELD
        sessions = []
        for e in enrolments:
            for number, day in ((1, 0), (2, 3)):
                sessions.append(
                    Session(
                        provider_id=e.provider_id,
                        kind=Session.Kind.INDIVIDUAL,
                        enrolment=e,
                        number=number,
                        starts_at=at(e.starts_on + dt.timedelta(days=day), 10),
                        duration_minutes=60,
                        facilitator_id=e.psychologist_id,
                        status=held,
                    )
                )
        for g in groups:
            for number, day in ((1, 0), (2, 7)):
                sessions.append(
                    Session(
                        provider_id=g.provider_id,
                        kind=Session.Kind.GROUP,
                        group=g,
                        number=number,
                        starts_at=at(g.starts_on + dt.timedelta(days=day), 15),
                        duration_minutes=120,
                        facilitator_id=g.psychologist_id,
                        co_facilitator_id=g.social_worker_id,
                        status=held,
                    )
                )
        return self._bulk(Session, sessions)

    def _attendance(self, enrolments: list[Enrolment], sessions: list[Session], rng) -> list[Attendance]:
        """Each enrolment's marks in its four sessions: completers came to all."""
        individual: dict[int | None, list[Session]] = {}
        group_sessions: dict[int | None, list[Session]] = {}
        for s in sessions:
            if s.enrolment_id:
                individual.setdefault(s.enrolment_id, []).append(s)
            else:
                group_sessions.setdefault(s.group_id, []).append(s)
        marks = []
        for e in enrolments:
            own = individual[e.pk] + group_sessions[e.group_id]
            if e.status == ES.COMPLETED:
                attended = 4
            elif e.status == ES.ACTIVE:
                attended = rng.randint(1, 4)
            else:
                attended = rng.choice([0, 1, 1, 2, 2, 3])
            for index, session in enumerate(own):
                mark = Attendance.Mark.PRESENT if index < attended else Attendance.Mark.UNEXCUSED
                marks.append(Attendance(session=session, enrolment=e, mark=mark, recorded_by_id=e.psychologist_id))
        self._bulk(Attendance, marks)
        return marks

    def _outcomes(self, enrolments, today: dt.date, rng: random.Random) -> tuple[int, int, int]:
        """A CTS-2 at intake for nine in ten, one at the end for most of
        those who completed; scores of the five scales (the person's own
        acts: what the dashboard reads); follow-up points at intake, at the
        end and 6 months after. The answers themselves are a placeholder
        (encrypted like real ones); only the scores are counted."""
        instrument = Instrument.objects.get(code="cts2", version=1)
        scales = list(instrument.scales.filter(parent__isnull=True).order_by("position"))
        provider_of = {e.pk: e.provider_id for e in enrolments}
        administrations, wanted_scores, points = [], [], []
        for e in enrolments:
            if e.ended_on is None and rng.random() < 0.5:
                continue
            occasions = []
            if rng.random() < 0.9:
                occasions.append((Occasion.INTAKE, e.starts_on))
            if e.status == ES.COMPLETED and rng.random() < 0.8:
                occasions.append((Occasion.END, e.ended_on))
            for occasion, on in occasions:
                administrations.append(
                    Administration(
                        instrument=instrument,
                        case_id=e.case_id,
                        respondent=Respondent.PERSON,
                        occasion=occasion,
                        administered_on=on,
                        respondent_consented=True,
                        answers="{}",
                        items_answered=78,
                        organisation_id=provider_of[e.pk],
                        recorded_by_id=e.psychologist_id,
                    )
                )
                later = occasion != Occasion.INTAKE
                wanted_scores.append([rng.choice([0, 0, 2, 4, 8, 15]) // (3 if later else 1) for _ in scales])
            if e.ended_on is not None and e.status != ES.DESELECTED:
                for kind, months, due in (
                    (FollowUp.Kind.INTAKE, 0, e.starts_on),
                    (FollowUp.Kind.END, 0, e.ended_on),
                    (FollowUp.Kind.AFTER_END, 6, e.ended_on + dt.timedelta(days=182)),
                ):
                    status = FollowUp.Status.DONE if due < today and rng.random() < 0.7 else FollowUp.Status.DUE
                    points.append(FollowUp(enrolment=e, kind=kind, months=months, due_on=due, status=status))
        administrations = self._bulk(Administration, administrations)
        scores = [
            ScaleScore(
                administration=a,
                scale=scale,
                perspective=Perspective.SELF,
                prevalence=frequency > 0,
                ever=frequency > 0,
                annual_frequency=frequency,
            )
            for a, frequencies in zip(administrations, wanted_scores, strict=True)
            for scale, frequency in zip(scales, frequencies, strict=True)
        ]
        self._bulk(ScaleScore, scores)
        self._bulk(FollowUp, points)
        return len(administrations), len(scores), len(points)

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
            "one region, one programme": Filters(region=provider.region if provider else "", template=TEMPLATE),
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
