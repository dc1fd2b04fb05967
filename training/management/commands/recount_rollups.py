from django.core.management.base import BaseCommand

from training import rollup_snapshots


class Command(BaseCommand):
    help = (
        "Recount the stored roll-ups of the big org units once (training/rollup_snapshots.py): "
        "what the periodic task progress.recount_rollups does every "
        "PROGRESS_SNAPSHOT_SECONDS."
    )

    def handle(self, *args, **options):
        done = rollup_snapshots.recount()
        self.stdout.write(
            f"Recounted {done['rollups']} stored roll-ups (module, org unit) "
            f"in {done['seconds']:.1f} s."
        )
