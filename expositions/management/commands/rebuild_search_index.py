from django.core.management.base import BaseCommand

from expositions.search import reindex


class Command(BaseCommand):
    help = "Recompute the search columns of every study unit (safe to run at any time)."

    def handle(self, *args, **options):
        count = reindex()
        self.stdout.write(f"Search index rebuilt for {count} study units.")
