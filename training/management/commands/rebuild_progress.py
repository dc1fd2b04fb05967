import time

from django.core.management.base import BaseCommand

from training import progress_store
from training.models import Progress


class Command(BaseCommand):
    help = (
        "Recompute the pre-computed progress (done per module and cadre) from the "
        "completions, in one transaction. Needed only after writing completions around "
        "the ORM (bulk loads); the portal keeps it current otherwise."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        progress_store.rebuild()
        self.stdout.write(
            f"{Progress.objects.count():,} progress rows in {time.perf_counter() - started:.1f} s."
        )
