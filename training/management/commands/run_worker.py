import logging
import os
import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV

from training.jobs import periodic

logger = logging.getLogger(__name__)


def _scheduler(stop):
    """Beside the worker: enqueue the periodic tasks that are due, as each slot begins."""
    while not stop.wait(periodic.seconds_to_next()):
        try:
            periodic.enqueue_due()
        except Exception:  # the database was away: the next tick tries again
            logger.exception("periodic tasks not enqueued")
        finally:
            connections.close_all()  # this thread's own connection


class Command(BaseCommand):
    help = (
        "Run background tasks: django_tasks_db's worker (`manage.py db_worker`), with "
        "the periodic tasks enqueued beside it (training/jobs/periodic.py; "
        "--no-periodic leaves them to `manage.py run_periodic` or cron). Run as many as "
        "you like, on as many machines, on one database: each task runs once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-periodic", action="store_true")
        parser.add_argument("--worker-id", help="unique across the workers (default: random)")
        parser.add_argument(
            "--reload", action="store_true", help="restart on code changes (development)"
        )
        parser.add_argument("--batch", action="store_true", help="run what waits, then exit")

    def handle(self, *args, no_periodic=False, worker_id=None, reload=False, batch=False, **o):
        stop = threading.Event()
        # With --reload the command runs twice: a watcher, and the worker it restarts.
        watcher = reload and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        if not (no_periodic or batch or watcher):
            periodic.enqueue_due()
            threading.Thread(target=_scheduler, args=(stop,), daemon=True).start()
        options = {"reload": reload, "batch": batch, "verbosity": o["verbosity"]}
        if worker_id:
            options["worker_id"] = worker_id
        try:
            call_command("db_worker", **options)
        finally:
            stop.set()
