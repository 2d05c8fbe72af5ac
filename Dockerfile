# The production image: gunicorn (web), Celery worker and beat share it.
# See docker-compose.yml and README.md ("Production with docker compose").
#
# Layers from the least to the most often changed: system packages and the
# user, then the pinned dependencies, then the code; a code change rebuilds
# only the last layers.

# The translations, compiled with GNU gettext in a stage of their own: the
# image itself carries no compiler.
FROM python:3.11-slim AS translations
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
COPY locale/ /locale/
RUN for po in $(find /locale -name '*.po'); do msgfmt --check-format -o "${po%.po}.mo" "$po" || exit 1; done

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=config.settings.production

WORKDIR /app

# Run as an unprivileged user that cannot modify the code (USER below).
RUN useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin casework \
    && mkdir -p /var/lib/casework \
    && chown casework /var/lib/casework

# Runtime dependencies first (the whole tree of pyproject.toml's dependencies,
# pinned with hashes by `make lock`; no dev/test extras), so that a code
# change does not reinstall them.
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock

COPY . .
RUN pip install --no-deps . && rm -rf build ./*.egg-info

COPY --from=translations /locale/ ./locale/

# Static files are built into the image. These settings are placeholders for
# the build only; nothing here connects to a database, and the real values
# come from the environment at run time.
RUN SECRET_KEY=build-only-not-secret FIELD_ENCRYPTION_KEYS=build-only-not-a-key \
        DATABASE_URL=postgresql://build@localhost/build REDIS_URL=redis://localhost:6379/0 ALLOWED_HOSTS=localhost \
        python manage.py collectstatic --noinput -v 0

USER casework

EXPOSE 8000
# Access log without client addresses or query strings (search terms can be names).
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", \
     "--no-control-socket", \
     "--access-logfile", "-", "--access-logformat", "%(t)s \"%(m)s %(U)s\" %(s)s %(b)s %(L)s"]
