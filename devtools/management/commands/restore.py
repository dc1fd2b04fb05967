from django.core.management.base import BaseCommand, CommandError

from devtools.backup import restore


class Command(BaseCommand):
    help = (
        "Replace the whole database with the backup at PATH (made by `manage.py backup`), "
        "in one transaction. Everything written since the backup is lost."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--database", default="default")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, path, database, yes, **options):
        if not yes:
            answer = input(f"Replace everything in the '{database}' database with {path}? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                raise CommandError("Restore cancelled; nothing changed.")
        restore(path, using=database)
        self.stdout.write(f"Restored from {path}.")
