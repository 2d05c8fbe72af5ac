"""Production: every secret comes from the environment; nothing has a default.

DEBUG is never on here: its error pages list every URL pattern, the settings
and, on a 500, the local variables of a view (survivors' names among them).
A DEBUG=true left in a deployment's environment stops the start instead of
being quietly ignored, so nobody believes it is on.
"""

from django.core.exceptions import ImproperlyConfigured

from config.env import envbool, envint

from .base import *  # noqa: F403

if DEBUG:  # noqa: F405 - read from the environment by base.py
    raise ImproperlyConfigured("DEBUG must not be on with the production settings; unset DEBUG.")
DEBUG = False
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# Health checks from inside the deployment come over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# "__Host-" cookies are only accepted over HTTPS, for this exact host.
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
ACTIVITY_COOKIE_NAME = "__Host-activity"
# A partner's webhook is https and on the internet: never a plain-text
# address, never one inside the deployment's own networks (SSRF).
WEBHOOK_ALLOW_HTTP = False
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False

if not FIELD_ENCRYPTION_KEYS:  # noqa: F405
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set in production.")
