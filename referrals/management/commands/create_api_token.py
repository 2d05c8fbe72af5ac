"""Make an API token for a member whose role has a use for the API and print it, once.

    python manage.py create_api_token USERNAME [--name NAME] [--days N]
    python manage.py create_api_token USERNAME --list
    python manage.py create_api_token USERNAME --revoke NAME

Only the token goes to stdout, so the output can be piped into the police
information system's configuration. It is stored hashed and cannot be shown
again: a new token of the same name replaces (revokes) the old one. Tokens
expire after API_TOKEN_DAYS (90 by default). Only members who pass the
``api_user`` check (accounts.permissions) and have a confirmed authenticator
get tokens. An organisation's administrator does the same on the web page
(accounts:api_tokens).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.permissions import check
from accounts.scope import Scope
from accounts.tokens import DEFAULT_NAME, TokenRefused, api_token_create, api_token_revoke, live_tokens


class Command(BaseCommand):
    help = "Make and print a member's API token (shown once); --list and --revoke NAME manage them."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default=DEFAULT_NAME, help="the token's name (a new one replaces the old)")
        parser.add_argument("--days", type=int, default=None, help="days until it expires (default API_TOKEN_DAYS)")
        parser.add_argument("--rotate", action="store_true", help="kept for compatibility: every run makes a new one")
        parser.add_argument("--list", action="store_true", help="list the user's live tokens by name")
        parser.add_argument("--revoke", metavar="NAME", help="revoke the user's token of that name")

    def handle(self, *args, username: str, name: str, days: int | None, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if options["list"]:
            for token in live_tokens(user):
                self.stdout.write(
                    f"{token.name}\tcreated {token.created_at:%Y-%m-%d}\texpires {token.expires_at:%Y-%m-%d}"
                )
            return
        if options["revoke"]:
            if not api_token_revoke(user=user, name=options["revoke"]):
                raise CommandError(f"User {username!r} has no live token named {options['revoke']!r}.")
            self.stderr.write(f"Revoked {username}'s token {options['revoke']!r}.")
            return
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive; API tokens are only for active members.")
        if not check("api_user", Scope.for_user(user)):
            raise CommandError(
                f"User {username!r} has no role with a use for the API; API tokens are only for the referring "
                "bodies' officers, monitoring viewers, the social-development department's monitoring officers "
                "and a programme provider's staff."
            )
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1.")
        try:
            _row, token = api_token_create(user=user, name=name, days=days)
        except TokenRefused as exc:
            raise CommandError(
                f"User {username!r} has no confirmed authenticator; API tokens are only for users with one "
                "(issue an enrolment code first: manage.py issue_enrolment)."
            ) from exc
        self.stdout.write(token)
