"""What the programme reads share: local day boundaries, counts, roles."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Membership, Organisation
from programmes.models import Enrolment


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of ``day`` in the site's time zone (settings.TIME_ZONE)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(0, 0)), timezone.get_default_timezone())


# --- Groups --------------------------------------------------------------------


def _active_count() -> Count:
    return Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ACTIVE), distinct=True)


def has_role(user, provider: Organisation, role: str) -> bool:
    return (
        user is not None
        and user.is_active
        and Membership.objects.filter(user=user, organisation=provider, role=role).exists()
    )
