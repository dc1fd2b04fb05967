from django.core.management.base import BaseCommand

from devtools.backup import backup


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the whole database to PATH "
        "(pg_dump custom format on PostgreSQL, a SQLite file on SQLite)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--database", default="default")

    def handle(self, *args, path, database, **options):
        written = backup(path, using=database)
        self.stdout.write(f"Backup written to {written} ({written.stat().st_size:,} bytes).")
