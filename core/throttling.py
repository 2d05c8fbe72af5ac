"""The API's rate limit, counted in the shared cache (Redis).

DRF's ``UserRateThrottle`` keeps each token's request history in Django's
default cache. That cache is Redis (``CACHES`` in config/settings/base.py), so
every gunicorn worker and every host counts against the same limit; with
per-process memory each worker would allow the whole rate on its own.

When Redis cannot be reached the request goes through, with a warning in the
log: refusing police referrals because the counter is away would cost more
than an hour without a rate limit, and /healthz already reports the broker
down. The warning names the exception's class only, never the request.
"""

from __future__ import annotations

import logging

from redis import RedisError
from rest_framework.throttling import UserRateThrottle

logger = logging.getLogger(__name__)


class SharedUserRateThrottle(UserRateThrottle):
    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError) as exc:
            logger.warning("API rate limit not applied: the cache is unreachable (%s).", type(exc).__name__)
            return True
