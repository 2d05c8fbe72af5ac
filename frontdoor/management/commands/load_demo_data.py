"""python manage.py load_demo_data: demo organisations, users, cases and programme work (see README.md)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from accounts.models import Organisation, User
from casework.models import Case
from frontdoor import demo
from programmes.models import Enrolment, Group
from referrals.models import Referral


class Command(BaseCommand):
    help = "Load demo organisations, users (one per role), referrals and programme work. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even when DEBUG is off. The demo password and TOTP secret are public: never on real data.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off: refusing to create demo users with a public password. Use --force on a test system."
            )
        result = demo.load_demo_data()
        out = self.stdout
        out.write(
            f"Demo data: {result.organisations_created} organisations, {result.users_created} users, "
            f"{len(result.referrals_created)} referrals, {result.groups_created} groups, "
            f"{result.enrolments_created} enrolments, {result.sessions_logged} sessions logged, "
            f"{result.questionnaires_created} questionnaires created."
        )
        statuses = dict(Referral.objects.values_list("status").annotate(n=Count("id")).order_by())
        out.write(
            f"In the database: {Organisation.objects.count()} organisations, {User.objects.count()} users, "
            f"{Referral.objects.count()} referrals ({', '.join(f'{k} {v}' for k, v in sorted(statuses.items()))}), "
            f"{Case.objects.count()} cases, {Group.objects.count()} groups, {Enrolment.objects.count()} enrolments."
        )
        out.write(
            f"Users: {', '.join(demo.USERS)}. Password: {demo.DEMO_PASSWORD}. "
            f"TOTP secret (base32): {demo.DEMO_TOTP_SECRET}, or run: python manage.py demo_totp"
        )
