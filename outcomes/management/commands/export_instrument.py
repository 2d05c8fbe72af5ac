from django.core.management.base import BaseCommand, CommandError

from outcomes import instrument_file
from outcomes.models import Instrument


class Command(BaseCommand):
    help = (
        "Write a questionnaire's structure in the format casework-instrument/1 (YAML, or JSON with --json) "
        "to standard output: answer categories, scales, scoring rules and items. Item wording is never "
        "written (licensed wording stays with the licence holder)."
    )

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("--instrument-version", dest="instrument_version", type=int, help="default: the latest")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, code, instrument_version=None, json=False, **options):
        found = Instrument.objects.filter(code=code)
        if instrument_version is not None:
            found = found.filter(version=instrument_version)
        instrument = found.order_by("-version").first()
        if instrument is None:
            raise CommandError(
                f"No questionnaire {code!r}" + (f" version {instrument_version}." if instrument_version else ".")
            )
        self.stdout.write(instrument_file.dump(instrument_file.instrument_export(instrument), as_json=json), ending="")
