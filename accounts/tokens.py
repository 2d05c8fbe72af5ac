"""API tokens stored hashed, with an expiry and a name.

The token is 43 random URL-safe characters (256 bits), so a plain SHA-256
is enough to store it: it cannot be guessed from the digest. It is shown
once, when made (``manage.py create_api_token``). Clients send it as
``Authorization: Token <token>``, as before.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts.models import ApiToken, User

DEFAULT_NAME = "default"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenRefused(Exception):
    pass


@transaction.atomic
def api_token_create(*, user: User, name: str = DEFAULT_NAME, days: int | None = None) -> tuple[ApiToken, str]:
    """Make a token for ``user`` and return it with its clear text (the only
    time it exists). A live token of the same name is revoked. Refused for a
    user without a confirmed authenticator."""
    from accounts.services import has_confirmed_device

    if not has_confirmed_device(user):
        raise TokenRefused("no confirmed authenticator")
    now = timezone.now()
    ApiToken.objects.filter(user=user, name=name, revoked_at=None).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    row = ApiToken.objects.create(
        user=user,
        name=name,
        digest=digest(token),
        expires_at=now + dt.timedelta(days=days if days is not None else settings.API_TOKEN_DAYS),
    )
    return row, token


def api_token_revoke(*, user: User, name: str) -> int:
    return ApiToken.objects.filter(user=user, name=name, revoked_at=None).update(revoked_at=timezone.now())


def api_tokens_revoke_all(*, user: User) -> int:
    """Revoke every live token of ``user``: her second factor was reset, so
    whoever holds a token made under the old one must not keep using it."""
    return ApiToken.objects.filter(user=user, revoked_at=None).update(revoked_at=timezone.now())


def live_tokens(user: User):
    return ApiToken.objects.filter(user=user, revoked_at=None, expires_at__gt=timezone.now()).order_by("name")


class HashedTokenAuthentication(TokenAuthentication):
    """DRF's ``Token`` header, checked against the stored digests."""

    def authenticate_credentials(self, key):
        row = (
            ApiToken.objects.select_related("user")
            .filter(digest=digest(key), revoked_at=None, expires_at__gt=timezone.now())
            .first()
        )
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not row.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at > dt.timedelta(minutes=5):
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        return row.user, row
