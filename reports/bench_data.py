"""An invented national register for benchmarks, written by PostgreSQL itself.

``build(scale)`` fills an empty database with ``scale`` referrals received
over the last two years in one country (Kyrgyzstan, seven regions) and what
follows from them as real data would have it: cases, enrolments in the
voluntary men's programme (2 individual + up to 26 weekly group sessions),
groups of ten, sessions with their attendance (about 25 marks a
participant), dropout and completion notices with their deliveries, CTS-2
questionnaires with their scale scores, and follow-up points. Providers,
police units and staff grow with the scale (one provider per 2,500
referrals, five psychologists each).

Every row is made by ``INSERT ... SELECT generate_series`` with a
deterministic hash of the row number for its "random" choices, so the same
scale and seed give the same register (dates are relative to the day of the
build); 100,000 referrals take a few minutes. Organisations and staff are
written through the ORM; a few named staff (``BENCH_USERS``) can sign in
with ``BENCH_PASSWORD`` and the TOTP key ``BENCH_TOTP_KEY_HEX``. The figures
the monitoring report keeps ready (``reports.models``) are then recomputed
from the rows written (``reports.services.enrolment_attendance_rebuild``).

Never run it against a database with real records: ``build`` refuses a
database that already has referrals.

``VERSION`` names the generator: change it whenever what ``build`` writes
changes, so that a register kept on disk (``make bench``) is made again.
"""

# ruff: noqa: S608 - the SQL is built from this module's own constants; values travel as parameters
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

VERSION = 2
REGIONS = ["Chuy", "Osh", "Issyk-Kul", "Naryn", "Talas", "Jalal-Abad", "Batken"]
TEMPLATE = "kg-annex3-voluntary-men"
REFERRALS_PER_PROVIDER = 2500
REFERRALS_PER_POLICE_UNIT = 5000
PSYCHOLOGISTS, SOCIAL_WORKERS = 5, 2
GROUP_SIZE = 10
GROUP_SESSIONS = 26
BENCH_PASSWORD = "bench-Pass-2026!"  # noqa: S105 - invented benchmark users, throw-away databases only
BENCH_TOTP_KEY_HEX = "62656e63682d6f6e6c792d746f74702d6b6579"  # "bench-only-totp-key"
# The staff a benchmark signs in as: username -> what they are.
BENCH_USERS = {
    "bench.psychologist": "psychologist of the first provider",
    "bench.manager": "programme manager of the first provider",
    "bench.police": "police officer of the first police unit",
    "bench.monitor": "monitoring viewer (the whole country)",
    "bench.admin": "superuser (the Django admin)",
}


@dataclass(frozen=True)
class Built:
    counts: dict[str, int]
    seconds: float


def h(expression: str, salt: int, modulo: int, seed: int) -> str:
    """SQL for a deterministic 'random' number in [0, modulo) from an integer expression."""
    return f"(abs(hashint8extended(({expression})::bigint, {seed * 1000 + salt})) %% {modulo})::int"


def build(scale: int, *, seed: int = 20260, say: Callable[[str], None] = print) -> Built:
    from accounts.models import Organisation
    from referrals.models import Referral

    if Referral.objects.exists():
        raise RuntimeError("This database already has referrals: give an empty one.")
    started = time.perf_counter()
    with transaction.atomic():
        staff = _organisations_and_staff(scale)
        say(f"  {len(staff)} staff in {Organisation.objects.count()} organisations")
        with connection.cursor() as cursor:
            _register(cursor, scale, seed, say)
    with connection.cursor() as cursor:
        # Statistics for the planner, as autovacuum would gather them on a live system.
        cursor.execute("ANALYZE")
    return Built(counts=counts(), seconds=time.perf_counter() - started)


def counts() -> dict[str, int]:
    tables = {
        "referrals": "referrals_referral",
        "cases": "casework_case",
        "enrolments": "programmes_enrolment",
        "groups": "programmes_group",
        "sessions": "programmes_session",
        "attendance": "programmes_attendance",
        "notices": "notifications_notice",
        "deliveries": "notifications_delivery",
        "questionnaires": "outcomes_administration",
        "follow-ups": "outcomes_followup",
    }
    with connection.cursor() as cursor:
        found = {}
        for label, table in tables.items():
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 # nosec B608 - fixed table names
            found[label] = cursor.fetchone()[0]
    return found


