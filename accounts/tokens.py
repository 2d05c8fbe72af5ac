"""API tokens stored hashed, with an expiry and a name.

The token is 43 random URL-safe characters (256 bits), so a plain SHA-256
is enough to store it: it cannot be guessed from the digest. It is shown
once, when made: on the organisation administrator's token page
(``api_token_issue``) or by ``manage.py create_api_token``. Clients send it as
``Authorization: Token <token>``, as before.

Only a member who passes the ``api_user`` check holds one, and a token
gives no more than its holder's web pages do: every API view asks the same
``accounts.permissions.CHECKS``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts.models import ApiToken, User
from accounts.permissions import check, get_visible_or_404, require_org_admin
from accounts.scope import Scope

DEFAULT_NAME = "default"
# The longest validity an administrator may give a token on the web page.
MAX_DAYS = 365
NAME_MAX_LENGTH = 100
# The 401 of a token whose holder's role has no use for the API.
NO_API_USE = _(
    "The holder of this token has a role with no use for the API, so the token is refused. Ask your "
    "organisation's administrator which member's token your system should use."
)


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


@transaction.atomic
def api_token_issue(*, user: User, name: str, days: int, by: User) -> tuple[ApiToken, str]:
    """An organisation's administrator issues a token to one of its members
    and gets its clear text back, once. Refused (``ValidationError`` keyed
    ``user``, ``name``, ``days``) for a member whose role has no use for the
    API or who has no confirmed authenticator, a name already in use by one
    of the member's live tokens, or a validity outside 1..MAX_DAYS days."""
    holder = Scope.for_user(user)
    require_org_admin(holder.organisation_id, by)
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not check("api_user", holder):
        errors["user"] = [gettext("This member's role has no use for the API, so no token can be issued to them.")]
    elif not _has_authenticator(user):
        errors["user"] = [
            gettext(
                "This member has not set up two-factor sign-in yet. A token is issued only to a member with a "
                "confirmed authenticator app: give them an enrolment code first."
            )
        ]
    if not name:
        errors["name"] = [gettext("Give the token a name, for example the system that will use it.")]
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = [gettext("At most %(max)d characters.") % {"max": NAME_MAX_LENGTH}]
    elif ApiToken.objects.filter(user=user, name=name, revoked_at=None, expires_at__gt=timezone.now()).exists():
        errors["name"] = [
            gettext("This member already has a live token with this name: revoke it first, or choose another name.")
        ]
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        errors["days"] = [gettext("Enter a number of days from 1 to %(max)d.") % {"max": MAX_DAYS}]
    if errors:
        raise ValidationError(errors)
    row, token = api_token_create(user=user, name=name, days=days)
    row.issued_by = by
    row.save(update_fields=["issued_by"])
    return row, token


@transaction.atomic
def api_token_withdraw(*, token: ApiToken, by: User) -> ApiToken:
    """The organisation's administrator revokes one token of a member; the
    row stays, with who revoked it and when. Revoking a revoked token
    changes nothing."""
    require_org_admin(Scope.for_user(token.user).organisation_id, by)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = by
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token


def _has_authenticator(user: User) -> bool:
    from accounts.services import has_confirmed_device

    return has_confirmed_device(user)


def api_token_revoke(*, user: User, name: str) -> int:
    return ApiToken.objects.filter(user=user, name=name, revoked_at=None).update(revoked_at=timezone.now())


def api_tokens_revoke_all(*, user: User) -> int:
    """Revoke every live token of ``user``: her second factor was reset, so
    whoever holds a token made under the old one must not keep using it."""
    return ApiToken.objects.filter(user=user, revoked_at=None).update(revoked_at=timezone.now())


def live_tokens(user: User):
    return ApiToken.objects.filter(user=user, revoked_at=None, expires_at__gt=timezone.now()).order_by("name")


# -- the organisation administrator's token page -----------------------------


def api_tokens_visible_to(scope: Scope) -> QuerySet[ApiToken]:
    """Every token (live, expired or revoked) of the members of the
    administrator's organisation; nothing for anyone else."""
    if not (scope.is_org_admin and scope.organisation is not None):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user__membership__organisation=scope.organisation).select_related(
        "user", "issued_by", "revoked_by"
    )


def get_api_token_for_user(scope: Scope, pk: int) -> ApiToken:
    return get_visible_or_404(api_tokens_visible_to(scope), pk=pk)


def token_holders(scope: Scope) -> list[User]:
    """The members of the administrator's organisation who may hold a token
    (the ``api_user`` check), by username."""
    if not (scope.is_org_admin and scope.organisation is not None):
        return []
    members = User.objects.filter(membership__organisation=scope.organisation, is_active=True).select_related(
        "membership__organisation"
    )
    return [user for user in members.order_by("username") if check("api_user", Scope.for_user(user))]


class HashedTokenAuthentication(TokenAuthentication):
    """DRF's ``Token`` header, checked against the stored digests.

    A token whose holder no longer passes ``api_user`` (moved to a role with
    no use for the API, or to an organisation whose kind has none; a token
    made by a script for such a member) is refused here, a 401, like a
    revoked one: the holder may not use the API at all, whatever the view."""

    def authenticate_credentials(self, key):
        row = (
            ApiToken.objects.select_related("user__membership__organisation")
            .filter(digest=digest(key), revoked_at=None, expires_at__gt=timezone.now())
            .first()
        )
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not row.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if not check("api_user", Scope.for_user(row.user)):
            raise exceptions.AuthenticationFailed(NO_API_USE)
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at > dt.timedelta(minutes=5):
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        return row.user, row
