"""python manage.py demo_totp [USERNAME]: the current code of the public demo TOTP secret."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import device_key_hex
from frontdoor.demo import DEMO_TOTP_KEY_HEX, DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the current 6-digit code of the demo TOTP secret (development only)."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", help="a demo user; refused unless the user has the demo secret")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("demo_totp works only with DEBUG on (development).")
        username = options.get("username")
        device = None
        if username:
            device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
            if device is None or device_key_hex(device) != DEMO_TOTP_KEY_HEX:
                raise CommandError(f"{username} is not a demo user with the demo TOTP secret ({DEMO_TOTP_SECRET}).")
        step, t0, digits, drift = (device.step, device.t0, device.digits, device.drift) if device else (30, 0, 6, 0)
        totp = TOTP(bytes.fromhex(DEMO_TOTP_KEY_HEX), step, t0, digits, drift)
        totp.time = time.time()
        remaining = step - int(totp.time - t0) % step
        self.stdout.write(f"{totp.token():0{digits}d}")
        self.stderr.write(f"(valid for another {remaining} s; secret {DEMO_TOTP_SECRET})")
