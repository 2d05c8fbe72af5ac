"""Print the API token of a police officer, creating it if needed.

    python manage.py create_api_token USERNAME [--rotate]

Only the token goes to stdout, so the output can be piped into the police
information system's configuration. Only police officers get tokens: the API
refuses everyone else anyway.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token

from accounts.scope import Scope


class Command(BaseCommand):
    help = "Print a police officer's API token (created if missing; --rotate replaces it)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--rotate", action="store_true", help="Replace the existing token; the old one stops working at once."
        )

    @transaction.atomic
    def handle(self, *args, username: str, rotate: bool = False, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive; API tokens are only for active police officers.")
        if not Scope.for_user(user).is_police:
            raise CommandError(
                f"User {username!r} is not a police officer; API tokens are only for police officers "
                "(a police unit membership with the police officer role)."
            )
        if rotate:
            Token.objects.filter(user=user).delete()
        token, _created = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
