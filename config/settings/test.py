"""Tests: the same code paths as production, with fast hashing and no real mail."""

import os
import uuid

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "dGVzdC1vbmx5LWtleS1kby1ub3QtdXNlLTMyYnl0ZXM=")
os.environ.setdefault("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/casework")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

from .base import *  # noqa: E402,F403

DEBUG = False
# The test runner's flush may TRUNCATE the append-only read log (the trigger
# lets the table owner do so with this flag; the application role has no
# TRUNCATE at all). Set at connection start, as a non-superuser owner may not
# ALTER DATABASE SET a custom parameter.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c casework.audit_maintenance=on"  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_TASK_ALWAYS_EAGER = False
# The same Redis cache as production, under a prefix of this run and process:
# rate-limit counts of one run (or xdist worker) never reach another, whose
# users may have the same ids.
CACHES["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex[:12]}"  # noqa: F405
AXES_ENABLED = True
LANGUAGE_CODE = "en"
# Webhook tests post to a server on the loopback address.
WEBHOOK_ALLOW_HTTP = True
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True

# Static files are served by the finders in tests; no collectstatic output.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
