from django.core.management.base import BaseCommand, CommandError

from expositions.content_checks import check_data_file, check_database


class Command(BaseCommand):
    help = (
        "Check study content against the editorial rules in "
        "expositions/data/content_rules.json (see docs/editorial.md): every unit in the "
        "database, or the units of a data file with --file. Fails when anything is found."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", help="Check this data file (as load_exposition reads it), not the database."
        )

    def handle(self, *args, **options):
        found = check_data_file(options["file"]) if options["file"] else check_database()
        for finding in found:
            self.stdout.write(str(finding))
        if found:
            raise CommandError(f"{len(found)} finding(s) in the study content.")
        self.stdout.write("No findings: the study content follows the editorial rules.")
