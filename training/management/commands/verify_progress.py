import time

from django.core.management.base import BaseCommand, CommandError

from training import progress_store
from training.jobs.models import Job


class Command(BaseCommand):
    help = (
        "Recount every stored total from its source rows: progress per module and cadre, "
        "weekly completions, the study units' search columns. Exits non-zero with the "
        "first differences; changes nothing (`manage.py rebuild_progress` and "
        "`manage.py rebuild_search_index` repair)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=20, help="Differences to show.")

    def handle(self, *args, limit, **options):
        started = time.perf_counter()
        pending = Job.objects.pending_recount()
        if pending:
            self.stdout.write(
                "Left out, waiting for their recount job: modules "
                + ", ".join(str(pk) for pk in sorted(pending))
            )
        differences = progress_store.verify(limit=limit, skip_modules=pending)
        seconds = time.perf_counter() - started
        if differences:
            raise CommandError(
                "Stored totals differ from a recount:\n  " + "\n  ".join(differences)
            )
        self.stdout.write(f"Every stored total equals its recount ({seconds:.1f} s).")
