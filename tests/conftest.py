"""Standing organisations and users: one per role in our organisations, and
outsiders of the same roles in another country's organisations."""

from __future__ import annotations

import os
import time

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from rest_framework.test import APIClient

from accounts.models import Organisation, Role
from tests import factories as f

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

K = Organisation.Kind

# `make test` on the 2-core machine stays within this (the suite prints its wall time).
WALL_TIME_BUDGET_SECONDS = 6 * 60
_STARTED = pytest.StashKey[float]()


def pytest_sessionstart(session):
    session.config.stash[_STARTED] = time.monotonic()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Print the suite's wall time, and say so when it is over the budget."""
    started = config.stash.get(_STARTED, None)
    if started is None or hasattr(config, "workerinput"):
        return
    seconds = time.monotonic() - started
    line = f"wall time: {int(seconds // 60)} min {int(seconds % 60):02d} s"
    if seconds > WALL_TIME_BUDGET_SECONDS:
        line += f" (over the budget of {WALL_TIME_BUDGET_SECONDS // 60} min: see --durations=40)"
    terminalreporter.write_sep("-", line)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database is created, migrated and flushed by the owner role (or
    the superuser of a developer's server); each test then runs as the
    application role (``_as_application_role``).

    Let the test runner's flush (TRUNCATE, run by the owner) clear the
    append-only read log between transactional tests; UPDATE and DELETE stay
    forbidden, and the application role has no TRUNCATE at all."""
    from django.conf import settings
    from django.db import connection

    from core import dbroles

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        name = connection.settings_dict["NAME"]
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        superuser = cursor.fetchone()[0]
        if superuser:
            # A superuser login (the shared CI server): create the roles here.
            _ensure_roles(cursor, settings.DATABASE_APP_ROLE)
        if dbroles.role_exists(cursor, settings.DATABASE_APP_ROLE):
            dbroles.apply_grants(cursor, app=settings.DATABASE_APP_ROLE)
        if superuser:
            # Every later connection too (the owner's have it from
            # config/settings/test.py: a non-superuser may not ALTER DATABASE
            # SET a custom parameter).
            cursor.execute(f"ALTER DATABASE \"{name}\" SET casework.audit_maintenance = 'on'")
        cursor.execute("SET casework.audit_maintenance = 'on'")
        cursor.execute(
            "SELECT pg_has_role(current_user, oid, 'MEMBER') FROM pg_roles WHERE rolname = %s",
            [settings.DATABASE_APP_ROLE],
        )
        row = cursor.fetchone()
        APPLICATION_ROLE["usable"] = bool(row and row[0])


APPLICATION_ROLE = {"usable": False}


def _ensure_roles(cursor, app_role: str, attempts: int = 5) -> None:
    """Roles belong to the whole server, not to one test database: the xdist
    workers of one run may create or alter them at the same moment, and the
    loser of that race ("role already exists", "tuple concurrently updated")
    finds them made when it tries again."""
    from django.db import DatabaseError

    from core import dbroles

    for attempt in range(1, attempts + 1):
        try:
            dbroles.ensure_roles(cursor, app=app_role)
            return
        except DatabaseError:
            if attempt == attempts:
                raise
            time.sleep(0.2 * attempt)


@pytest.fixture(autouse=True)
def _as_application_role(request, django_db_setup):
    """Tests in a rolled-back transaction (``db``) run as the application role,
    as web, worker and beat do: ``SET LOCAL ROLE`` ends with the test's
    transaction. Transactional tests run as the owner, whose flush empties
    the tables afterwards."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or (
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    uses_db = marker is not None or "db" in request.fixturenames
    if not uses_db or transactional or not APPLICATION_ROLE["usable"]:
        yield
        return
    from django.conf import settings
    from django.db import connection

    request.getfixturevalue("db")
    with connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{settings.DATABASE_APP_ROLE}"')
    yield


SHIPPED_DATA_MIGRATIONS = (
    "referrals.migrations.0002_shipped_eligibility_criteria",
    "casework.migrations.0002_basic_risk_checklist",
    "programmes.migrations.0005_shipped_templates_chance_voluntary",
    "programmes.migrations.0010_shipped_templates_monitoring",
    "outcomes.migrations.0003_shipped_cts2s",
)


def ensure_shipped_data() -> None:
    """Put back what the data migrations ship, if a transactional test's
    flush removed it (every loader is idempotent)."""
    import importlib

    from django.apps import apps

    from casework.models import RiskInstrument
    from outcomes.models import Instrument
    from programmes.models import ProgrammeTemplate
    from referrals.models import EligibilityCriterion

    present = (
        EligibilityCriterion.objects.filter(organisation=None).exists()
        and RiskInstrument.objects.filter(code="basic-checklist").exists()
        and ProgrammeTemplate.objects.filter(provider=None).exists()
        and Instrument.objects.filter(code="cts2s").exists()
    )
    if not present:
        for module in SHIPPED_DATA_MIGRATIONS:
            importlib.import_module(module).forwards(apps, None)


@pytest.fixture(autouse=True)
def _shipped_data(request, django_db_setup, django_db_blocker):
    """Every test that touches the database starts with the shipped data."""
    uses_db = request.node.get_closest_marker("django_db") or (
        {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    )
    if uses_db:
        with django_db_blocker.unblock():
            ensure_shipped_data()


@pytest.fixture
def orgs(db):
    return standing_orgs()


def standing_orgs() -> dict[str, Organisation]:
    return {
        "police": f.make_org(K.POLICE_UNIT, name="Bishkek City Police, Pervomaisky district"),
        "provider": f.make_org(K.PROGRAMME_PROVIDER, name="Bishkek Consultation Room"),
        "survivor_service": f.make_org(K.SURVIVOR_SERVICE, name="Sezim Crisis Centre"),
        "monitoring": f.make_org(K.MONITORING_BODY, name="Committee on Women and Family Affairs"),
        "other_police": f.make_org(K.POLICE_UNIT, country="TJ", name="Khujand Police", region="Sughd"),
        "other_provider": f.make_org(
            K.PROGRAMME_PROVIDER, country="TJ", name="Khujand Consultation Room", region="Sughd"
        ),
        "other_survivor_service": f.make_org(
            K.SURVIVOR_SERVICE, country="TJ", name="Khujand Crisis Centre", region="Sughd"
        ),
        # The other agencies of the pathway (seed 001).
        "court": f.make_org(K.COURT, name="Pervomaisky District Court of Bishkek"),
        "probation": f.make_org(K.PROBATION_SERVICE, name="Bishkek Probation Department"),
        "child_protection": f.make_org(K.CHILD_PROTECTION, name="Bishkek Commission on Children's Affairs"),
        "local_government": f.make_org(K.LOCAL_GOVERNMENT, name="Alamedin Aiyl Okmotu"),
        "social_development": f.make_org(K.SOCIAL_DEVELOPMENT, name="State Department for Social Development"),
        "prison": f.make_org(K.PRISON, name="Correctional Colony No. 47"),
        "ministry": f.make_org(K.MINISTRY_DEPARTMENT, name="Ministry of Labour, Family Department"),
    }


@pytest.fixture
def users(orgs):
    return standing_users(orgs)


def standing_users(orgs: dict[str, Organisation]) -> dict:
    return {
        "police": f.make_user(orgs["police"], Role.POLICE_OFFICER, "police"),
        "police2": f.make_user(orgs["police"], Role.POLICE_OFFICER, "police2"),
        "psychologist": f.make_user(orgs["provider"], Role.PSYCHOLOGIST, "psychologist"),
        "social_worker": f.make_user(orgs["provider"], Role.SOCIAL_WORKER, "social_worker"),
        "manager": f.make_user(orgs["provider"], Role.PROGRAMME_MANAGER, "manager"),
        "provider_admin": f.make_user(orgs["provider"], Role.ORG_ADMIN, "provider_admin"),
        "survivor_worker": f.make_user(orgs["survivor_service"], Role.SURVIVOR_WORKER, "survivor_worker"),
        "monitoring": f.make_user(orgs["monitoring"], Role.MONITORING_VIEWER, "monitoring"),
        "other_police": f.make_user(orgs["other_police"], Role.POLICE_OFFICER, "other_police"),
        "other_psychologist": f.make_user(orgs["other_provider"], Role.PSYCHOLOGIST, "other_psychologist"),
        "other_survivor_worker": f.make_user(
            orgs["other_survivor_service"], Role.SURVIVOR_WORKER, "other_survivor_worker"
        ),
        "judge": f.make_user(orgs["court"], Role.JUDGE, "judge"),
        "court_clerk": f.make_user(orgs["court"], Role.COURT_CLERK, "court_clerk"),
        "probation_officer": f.make_user(orgs["probation"], Role.PROBATION_OFFICER, "probation_officer"),
        "child_protection": f.make_user(orgs["child_protection"], Role.CHILD_PROTECTION_SPECIALIST, "child_protection"),
        "social_officer": f.make_user(orgs["local_government"], Role.SOCIAL_OFFICER, "social_officer"),
        "monitoring_officer": f.make_user(orgs["social_development"], Role.MONITORING_OFFICER, "monitoring_officer"),
        "facility_officer": f.make_user(orgs["prison"], Role.FACILITY_OFFICER, "facility_officer"),
        "ministry_officer": f.make_user(orgs["ministry"], Role.MINISTRY_OFFICER, "ministry_officer"),
    }


def login_verified(client, user):
    """Sign in with the second factor already verified, as after a real login."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = user.totpdevice_set.get().persistent_id
    session.save()
    return client


@pytest.fixture
def login(client):
    def _login(user):
        return login_verified(client, user)

    return _login


@pytest.fixture
def api(db):
    """``api(user)``: a client sending that user's token; ``api()``: no token."""

    def _client(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            from accounts.tokens import api_token_create

            _row, token = api_token_create(user=user, name="test")
            client.credentials(HTTP_AUTHORIZATION="Token " + token)
        return client

    return _client


@pytest.fixture
def referral(users, orgs):
    return f.make_referral(police=users["police"], provider=orgs["provider"])


@pytest.fixture
def case(referral, users):
    return f.open_case(referral, users["psychologist"])


@pytest.fixture
def case_with_service(case, users, orgs):
    from casework.services import survivor_service_refer

    survivor_service_refer(case=case, organisation=orgs["survivor_service"], by=users["social_worker"])
    return case


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }
