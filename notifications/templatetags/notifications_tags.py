"""The inbox link's badge in the navigation: open notices, and whether any
is overdue (one query per page); and the banner of urgent notices the user
may acknowledge, on every page until they are (one query)."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.db.models import prefetch_related_objects

from notifications.selectors import banner_notices, open_counts

register = template.Library()


@register.inclusion_tag("notifications/partials/nav_badge.html", takes_context=True)
def notice_badge(context):
    request = context.get("request")
    scope = getattr(request, "scope", None)
    count, overdue = open_counts(scope) if scope is not None and scope.organisation is not None else (0, 0)
    return {"open_count": count, "overdue_count": overdue, "poll_seconds": max(1, int(settings.NOTIFY_POLL_SECONDS))}


@register.simple_tag(takes_context=True)
def reach_status(context):
    """Will the signed-in user be alerted away from the screen, and for what."""
    from notifications.alerts import reach_of, reach_sentences

    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return {"lines": [], "off": False}
    # Both read her channels: once, not once each.
    prefetch_related_objects([user], "alert_channels")
    return {"lines": reach_sentences(user), "off": not any(reach_of(user).values())}


@register.inclusion_tag("notifications/partials/urgent_banner.html", takes_context=True)
def urgent_banner(context):
    request = context.get("request")
    scope = getattr(request, "scope", None)
    notices, count = banner_notices(scope) if scope is not None and scope.organisation is not None else ([], 0)
    return {"urgent_notices": notices, "urgent_count": count, "scope": scope, "may": context.get("may")}
