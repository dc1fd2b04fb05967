from django.core.management.base import BaseCommand

from expositions.models import StudyUnit


class Command(BaseCommand):
    help = "Recompute the search columns of every study unit (safe to run at any time)."

    def handle(self, *args, **options):
        count = StudyUnit.objects.all().reindex_search()
        self.stdout.write(f"Search index rebuilt for {count} study units.")
