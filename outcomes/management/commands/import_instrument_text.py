from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.management.options import organisation_named
from outcomes.services import item_texts_import


class Command(BaseCommand):
    help = (
        "Import the licensed wording of a questionnaire's items from a CSV file with the columns "
        "instrument, item, language, text (optionally version). Every row is checked first: if any row "
        "is bad, nothing is imported. Use --organisation when only the organisation holding the "
        "licence may show the wording."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--organisation", help="name of the organisation that holds the licence")

    def handle(self, *args, file, organisation=None, **options):
        org = organisation_named(organisation)
        try:
            with open(file, encoding="utf-8-sig", newline="") as fh:
                result = item_texts_import(lines=fh, organisation=org)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{file} is not UTF-8 text.") from exc
        except ValidationError as exc:
            raise CommandError("Nothing was imported.\n" + "\n".join(exc.messages)) from exc
        scope = f" for {org.name}" if org else " for every organisation"
        self.stdout.write(f"Imported wording{scope}: {result.created} new, {result.updated} changed.")
