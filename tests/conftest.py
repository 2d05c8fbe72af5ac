"""Standing organisations and users: one per role in our organisations, and
outsiders of the same roles in another country's organisations."""

from __future__ import annotations

import functools
import os
import time

import pytest
from django.conf import settings
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from rest_framework.test import APIClient

from accounts.middleware import activity_cookie_value
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
    from django.db import connection

    from core import dbroles

    if not connection.settings_dict["NAME"].startswith("test_"):
        # No selected test uses the database, so pytest-django made no test
        # database: the roles and settings below are not for DATABASE_URL's.
        return
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
    _DB_BLOCKER["blocker"] = django_db_blocker


APPLICATION_ROLE = {"usable": False}
_DB_BLOCKER: dict = {}
# True once a test has found the shipped data in place, until the next
# transactional test's flush (which puts it back: pytest_runtest_teardown).
_SHIPPED_IN_PLACE = {"known": False}


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
def _settings_language_after_each_test():
    """A request in Russian leaves its thread in Russian (LocaleMiddleware
    activates the language and nothing deactivates it), so a later test in
    the same worker would read Russian messages: each test ends by going
    back to the settings' language."""
    yield
    translation.deactivate()


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
    from django.db import connection

    request.getfixturevalue("db")
    with connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{settings.DATABASE_APP_ROLE}"')
    yield


