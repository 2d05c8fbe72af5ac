"""python manage.py issue_enrolment USERNAME [--reset]

Print a single-use code with which USERNAME can set up an authenticator app
(after signing in with the password). The operator's terminal is the channel:
hand the code over in person or by phone. This is how the first
administrator, made with createsuperuser, gets in. ``--reset`` removes the
user's current authenticator first (a lost phone). Audited; the user is told
by email.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts import services


class Command(BaseCommand):
    help = "Print a single-use enrolment code for a user's authenticator app (--reset removes the current one)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reset", action="store_true", help="Remove the user's current authenticator first.")

    def handle(self, *args, username: str, reset: bool = False, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive.")
        if services.has_confirmed_device(user) and not reset:
            raise CommandError(f"User {username!r} already has an authenticator; use --reset to replace it.")
        code = services.enrolment_code_issue(user=user, actor=None, reset=reset)
        self.stdout.write(code)
        self.stderr.write(
            f"(single use, valid {settings.ENROLMENT_CODE_HOURS} hours: {username} signs in with the password, "
            "then enters it on the set-up page)"
        )
