import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from training.jobs import periodic


class Command(BaseCommand):
    help = (
        "Enqueue the periodic tasks that are due (training/jobs/periodic.py) as each "
        "slot begins, until stopped, or once with --once (for cron). Any "
        "number may run at once: each slot of each task is enqueued once. "
        "`manage.py run_worker` does the same beside its worker."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="enqueue what is due, then exit")

    def handle(self, *args, once=False, **options):
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        while True:
            for name in periodic.enqueue_due():
                self.stdout.write(f"enqueued {name}")
            close_old_connections()
            if once:
                return
            wake = time.monotonic() + periodic.seconds_to_next()
            while time.monotonic() < wake:
                if stopping:
                    return
                time.sleep(0.1)