SHIPPED_DATA_MIGRATIONS = (
    "referrals.migrations.0002_shipped_eligibility_criteria",
    "referrals.migrations.0011_kg_basic_therapy_gambling",
    "casework.migrations.0002_basic_risk_checklist",
    "programmes.migrations.0005_shipped_templates_chance_voluntary",
    "programmes.migrations.0010_shipped_templates_monitoring",
    "programmes.migrations.0012_shipped_templates_qualification",
    "programmes.migrations.0015_shipped_templates_seed_variants",
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

    if _SHIPPED_IN_PLACE["known"]:
        return
    present = (
        EligibilityCriterion.objects.filter(organisation=None).exists()
        and RiskInstrument.objects.filter(code="basic-checklist").exists()
        and ProgrammeTemplate.objects.filter(provider=None).exists()
        and Instrument.objects.filter(code="cts2s").exists()
    )
    if not present:
        for module in SHIPPED_DATA_MIGRATIONS:
            importlib.import_module(module).forwards(apps, None)
    from django.db import connection

    # Loaded inside a test's rolled-back transaction, it is gone again after it.
    _SHIPPED_IN_PLACE["known"] = present or not connection.in_atomic_block


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(
        (marker is not None and marker.kwargs.get("transaction"))
        or {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
    )


@pytest.fixture(autouse=True)
def _shipped_data(request, django_db_setup, django_db_blocker):
    """Every test that touches the database starts with the shipped data.
    A transactional test's flush empties every table: the data is put back,
    committed, right after it (``pytest_runtest_teardown``), so the tests in
    rolled-back transactions after it find it without loading it again (a
    third of a second each), and without a query once one has seen it."""
    uses_db = request.node.get_closest_marker("django_db") or (
        {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    )
    if uses_db:
        with django_db_blocker.unblock():
            ensure_shipped_data()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test's flush: the shipped data back, committed."""
    result = yield
    blocker = _DB_BLOCKER.get("blocker")
    if blocker is not None and _is_transactional(item):
        _SHIPPED_IN_PLACE["known"] = False
        if nextitem is not None:
            with blocker.unblock():
                ensure_shipped_data()
    return result


@pytest.fixture
def orgs(db):
    return standing_orgs()


# (key, kind, name, country, region): one per role in our organisations, and
# outsiders of the same roles in another country's.
STANDING_ORGS = [
    ("police", K.POLICE_UNIT, "Bishkek City Police, Pervomaisky district", "KG", "Chuy"),
    ("provider", K.PROGRAMME_PROVIDER, "Bishkek Consultation Room", "KG", "Chuy"),
    ("survivor_service", K.SURVIVOR_SERVICE, "Sezim Crisis Centre", "KG", "Chuy"),
    ("monitoring", K.MONITORING_BODY, "Committee on Women and Family Affairs", "KG", "Chuy"),
    ("other_police", K.POLICE_UNIT, "Khujand Police", "TJ", "Sughd"),
    ("other_provider", K.PROGRAMME_PROVIDER, "Khujand Consultation Room", "TJ", "Sughd"),
    ("other_survivor_service", K.SURVIVOR_SERVICE, "Khujand Crisis Centre", "TJ", "Sughd"),
    # The other agencies of the pathway (seed 001).
    ("court", K.COURT, "Pervomaisky District Court of Bishkek", "KG", "Chuy"),
    ("probation", K.PROBATION_SERVICE, "Bishkek Probation Department", "KG", "Chuy"),
    ("child_protection", K.CHILD_PROTECTION, "Bishkek Commission on Children's Affairs", "KG", "Chuy"),
    ("local_government", K.LOCAL_GOVERNMENT, "Alamedin Aiyl Okmotu", "KG", "Chuy"),
    ("social_development", K.SOCIAL_DEVELOPMENT, "State Department for Social Development", "KG", "Chuy"),
    ("prison", K.PRISON, "Correctional Colony No. 47", "KG", "Chuy"),
    ("ministry", K.MINISTRY_DEPARTMENT, "Ministry of Labour, Family Department", "KG", "Chuy"),
]

# username (also the key) -> (organisation key, role)
STANDING_USERS = {
    "police": ("police", Role.POLICE_OFFICER),
    "police2": ("police", Role.POLICE_OFFICER),
    "psychologist": ("provider", Role.PSYCHOLOGIST),
    "social_worker": ("provider", Role.SOCIAL_WORKER),
    "manager": ("provider", Role.PROGRAMME_MANAGER),
    "provider_admin": ("provider", Role.ORG_ADMIN),
    "survivor_worker": ("survivor_service", Role.SURVIVOR_WORKER),
    "monitoring": ("monitoring", Role.MONITORING_VIEWER),
    "other_police": ("other_police", Role.POLICE_OFFICER),
    "other_psychologist": ("other_provider", Role.PSYCHOLOGIST),
    "other_survivor_worker": ("other_survivor_service", Role.SURVIVOR_WORKER),
    "judge": ("court", Role.JUDGE),
    "court_clerk": ("court", Role.COURT_CLERK),
    "probation_officer": ("probation", Role.PROBATION_OFFICER),
    "child_protection": ("child_protection", Role.CHILD_PROTECTION_SPECIALIST),
    "social_officer": ("local_government", Role.SOCIAL_OFFICER),
    "monitoring_officer": ("social_development", Role.MONITORING_OFFICER),
    "facility_officer": ("prison", Role.FACILITY_OFFICER),
    "ministry_officer": ("ministry", Role.MINISTRY_OFFICER),
}


def standing_orgs() -> dict[str, Organisation]:
    """The standing organisations, made in one INSERT (most tests ask for them)."""
    made = Organisation.objects.bulk_create(
        Organisation(name=name, kind=kind, country=country, region=region, languages=["ru"])
        for _key, kind, name, country, region in STANDING_ORGS
    )
    return {spec[0]: org for spec, org in zip(STANDING_ORGS, made, strict=True)}


@functools.cache
def _password_hash() -> str:
    from django.contrib.auth.hashers import make_password

    return make_password(f.PASSWORD)


@pytest.fixture
def users(orgs):
    return standing_users(orgs)


def standing_users(orgs: dict[str, Organisation]) -> dict:
    """The standing users, each a member of its organisation with a confirmed
    authenticator (what ``factories.make_user`` makes one by one), in four
    INSERTs instead of eighty."""
    from accounts.models import SEALED_KEY, Membership, SealedTOTPDevice, TOTPSecret, User

    users = User.objects.bulk_create(User(username=name, password=_password_hash()) for name in STANDING_USERS)
    Membership.objects.bulk_create(
        Membership(user=user, organisation=orgs[org_key], role=role)
        for user, (org_key, role) in zip(users, STANDING_USERS.values(), strict=True)
    )
    devices = SealedTOTPDevice.objects.bulk_create(
        SealedTOTPDevice(user=user, name="default", confirmed=True, key=SEALED_KEY) for user in users
    )
    TOTPSecret.objects.bulk_create(TOTPSecret(device=device, key=f.TEST_TOTP_KEY_HEX) for device in devices)
    return dict(zip(STANDING_USERS, users, strict=True))


def sign_in(client, user):
    """Sign in with the password only, as a real sign-in does: the session and
    its activity cookie (accounts.middleware.IdleSignOutMiddleware)."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    just_active(client)
    return client


def just_active(client):
    """A fresh activity cookie, as if the session had just been used."""
    now = int(time.time())
    client.cookies[settings.ACTIVITY_COOKIE_NAME] = activity_cookie_value(signed_in_at=now, active_at=now)


def browser_cookies(client, url: str) -> list[dict]:
    """The signed-in test client's cookies, for a real browser's context."""
    names = (settings.SESSION_COOKIE_NAME, settings.ACTIVITY_COOKIE_NAME)
    return [{"name": name, "value": client.cookies[name].value, "url": url} for name in names]


def login_verified(client, user):
    """Sign in with the second factor already verified, as after a real login."""
    sign_in(client, user)
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