# --- organisations and staff (the ORM: a few hundred rows) ----------------------


def _organisations_and_staff(scale: int) -> list:
    # Imported here: ``VERSION`` is read before Django is set up (tools/bench).
    from accounts.models import Membership, Organisation, Role, User
    from accounts.services import totp_device_create

    def organisations(kind: str, label: str, count: int, **extra) -> list[Organisation]:
        return Organisation.objects.bulk_create(
            Organisation(name=f"{label} {k:03d}", kind=kind, country="KG", region=REGIONS[k % len(REGIONS)], **extra)
            for k in range(count)
        )

    providers = organisations(
        Organisation.Kind.PROGRAMME_PROVIDER,
        "Bench provider",
        max(2, scale // REFERRALS_PER_PROVIDER),
        languages=["ru", "ky"],
    )
    units = organisations(
        Organisation.Kind.POLICE_UNIT, "Bench police unit", max(2, scale // REFERRALS_PER_POLICE_UNIT)
    )
    monitoring = Organisation.objects.create(
        name="Bench monitoring body", kind=Organisation.Kind.MONITORING_BODY, country="KG", region="Chuy"
    )
    people: list[tuple[str, Organisation, str]] = []
    for k, provider in enumerate(providers):
        people += [(f"bench.p{k}.psy{j}", provider, Role.PSYCHOLOGIST) for j in range(PSYCHOLOGISTS)]
        people += [(f"bench.p{k}.sw{j}", provider, Role.SOCIAL_WORKER) for j in range(SOCIAL_WORKERS)]
        people.append((f"bench.p{k}.manager", provider, Role.PROGRAMME_MANAGER))
    for u, unit in enumerate(units):
        people.append((f"bench.u{u}.police", unit, Role.POLICE_OFFICER))
    people.append(("bench.monitor", monitoring, Role.MONITORING_VIEWER))
    # The named staff are the first provider's, the first unit's.
    renamed = {
        "bench.p0.psy0": "bench.psychologist",
        "bench.p0.manager": "bench.manager",
        "bench.u0.police": "bench.police",
    }
    users = User.objects.bulk_create(
        # "!": no password (only the named staff sign in).
        User(username=renamed.get(name, name), password="!", preferred_language="ru")  # noqa: S106
        for name, _o, _r in people
    )
    Membership.objects.bulk_create(
        Membership(user=user, organisation=org, role=role) for user, (_n, org, role) in zip(users, people, strict=True)
    )
    admin = User(username="bench.admin", is_staff=True, is_superuser=True, preferred_language="ru")
    admin.save()
    for user in [*User.objects.filter(username__in=BENCH_USERS).exclude(pk=admin.pk), admin]:
        user.set_password(BENCH_PASSWORD)
        user.save(update_fields=["password"])
        totp_device_create(user=user, name="bench", key_hex=BENCH_TOTP_KEY_HEX, confirmed=True)
    return [*users, admin]


# --- the register (SQL) -----------------------------------------------------------


def _register(cursor, n: int, seed: int, say: Callable[[str], None]) -> None:
    from core.crypto import encrypt
    from programmes.models import ProgrammeTemplate
    from reports.services import enrolment_attendance_rebuild

    template = ProgrammeTemplate.objects.get(code=TEMPLATE, provider=None, version=1)
    now = timezone.now().replace(microsecond=0)
    params = {
        "n": n,
        "now": now,
        "today": timezone.localdate(now),
        "template": template.pk,
        "secret": encrypt("Invented for a benchmark."),
        "answers": encrypt("{}"),
        "tz": str(timezone.get_current_timezone()),
    }
    for label, sql in _statements(seed):
        started = time.perf_counter()
        cursor.execute(sql, params)
        say(f"  {label:<34} {cursor.rowcount:>10} rows {time.perf_counter() - started:7.1f} s")
    for table in (
        "referrals_person",
        "referrals_referral",
        "casework_case",
        "programmes_group",
        "programmes_enrolment",
        "programmes_session",
        "programmes_attendance",
        "notifications_safetyevent",
        "notifications_notice",
        "notifications_delivery",
        "outcomes_administration",
        "outcomes_scalescore",
        "outcomes_followup",
    ):
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"  # noqa: S608, E501 # nosec B608 - fixed table names
        )
    started = time.perf_counter()
    rows = enrolment_attendance_rebuild()
    say(f"  {'attendance figures (reports)':<34} {rows:>10} rows {time.perf_counter() - started:7.1f} s")


def _statements(seed: int) -> list[tuple[str, str]]:  # noqa: PLR0915 - one SQL script, in order
    def r(expression: str, salt: int, modulo: int) -> str:
        return h(expression, salt, modulo, seed)

    staff = f"""
    CREATE TEMP TABLE b_provider ON COMMIT DROP AS
      SELECT (row_number() OVER (ORDER BY id) - 1)::int AS k, id FROM accounts_organisation
      WHERE kind = 'programme_provider' AND name LIKE 'Bench provider %%';
    CREATE TEMP TABLE b_unit ON COMMIT DROP AS
      SELECT (row_number() OVER (ORDER BY o.id) - 1)::int AS u, o.id, m.user_id AS officer
      FROM accounts_organisation o JOIN accounts_membership m ON m.organisation_id = o.id
      WHERE o.kind = 'police_unit' AND o.name LIKE 'Bench police unit %%';
    CREATE TEMP TABLE b_staff ON COMMIT DROP AS
      SELECT p.k, m.role, (row_number() OVER (PARTITION BY p.k, m.role ORDER BY m.user_id) - 1)::int AS j,
             m.user_id
      FROM b_provider p JOIN accounts_membership m ON m.organisation_id = p.id;
    -- One row per referral: who, where, when, and how it went.
    CREATE TEMP TABLE b_ref ON COMMIT DROP AS
      WITH base AS (
        SELECT i, {r("i", 1, 1_000_000)} AS k_hash,
               %(now)s::timestamptz - ((%(n)s - i)::float8 / %(n)s * 730 + {r("i", 2, 1000)} / 1000.0)
                 * interval '1 day' AS created_at
        FROM generate_series(1, %(n)s) AS i
      )
      SELECT i, created_at, p.k, p.id AS provider_id,
             (SELECT u.id FROM b_unit u WHERE u.u = b.k_hash %% (SELECT count(*) FROM b_unit)) AS unit_id,
             (SELECT u.officer FROM b_unit u WHERE u.u = b.k_hash %% (SELECT count(*) FROM b_unit)) AS officer,
             {r("i", 3, 100)} AS roll, {r("i", 4, 100)} AS fate, {r("i", 5, 1000)} AS when_ended,
             (created_at AT TIME ZONE %(tz)s)::date + 7 AS starts_on
      FROM base b JOIN b_provider p ON p.k = b.k_hash %% (SELECT count(*) FROM b_provider);
    ALTER TABLE b_ref ADD COLUMN status text, ADD COLUMN outcome text, ADD COLUMN ended_on date,
      ADD COLUMN g int, ADD COLUMN group_id bigint, ADD COLUMN psychologist bigint;
    -- Recent ones are still being decided; of the rest 15%% were declined and 80%% came to the programme.
    UPDATE b_ref SET status = CASE
        WHEN starts_on > %(today)s - 3 THEN (ARRAY['received','screening','accepted','declined'])[1 + roll %% 4]
        WHEN roll < 15 THEN 'declined'
        WHEN roll < 20 AND starts_on > %(today)s - 60 THEN 'accepted'
        WHEN roll < 20 THEN 'declined'
        ELSE 'in' END;
    -- 26 weeks from the start; of those who had time to finish, 60%% did; some of the others left early.
    UPDATE b_ref SET outcome = CASE
        WHEN starts_on + 14 + {GROUP_SESSIONS - 1} * 7 < %(today)s THEN
          CASE WHEN fate < 60 THEN 'completed' WHEN fate < 90 THEN 'dropped_out'
               WHEN fate < 95 THEN 'expelled' ELSE 'deselected' END
        WHEN fate < 10 AND starts_on + 28 < %(today)s THEN 'dropped_out'
        ELSE 'active' END
      WHERE status = 'in';
    UPDATE b_ref SET ended_on = CASE outcome
        WHEN 'completed' THEN starts_on + 14 + {GROUP_SESSIONS - 1} * 7
        ELSE least(%(today)s - 1, starts_on + 21 + (when_ended * ({GROUP_SESSIONS} * 7 - 21) / 1000)) END
      WHERE outcome <> 'active';
    -- Groups of {GROUP_SIZE} of one provider in order of start; each led by one of its psychologists.
    UPDATE b_ref b SET g = x.g FROM (
        SELECT i, ((row_number() OVER (PARTITION BY k ORDER BY i) - 1) / {GROUP_SIZE})::int AS g
        FROM b_ref WHERE status = 'in') x
      WHERE x.i = b.i;
    CREATE TEMP TABLE b_group ON COMMIT DROP AS
      SELECT row_number() OVER (ORDER BY k, g) AS id, k, g, min(provider_id) AS provider_id,
             min(starts_on) + 14 AS starts_on, max(starts_on) + 14 AS last_joins
      FROM b_ref WHERE status = 'in' GROUP BY k, g;
    ALTER TABLE b_group ADD COLUMN psychologist bigint, ADD COLUMN social_worker bigint;
    UPDATE b_group b SET
      psychologist = (SELECT user_id FROM b_staff s WHERE s.k = b.k AND s.role = 'psychologist'
                      AND s.j = b.g %% {PSYCHOLOGISTS}),
      social_worker = (SELECT user_id FROM b_staff s WHERE s.k = b.k AND s.role = 'social_worker'
                       AND s.j = b.g %% {SOCIAL_WORKERS});
    UPDATE b_ref b SET group_id = x.id, psychologist = x.psychologist FROM b_group x WHERE x.k = b.k AND x.g = b.g;
    CREATE INDEX ON b_ref (i);
    CREATE INDEX ON b_ref (group_id);
    ANALYZE b_ref;
    """  # nosec B608 - numbers and fixed names only, no input
    people = f"""
    INSERT INTO referrals_person (id, family_name, given_name, patronymic, sex, birth_date, phone, address,
                                  preferred_language, household, match_key)
    SELECT i, 'Bench' || i, given, 'Invented', 'male', born, '+99650' || lpad(i::text, 7, '0'), '',
           CASE WHEN i %% 2 = 0 THEN 'ru' ELSE 'ky' END, '', 'bench' || i || '|' || lower(given) || '|' || born::text
    FROM (SELECT i, (ARRAY['Azamat','Bakyt','Chyngyz','Daniyar','Emil','Nurlan','Talant'])[1 + i %% 7] AS given,
                 date '1965-01-01' + {r("i", 6, 14000)} AS born FROM b_ref) AS named
    """  # nosec B608 - numbers and fixed names only, no input
    referrals = f"""
    INSERT INTO referrals_referral (id, source, incident_description, risk_flags, order_number,
        order_issuing_authority, order_issued_on, order_expires_on, order_obliges_programme, status,
        status_changed_at, decline_reason, decline_explanation, created_at, submission_key, external_id,
        created_by_id, person_id, referring_body_id, provider_id, court_decision_date, court_decision_number)
    SELECT i, CASE WHEN roll < 75 THEN 'police' WHEN roll < 85 THEN 'court' ELSE 'self' END, %(secret)s, '{{}}',
           CASE WHEN roll < 75 THEN 'PO-' || i ELSE '' END, CASE WHEN roll < 75 THEN 'Bench police' ELSE '' END,
           CASE WHEN roll < 75 THEN (created_at AT TIME ZONE %(tz)s)::date END,
           CASE WHEN roll < 75 THEN (created_at AT TIME ZONE %(tz)s)::date + 30 + {r("i", 7, 150)} END,
           roll < 40,
           CASE WHEN status = 'in' THEN CASE outcome WHEN 'active' THEN 'enrolled' WHEN 'completed' THEN 'completed'
                                        ELSE 'dropped_out' END
                ELSE status END,
           created_at + interval '2 days', CASE WHEN status = 'declined' THEN 'not_eligible' ELSE '' END, '',
           created_at, NULL, '', officer, i, unit_id, provider_id, NULL, ''
    FROM b_ref
    """  # nosec B608 - numbers and fixed names only, no input
    cases = """
    INSERT INTO casework_case (id, status, opened_at, current_risk_level, opened_by_id, provider_id, referral_id)
    SELECT i, CASE WHEN outcome = 'active' THEN 'open' ELSE 'closed' END, created_at + interval '5 days',
           (ARRAY['low','medium','medium','high'])[1 + fate %% 4], psychologist, provider_id, i
    FROM b_ref WHERE status = 'in'
    """
    groups = f"""
    INSERT INTO programmes_group (id, name, sex, capacity, intake, location_kind, location, language, starts_on,
        time_of_day, is_active, created_at, provider_id, psychologist_id, social_worker_id, template_id,
        facility_id, setting)
    SELECT id, 'Group ' || id, 'male', 12, 'rolling', 'room', 'Room ' || (1 + g %% 3), 'ru', starts_on,
           time '10:00' + (g %% 4) * interval '2 hours',
           last_joins + {GROUP_SESSIONS} * 7 > %(today)s, starts_on - 20, provider_id, psychologist, social_worker,
           %(template)s, NULL, 'room'
    FROM b_group
    """  # nosec B608 - numbers and fixed names only, no input
    enrolments = """
    INSERT INTO programmes_enrolment (id, starts_on, status, enrolled_at, ended_on, end_reason, end_notes, case_id,
        enrolled_by_id, provider_id, psychologist_id, transferred_to_id, group_id, template_id, group_from,
        for_violence)
    SELECT i, starts_on, outcome, created_at + interval '5 days', ended_on, '', '', i, psychologist, provider_id,
           psychologist, NULL, group_id, %(template)s, starts_on + 14, false
    FROM b_ref WHERE status = 'in'
    """
    # Held when over, planned when to come; 3% of the last fortnight's are not logged yet.
    session_status = f"""CASE WHEN s.at > %(now)s THEN 'planned'
                 WHEN s.at > %(now)s - interval '14 days' AND {r("s.id", 8, 100)} < 3 THEN 'planned'
                 ELSE 'held' END"""
    sessions = f"""
    INSERT INTO programmes_session (id, kind, number, starts_at, duration_minutes, location, planned_topic, status,
        cancel_reason, topic_covered, notes, logged_at, co_facilitator_id, enrolment_id, facilitator_id, group_id,
        logged_by_id, provider_id, reschedule_reason, rescheduled_from, planned_at)
    SELECT s.id, s.kind, s.number, s.at, s.minutes, 'Room 1', '', {session_status}, '', '', '',
           CASE WHEN {session_status} = 'held' THEN s.at + interval '3 hours' END, s.co, s.enrolment_id, s.lead,
           s.group_id, CASE WHEN {session_status} = 'held' THEN s.lead END, s.provider_id, '', NULL, NULL
    FROM (
      SELECT row_number() OVER (ORDER BY at, kind) AS id, * FROM (
        SELECT 'individual' AS kind, n AS number,
               ((starts_on + (n - 1) * 7) + time '09:00' + (i %% 8) * interval '1 hour') AT TIME ZONE %(tz)s AS at,
               60 AS minutes, NULL::bigint AS co, i AS enrolment_id, psychologist AS lead, NULL::bigint AS group_id,
               provider_id
        FROM b_ref, generate_series(1, 2) AS n
        WHERE status = 'in' AND (ended_on IS NULL OR starts_on + (n - 1) * 7 <= ended_on)
        UNION ALL
        SELECT 'group', n, ((starts_on + (n - 1) * 7) + time '10:00' + (g %% 4) * interval '2 hours')
                 AT TIME ZONE %(tz)s, 120, social_worker, NULL, psychologist, id, provider_id
        FROM b_group, generate_series(1, {GROUP_SESSIONS}) AS n
      ) AS planned
    ) AS s
    """  # nosec B608 - numbers and fixed names only, no input
    mark = f"""CASE WHEN e.outcome IN ('dropped_out', 'expelled')
                     AND s.starts_at > (e.ended_on - 21) AT TIME ZONE %(tz)s THEN 'unexcused'
                WHEN {r("s.id * 7 + e.i", 9, 100)} < 90 THEN 'present'
                WHEN {r("s.id * 7 + e.i", 9, 100)} < 95 THEN 'late'
                WHEN {r("s.id * 7 + e.i", 9, 100)} < 98 THEN 'excused' ELSE 'unexcused' END"""
    attendance = f"""
    INSERT INTO programmes_attendance (mark, recorded_at, recorded_by_id, enrolment_id, session_id,
                                       absence_confirmed, short_notice)
    SELECT {mark}, s.logged_at, s.facilitator_id, e.i, s.id, false, false
    FROM programmes_session s JOIN b_ref e ON {{on}}
    WHERE s.status = 'held' AND (e.ended_on IS NULL OR s.starts_at < (e.ended_on + 1) AT TIME ZONE %(tz)s)
    """  # nosec B608 - numbers and fixed names only, no input
    events = """
    INSERT INTO notifications_safetyevent (id, kind, occurred_at, created_at, dedupe_key, facts, case_id,
                                           created_by_id, referral_id)
    SELECT i, CASE WHEN outcome = 'completed' THEN 'completion' WHEN outcome = 'expelled' THEN 'expulsion'
                   ELSE 'dropout' END,
           ended_on + time '18:00', ended_on + time '18:00', 'bench:' || outcome || ':' || i, '{}', i, NULL, i
    FROM b_ref WHERE outcome IN ('completed', 'dropped_out', 'expelled')
    """
    # The provider and the police unit are told; older notices were acknowledged.
    notices = """
    INSERT INTO notifications_notice (role_hint, no_survivor_service, status, created_at, ack_due_at,
        acknowledged_at, ack_note, escalation_level, escalated_at, delivery_failed_at, acknowledged_by_id,
        organisation_id, event_id, actions, urgency, escalated_because)
    SELECT who.hint, true, CASE WHEN e.created_at < %(now)s - interval '7 days' THEN 'acknowledged' ELSE 'open' END,
           e.created_at, CASE WHEN e.kind = 'completion' THEN NULL ELSE e.created_at + interval '24 hours' END,
           CASE WHEN e.created_at < %(now)s - interval '7 days' THEN e.created_at + interval '5 hours' END, '', 0,
           NULL, NULL, CASE WHEN e.created_at < %(now)s - interval '7 days' THEN who.person END, who.org, e.id,
           CASE WHEN e.created_at < %(now)s - interval '7 days' THEN '{noted}'::varchar[] ELSE '{}' END,
           CASE e.kind WHEN 'completion' THEN 'information' WHEN 'expulsion' THEN 'urgent' ELSE 'action' END, ''
    FROM notifications_safetyevent e JOIN b_ref b ON b.i = e.case_id
    CROSS JOIN LATERAL (VALUES ('provider', b.provider_id, b.psychologist), ('police', b.unit_id, b.officer))
      AS who (hint, org, person)
    """
    deliveries = """
    INSERT INTO notifications_delivery (channel, address, language, status, attempts, next_attempt_at, claimed_at,
        sent_at, last_error, escalation_level, created_at, user_id, notice_id, event_id, reminder_id,
        webhook_event_id, webhook_id)
    SELECT c.channel, CASE c.channel WHEN 'email' THEN 'staff' || m.user_id || '@bench.invalid' ELSE '' END, 'ru',
           'sent', 1, n.created_at, n.created_at, n.created_at + interval '3 seconds', '', 0, n.created_at,
           CASE c.channel WHEN 'email' THEN m.user_id END, n.id, n.event_id, NULL, NULL, NULL
    FROM notifications_notice n
    JOIN LATERAL (SELECT user_id FROM accounts_membership WHERE organisation_id = n.organisation_id
                  ORDER BY user_id LIMIT 1) m ON true
    CROSS JOIN (VALUES ('inbox'), ('email')) AS c (channel)
    """
    questionnaires = f"""
    INSERT INTO outcomes_administration (id, respondent, relation, occasion, months, administered_on,
        respondent_consented, answers, items_answered, items_missing, recorded_at, case_id, organisation_id,
        recorded_by_id, survivor_id, instrument_id, submission_key)
    SELECT row_number() OVER (ORDER BY b.i, o.occasion), 'person', '', o.occasion, NULL, o.day, true, %(answers)s,
           78, 0, o.day + time '12:00', b.i, b.provider_id, b.psychologist,
           NULL, (SELECT id FROM outcomes_instrument WHERE code = 'cts2' AND version = 1), NULL
    FROM b_ref b CROSS JOIN LATERAL (VALUES ('intake', b.starts_on), ('end', b.ended_on)) AS o (occasion, day)
    WHERE b.status = 'in' AND o.day IS NOT NULL
      AND (CASE WHEN o.occasion = 'intake' THEN {r("b.i", 10, 100)} < 90
                ELSE b.outcome = 'completed' AND {r("b.i", 11, 100)} < 80 END)
    """  # nosec B608 - numbers and fixed names only, no input
    scores = f"""
    INSERT INTO outcomes_scalescore (perspective, prevalence, ever, annual_frequency, items_missing,
                                     administration_id, scale_id, prorated, value)
    SELECT 'self', f > 0, f > 0, f, 0, a.id, s.id, false, NULL
    FROM outcomes_administration a
    JOIN outcomes_scale s ON s.instrument_id = a.instrument_id AND s.parent_id IS NULL
    CROSS JOIN LATERAL (SELECT (ARRAY[0, 0, 2, 4, 8, 15])[1 + {r("a.id * 10 + s.id", 12, 6)}]
                               / CASE WHEN a.occasion = 'intake' THEN 1 ELSE 3 END AS f) AS x
    """  # nosec B608 - numbers and fixed names only, no input
    follow_ups = f"""
    INSERT INTO outcomes_followup (kind, months, respondent, due_on, status, met_on, attended, meeting_notes,
        recorded_at, created_at, administration_id, enrolment_id, recorded_by_id, after_session)
    SELECT p.kind, p.months, 'person', p.due,
           CASE WHEN p.due < %(today)s AND {r("b.i * 4 + p.months", 13, 100)} < 70 THEN 'done' ELSE 'due' END,
           CASE WHEN p.due < %(today)s AND {r("b.i * 4 + p.months", 13, 100)} < 70 THEN p.due END, NULL, '', NULL,
           b.created_at, NULL, b.i, NULL, NULL
    FROM b_ref b CROSS JOIN LATERAL (VALUES ('intake', 0, b.starts_on), ('end', 0, b.ended_on),
                                            ('after_end', 6, b.ended_on + 182)) AS p (kind, months, due)
    WHERE b.outcome IN ('completed', 'dropped_out', 'expelled')
    """  # nosec B608 - numbers and fixed names only, no input
    return [
        ("plan (temporary tables)", staff),
        ("referred persons", people),
        ("referrals", referrals),
        ("cases", cases),
        ("groups", groups),
        ("enrolments", enrolments),
        ("sessions", sessions),
        ("attendance (individual sessions)", attendance.format(on="s.enrolment_id = e.i")),
        (
            "attendance (group sessions)",
            attendance.format(on="s.group_id = e.group_id AND s.starts_at >= (e.starts_on + 14) AT TIME ZONE %(tz)s"),
        ),
        ("safety events", events),
        ("notices", notices),
        ("deliveries", deliveries),
        ("questionnaires", questionnaires),
        ("scale scores", scores),
        ("follow-up points", follow_ups),
    ]
