import time

from django.core.management.base import BaseCommand, CommandError

from training import progress_verify, rollup_snapshots
from training.jobs.models import Job


class Command(BaseCommand):
    help = (
        "Recount every stored total from its source rows: progress per module and cadre, "
        "weekly completions, the study units' search columns; how old the stored roll-ups "
        "are. Exits non-zero with the first differences; changes nothing "
        "(`manage.py rebuild_progress` and `manage.py rebuild_search_index` repair)."
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
        differences = progress_verify.verify(limit=limit, skip_modules=pending)
        # Stored roll-ups are recounted by a periodic task: one left far behind means the
        # task stopped and the progress pages show old figures.
        stale = rollup_snapshots.stale()
        differences += [stale] if stale else []
        seconds = time.perf_counter() - started
        if differences:
            raise CommandError(
                "Stored totals differ from a recount:\n  " + "\n  ".join(differences)
            )
        self.stdout.write(f"Every stored total equals its recount ({seconds:.1f} s).")
