import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.management.options import organisation_named
from casework.instruments import risk_instrument_load


class Command(BaseCommand):
    help = (
        "Load a risk instrument (items, weights, thresholds) from a JSON file. "
        "Use --organisation for a licensed instrument only that organisation may use."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--organisation", help="name of the organisation that holds the licence")

    def handle(self, *args, file, organisation=None, **options):
        try:
            with open(file, encoding="utf-8") as fh:
                data = json.load(fh)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        except json.JSONDecodeError as exc:
            raise CommandError(f"{file} is not valid JSON (line {exc.lineno}: {exc.msg}).") from exc
        org = organisation_named(organisation)
        try:
            instrument, created = risk_instrument_load(data=data, organisation=org)
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from exc
        verb = "Loaded" if created else "Replaced"
        self.stdout.write(
            f"{verb} {instrument.code}: {instrument.items.count()} items, {instrument.thresholds.count()} thresholds."
        )
