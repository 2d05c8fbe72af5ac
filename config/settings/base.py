"""Settings shared by every environment.

Secrets and addresses come from the environment through the typed readers in
``config.env``. Development and test settings supply embedded defaults; the
production settings supply none.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from redis.backoff import NoBackoff
from redis.retry import Retry

from config.env import envbool, envint, envlist, envsecret, envstr

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = envsecret("SECRET_KEY")
DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # First: its ready() installs the control-character check on every form
    # and serializer text field before the admin imports its forms.
    "core",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    # third party
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "phonenumber_field",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI's files for /api/docs/, served as our own static files.
    "drf_spectacular_sidecar",
    # Every version of the safety plan, kept by database triggers (casework.models).
    "pgtrigger",
    "pghistory",
    # ours
    "accounts",
    "referrals",
    "casework",
    "programmes",
    "fieldwork",
    "staffing",
    "notifications",
    "reports",
    "outcomes",
    "frontdoor",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages and JSON leave compressed: a phone in a village on a weak network
    # opens Today in a few KB (issue 17). Outside every middleware that writes
    # a body, so it compresses the finished response; inside WhiteNoise, whose
    # static files are compressed ahead (and never reach it). BREACH: Django
    # (4.2+) adds up to 100 random bytes to each gzip response ("Heal The
    # Breach"), the CSRF token in a page is masked afresh on every request, and
    # the session cookie is SameSite=Lax, so another site cannot make a signed-in
    # browser send the thousands of requests, each with a guess of its choosing
    # reflected beside a secret, that the attack needs. README, "Field work without
    # a network", "Compression and BREACH".
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.IdleSignOutMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    # Under /api/: the language Accept-Language names, else English (core/api_language.py).
    "core.api_language.ApiLanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # A NUL byte in the path, a query string or a JSON body: 400 before any view.
    "core.middleware.RejectNulMiddleware",
    "accounts.middleware.RequireVerifiedStaffMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    # Under DEBUG only: the site's own 404 page, never Django's list of URL patterns.
    "core.middleware.PlainNotFoundMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "accounts.context_processors.scope",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL"), conn_max_age=envint("DB_CONN_MAX_AGE", 60), conn_health_checks=True
    )
}
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = envint("DB_CONNECT_TIMEOUT", 5)
# The role web, worker and beat log in as (DATABASE_URL): it owns nothing and
# may only INSERT into the read log and the timeline. `migrate` runs with
# DATABASE_URL set to the owner role and grants this role its privileges
# afterwards (core/dbroles.py, README "Database roles").
DATABASE_APP_ROLE = envstr("DATABASE_APP_ROLE", "casework_app")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# The admin's address can be moved away from the well-known one.
ADMIN_URL = envstr("ADMIN_URL", "admin/")
# The name authenticator apps show next to the 6-digit code.
OTP_TOTP_ISSUER = envstr("OTP_TOTP_ISSUER", "Casework")
# An authenticator app is enrolled only with a single-use code issued by an
# administrator (admin action or `manage.py issue_enrolment`), valid this long.
ENROLMENT_CODE_HOURS = envint("ENROLMENT_CODE_HOURS", 48, minimum=1, maximum=24 * 14)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "frontdoor:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout after repeated failures (django-axes).
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)  # per username from one address
# Failures within the cool-off that lock out an address whatever usernames it
# tries, and a username whatever addresses try it (accounts/lockout.py).
AXES_ADDRESS_FAILURE_LIMIT = envint("AXES_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
AXES_USERNAME_FAILURE_LIMIT = envint("AXES_USERNAME_FAILURE_LIMIT", 10, minimum=1)
AXES_HANDLER = "accounts.lockout.RateLockoutHandler"
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token", "enrolment_code"]
AXES_VERBOSE = envbool("AXES_VERBOSE", False)
# Behind reverse proxies, how many of them append to X-Forwarded-For; the
# lockout then counts per real client address instead of the proxy's.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "accounts.services.client_ip"

# Idle sessions end without a write on every request: the session row is
# saved only when its contents change (at sign-in, not on a page view) and
# expires SESSION_MAX_HOURS after that. The times of sign-in and of the last
# request travel in a signed cookie instead; accounts.middleware.
# IdleSignOutMiddleware signs out a session idle longer than
# SESSION_IDLE_MINUTES or signed in longer than SESSION_MAX_HOURS ago.
SESSION_IDLE_SECONDS = envint("SESSION_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_COOKIE_AGE = envint("SESSION_MAX_HOURS", 12, minimum=1) * 3600
SESSION_SAVE_EVERY_REQUEST = False
ACTIVITY_COOKIE_NAME = "activity"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "core.views.csrf_failure"

# Security headers.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LANGUAGE_CODE = "ru"
# The languages of the region (accounts.models.Language, the same order). The
# catalogues other than Russian await review by native-speaking practitioners
# (README, "Languages"); the terms follow locale/glossary.csv.
LANGUAGES = [
    ("ru", _("Russian")),
    ("ky", _("Kyrgyz")),
    ("tg", _("Tajik")),
    ("uz", _("Uzbek")),
    ("kk", _("Kazakh")),
    ("tk", _("Turkmen")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Day.month.year and the 24-hour clock in every language, English included
# (config/formats/<language> where Django's own formats differ).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = envstr("TIME_ZONE", "Asia/Bishkek")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

PHONENUMBER_DEFAULT_REGION = envstr("PHONENUMBER_DEFAULT_REGION", "KG")

# Field encryption: Fernet keys, newest first; the first encrypts, all decrypt.
FIELD_ENCRYPTION_KEYS = envlist("FIELD_ENCRYPTION_KEYS")

REDIS_URL = envstr("REDIS_URL")
# One cache for every process and host: Redis. The API's rate limit counts
# there (core/throttling.py), so gunicorn's workers share one count per token;
# with per-process memory each would allow the whole rate. Short timeouts and
# no retry: a request never waits long for a Redis that is away, and the
# throttle lets it through (and logs it). django-axes counts sign-in failures
# in the database instead (accounts/lockout.py sums its rows), which every
# process shares too.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "cache",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1, "retry": Retry(NoBackoff(), retries=0)},
    }
}
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 3,
    "socket_connect_timeout": 3,
    "visibility_timeout": 3600,
}
# == worker liveness and broker outages (notifications/worker.py, /healthz) ==
# Keep reconnecting to the broker however long it is away (Celery's default
# gives up after 100 attempts and the worker exits), and find a silently dead
# broker socket: TCP keepalive, and a PING on an idle connection.
# The Redis transport with the fix for the worker that shut down after a
# Redis restart (config/broker.py explains it).
CELERY_BROKER_TRANSPORT = "config.broker:Transport"
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_TRANSPORT_OPTIONS |= {"socket_keepalive": True, "health_check_interval": 10, "retry_on_timeout": True}
# A relay task that lost its broker connection keeps running to the end: it
# records each send as it goes, and killing it mid-send could send an email twice.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# Heartbeats: the worker's relay loop writes "worker" each round; beat sends
# a task every HEARTBEAT_EVERY_SECONDS that a worker runs to write "beat".
# /healthz says "down" for one not written within HEARTBEAT_STALE_SECONDS.
HEARTBEAT_EVERY_SECONDS = envint("HEARTBEAT_EVERY_SECONDS", 30, minimum=1)
HEARTBEAT_STALE_SECONDS = envint("HEARTBEAT_STALE_SECONDS", 3 * HEARTBEAT_EVERY_SECONDS, minimum=1)
# == end of worker liveness ==
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {}

# Field work without a network (fieldwork/): entries recorded on a phone are
# kept on it, encrypted, for this many days (a warning comes a day before),
# and the server refuses older ones.
FIELD_ENTRY_DAYS = envint("FIELD_ENTRY_DAYS", 7, minimum=1, maximum=30)

# API tokens (accounts/tokens.py) are stored hashed and expire after this many days.
API_TOKEN_DAYS = envint("API_TOKEN_DAYS", 90, minimum=1, maximum=3650)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.tokens.HashedTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "accounts.api_schema.ScopedAutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.api.JSONParser"],
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"user": "600/hour"},
}
SPECTACULAR_SETTINGS = {
    "ENUM_NAME_OVERRIDES": {"LanguageEnum": "accounts.models.Language"},
    "TITLE": "Perpetrator programme casework API",
    # The language rule is core/api_language.py's; each operation's Accept-Language
    # parameter comes from accounts/api_schema.py.
    "DESCRIPTION": (
        "For partner systems. A token acts as the member it was issued to, with exactly what that member may "
        "see and do on the web pages; an organisation's administrator issues and revokes tokens (API tokens "
        "page). Send it as `Authorization: Token <token>`. Answers carry identity, status, dates and figures "
        "only: never survivor data or session notes. Which token may call what (the table below, and each "
        "operation's `x-token-roles`) is read off the checks the endpoints ask.\n\n"
        "**Language.** Error messages and labels follow the `Accept-Language` header (one of "
        + ", ".join(f"`{code}`" for code, _name in LANGUAGES)
        + "; a weighted list is understood), and are in English when the header is absent or names none of "
        "these; the web pages' default (Russian), a language cookie and the user's profile language do not "
        "apply. The answer's `Content-Language` says which language it is in."
    ),
    # The default hook, then the table of who may call what.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "accounts.api_schema.document_token_roles",
    ],
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # /api/docs/ (accounts/schema.py): Swagger UI from drf-spectacular-sidecar,
    # never a CDN; no call to Swagger's public validator; an API token typed
    # into "Authorize" is forgotten with the tab, never kept in localStorage.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None, "persistAuthorization": False},
}

# Error reports never carry what a user typed.
DEFAULT_EXCEPTION_REPORTER_FILTER = "core.reporting.NoPersonalDataExceptionReporterFilter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        # Request logs name the path only; paths never carry personal data.
        "django.request": {"level": "ERROR"},
        "django.db.backends": {"level": "WARNING"},
    },
}

EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "casework@localhost")

# == notifications: safety notices, their delivery and escalation ==
# A notice not acknowledged within NOTIFY_ACK_HOURS escalates to the
# organisation's managers, after twice that to the provider's programme managers.
NOTIFY_ACK_HOURS = envint("NOTIFY_ACK_HOURS", 24)
# Acknowledgement deadlines by urgency (notifications/urgency.py): urgent
# notices (new violence, risk raised to high, expulsion for violence) and
# those that ask for action (dropout, non-compliance, order expiring).
# Information (a completion) has no deadline and never escalates.
NOTIFY_ACK_HOURS_URGENT = envint("NOTIFY_ACK_HOURS_URGENT", 2, minimum=1, maximum=72)
NOTIFY_ACK_HOURS_ACTION = envint("NOTIFY_ACK_HOURS_ACTION", NOTIFY_ACK_HOURS, minimum=1, maximum=24 * 14)
# Scheduling (programmes/scheduling.py): a participant is told of a session
# at least this many hours ahead; an absence from a session planned at
# shorter notice (or after its own start) counts towards the dropout rule
# and non-compliance only when the practitioner confirms it. Individual
# sessions start on the hour between the day's first and last hour (local).
PROGRAMME_MIN_NOTICE_HOURS = envint("PROGRAMME_MIN_NOTICE_HOURS", 24, minimum=0, maximum=24 * 14)
PROGRAMME_DAY_FIRST_HOUR = envint("PROGRAMME_DAY_FIRST_HOUR", 9, minimum=0, maximum=23)
PROGRAMME_DAY_LAST_HOUR = envint("PROGRAMME_DAY_LAST_HOUR", 17, minimum=0, maximum=23)
# The police and the provider are warned this many days before a protection
# order expires while the programme is unfinished.
NOTIFY_ORDER_EXPIRY_DAYS = envint("NOTIFY_ORDER_EXPIRY_DAYS", 5)
# Email/SMS: attempts before a delivery is "failed — call them", and the backoff.
NOTIFY_MAX_ATTEMPTS = envint("NOTIFY_MAX_ATTEMPTS", 8)
NOTIFY_RETRY_BASE_SECONDS = envint("NOTIFY_RETRY_BASE_SECONDS", 30)
NOTIFY_RETRY_MAX_SECONDS = envint("NOTIFY_RETRY_MAX_SECONDS", 3600)
# A delivery left "sending" this long (its worker died) is claimed again.
NOTIFY_SENDING_LEASE_SECONDS = envint("NOTIFY_SENDING_LEASE_SECONDS", 120)
NOTIFY_RELAY_EVERY_SECONDS = envint("NOTIFY_RELAY_EVERY_SECONDS", 5)
# The worker also relays from the database in a thread of its own, so that
# a broker outage never holds deliveries up (notifications/worker.py).
NOTIFY_RELAY_IN_WORKER = envbool("NOTIFY_RELAY_IN_WORKER", True)
# The nudge after an event waits at most this long for Redis (seconds).
NOTIFY_NUDGE_TIMEOUT = float(envint("NOTIFY_NUDGE_TIMEOUT_MS", 500)) / 1000
# How often an open page asks for new notices (the nav badge, the inbox).
NOTIFY_POLL_SECONDS = envint("NOTIFY_POLL_SECONDS", 30)
# Optional: the site's address, added to emails and SMS as a sign-in link.
NOTIFY_SITE_URL = envstr("NOTIFY_SITE_URL", "")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
# Webhooks to partner systems (notifications.webhooks): an http:// address and
# an address that resolves to a private, loopback or link-local network are
# refused unless these allow them (development and tests; never production).
WEBHOOK_ALLOW_HTTP = envbool("WEBHOOK_ALLOW_HTTP", DEBUG)
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = envbool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", DEBUG)
# Seconds to connect and then to answer; a slow partner is retried later.
WEBHOOK_TIMEOUT_SECONDS = envint("WEBHOOK_TIMEOUT_SECONDS", 5, minimum=1, maximum=15)
SMS_BACKEND = envstr("SMS_BACKEND", "notifications.sms.ConsoleBackend")
SMS_FILE_PATH = envstr("SMS_FILE_PATH", str(BASE_DIR / ".devdata" / "sms.jsonl"))
SMS_HTTP_URL = envstr("SMS_HTTP_URL", "")
SMS_HTTP_TOKEN = envsecret("SMS_HTTP_TOKEN", "")
SMS_HTTP_TIMEOUT = envint("SMS_HTTP_TIMEOUT", 10)

# Telegram alerts through the project's bot (see notifications.channels.telegram).
TELEGRAM_BACKEND = envstr("TELEGRAM_BACKEND", "notifications.channels.telegram.ConsoleBackend")
TELEGRAM_FILE_PATH = envstr("TELEGRAM_FILE_PATH", str(BASE_DIR / ".devdata" / "telegram.jsonl"))
TELEGRAM_API_URL = envstr("TELEGRAM_API_URL", "https://api.telegram.org")
TELEGRAM_BOT_TOKEN = envsecret("TELEGRAM_BOT_TOKEN", "")
TELEGRAM_BOT_USERNAME = envstr("TELEGRAM_BOT_USERNAME", "")
TELEGRAM_HTTP_TIMEOUT = envint("TELEGRAM_HTTP_TIMEOUT", 10)
# How often the worker asks the bot for "/start <code>" messages (0: never).
TELEGRAM_POLL_SECONDS = envint("TELEGRAM_POLL_SECONDS", 30)
# One-time codes: linking Telegram and confirming a channel.
ALERT_CODE_MINUTES = envint("ALERT_CODE_MINUTES", 15, minimum=1, maximum=60)
ALERT_CODE_MAX_TRIES = envint("ALERT_CODE_MAX_TRIES", 5, minimum=1, maximum=20)
if TELEGRAM_POLL_SECONDS > 0:
    CELERY_BEAT_SCHEDULE["notifications-telegram-links"] = {
        "task": "notifications.telegram_link_poll",
        "schedule": float(TELEGRAM_POLL_SECONDS),
        "options": {"expires": max(TELEGRAM_POLL_SECONDS * 2, 30)},
    }
CELERY_BEAT_SCHEDULE.update(
    {
        "heartbeat": {
            "task": "notifications.heartbeat",
            "schedule": float(HEARTBEAT_EVERY_SECONDS),
            "options": {"expires": HEARTBEAT_EVERY_SECONDS},
        },
        "notifications-relay": {
            "task": "notifications.relay_deliveries",
            "schedule": float(NOTIFY_RELAY_EVERY_SECONDS),
            "options": {"expires": 60},
        },
        "notifications-escalate": {
            "task": "notifications.escalate_overdue",
            "schedule": 60.0,
            "options": {"expires": 120},
        },
        # Daily would do; hourly costs nothing (one event per order and
        # expiry date) and a missed run does not cost a day of warning.
        "notifications-order-expiry": {
            "task": "notifications.order_expiry_sweep",
            "schedule": 3600.0,
            "options": {"expires": 3000},
        },
        # Dropout is detected when the absence is logged; this catches any
        # absence that reached the rule another way.
        "notifications-dropout": {
            "task": "notifications.dropout_sweep",
            "schedule": 900.0,
            "options": {"expires": 800},
        },
    }
)
# == end notifications ==

# == reminders: Celery beat, see notifications/reminders.py and README ==
# A participant's SMS the day before each session, sent between these local
# hours (settings.TIME_ZONE); off altogether with REMIND_PARTICIPANT_SMS=false.
REMIND_PARTICIPANT_SMS = envbool("REMIND_PARTICIPANT_SMS", True)
REMIND_PARTICIPANT_FROM_HOUR = envint("REMIND_PARTICIPANT_FROM_HOUR", 9, minimum=0, maximum=23)
REMIND_PARTICIPANT_UNTIL_HOUR = envint("REMIND_PARTICIPANT_UNTIL_HOUR", 20, minimum=1, maximum=24)
if REMIND_PARTICIPANT_FROM_HOUR >= REMIND_PARTICIPANT_UNTIL_HOUR:
    raise ImproperlyConfigured("REMIND_PARTICIPANT_FROM_HOUR must be before REMIND_PARTICIPANT_UNTIL_HOUR.")
# Whether the SMS starts with the provider's name (turn off for a provider
# whose name says what it does).
REMIND_PARTICIPANT_SMS_WITH_PROVIDER = envbool("REMIND_PARTICIPANT_SMS_WITH_PROVIDER", True)
# Facilitators are reminded of a session with no attendance logged this many
# hours after it ended; sessions that became due longer ago than the look-back
# are left alone (the first run on old data does not send a flood).
REMIND_UNLOGGED_AFTER_HOURS = envint("REMIND_UNLOGGED_AFTER_HOURS", 24, minimum=1, maximum=24 * 14)
REMIND_UNLOGGED_LOOKBACK_DAYS = envint("REMIND_UNLOGGED_LOOKBACK_DAYS", 14, minimum=1, maximum=365)
# Days after the latest risk assessment, by its level, when the next is due.
REMIND_RISK_DAYS_SEVERE = envint("REMIND_RISK_DAYS_SEVERE", 14, minimum=1, maximum=365)
REMIND_RISK_DAYS_HIGH = envint("REMIND_RISK_DAYS_HIGH", 30, minimum=1, maximum=365)
REMIND_RISK_DAYS_MEDIUM = envint("REMIND_RISK_DAYS_MEDIUM", 60, minimum=1, maximum=365)
REMIND_RISK_DAYS_LOW = envint("REMIND_RISK_DAYS_LOW", 90, minimum=1, maximum=365)
# A monitoring body is reminded of its meeting after the programme this many
# days before it is due (and of an overdue one), once per meeting.
REMIND_MONITORING_DAYS_BEFORE = envint("REMIND_MONITORING_DAYS_BEFORE", 7, minimum=0, maximum=60)
# Every rule is idempotent (one reminder per thing and due date), so hourly
# costs little and a missed run costs an hour, not a day.
CELERY_BEAT_SCHEDULE.update(
    {
        f"notifications-reminders-{rule}": {
            "task": "notifications.reminder_sweep",
            "schedule": 3600.0,
            "args": [rule],
            "options": {"expires": 3000},
        }
        for rule in (
            "session_tomorrow",
            "unlogged_session",
            "risk_reassessment",
            "safety_plan_review",
            "follow_up",
            "monitoring_meeting",
        )
    }
)
# == end reminders ==
