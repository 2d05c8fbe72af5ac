"""Lockout by rate, on top of django-axes.

django-axes counts failures per username from one address
(AXES_LOCKOUT_PARAMETERS) against AXES_FAILURE_LIMIT. It compares every
parameter with the same limit, so this handler adds two wider counts with
their own limits, over the same cool-off window:

- all failures from one address, whatever usernames it tried
  (AXES_ADDRESS_FAILURE_LIMIT): one address cannot try many usernames;
- all failures for one username, from whatever addresses
  (AXES_USERNAME_FAILURE_LIMIT): many addresses cannot share the tries on
  one account.

A client over any limit is locked out with the same response as before, so
the message says nothing about which count was reached.
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def _sum(**filters) -> int:
    return AccessAttempt.objects.filter(**filters).aggregate(n=Sum("failures_since_start"))["n"] or 0


class RateLockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)
        limit = get_failure_limit(request, credentials)
        if failures >= limit:
            return failures
        window = {}
        if settings.AXES_COOLOFF_TIME is not None:
            window["attempt_time__gte"] = get_cool_off_threshold(request)
        ip_address = getattr(request, "axes_ip_address", None)
        if ip_address and _sum(ip_address=ip_address, **window) >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            return limit
        username = get_client_username(request, credentials)
        if username and _sum(username=username, **window) >= settings.AXES_USERNAME_FAILURE_LIMIT:
            return limit
        return failures
