from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.management.options import organisation_named
from outcomes import instrument_file


class Command(BaseCommand):
    help = (
        "Load a questionnaire from a file in the format casework-instrument/1 (YAML or JSON; see "
        "outcomes/instrument_format/README.md). The whole file is checked first: if anything is wrong, "
        "nothing is loaded and every problem is listed with its place in the file. Without "
        "--organisation the questionnaire is offered to every organisation."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--organisation", help="name of the only organisation that is offered it")

    def handle(self, *args, file, organisation=None, **options):
        org = organisation_named(organisation)
        try:
            with open(file, "rb") as fh:
                raw = fh.read(instrument_file.MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        try:
            data = instrument_file.parse(raw, filename=file)
            instrument = instrument_file.instrument_load(data=data, organisation=org)
        except ValidationError as exc:
            raise CommandError("Nothing was loaded.\n" + "\n".join(exc.messages)) from exc
        self.stdout.write(
            f"Loaded {instrument.code} version {instrument.version}: "
            f"{instrument.scales.count()} scales, {instrument.items.count()} items."
        )
