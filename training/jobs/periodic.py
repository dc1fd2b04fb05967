"""Periodic tasks: which task is enqueued how often.

``enqueue_due`` enqueues each task of ``SCHEDULE`` once per slot of its interval (the
seconds since the epoch divided by the interval): the slot is a unique row
(``PeriodicRun``) written in the transaction that enqueues the task, so any number of
schedulers (one in each worker, on each machine, or cron) enqueue it once. Run by
``manage.py run_worker`` (a thread beside the worker, waking when a slot begins) and by
``manage.py run_periodic`` (a loop, or ``--once`` from cron).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import tasks
from .models import PeriodicRun

logger = logging.getLogger(__name__)

# The longest a scheduler sleeps; it wakes sooner when a slot begins (``seconds_to_next``),
# so a task starts within a second of its slot, not up to a tick late (a stored roll-up
# recounted every 45 s was up to 62 s old on the replica with a fixed 30-s tick:
# bench/RESULTS.md, "A million cadres").
TICK_SECONDS = 30

# name -> (task, interval). A task taking no arguments; its name stays the same once
# used (it keys the slots already enqueued).
SCHEDULE = {
    "jobs.housekeeping": (tasks.housekeeping, timedelta(minutes=10)),
    # The reminder digests: each run sends only the stages due and not sent yet.
    "reminders.send_due": (tasks.send_reminders, timedelta(hours=1)),
    # The stored roll-ups of the big org units (training.rollup_snapshots): the
    # progress page shows their age, at most this interval and a recount's time.
    "progress.recount_rollups": (
        tasks.recount_rollups,
        timedelta(seconds=settings.PROGRESS_SNAPSHOT_SECONDS),
    ),
}


def slot_of(moment, interval):
    return int(moment.timestamp() // interval.total_seconds())


def seconds_to_next(now=None, schedule=None):
    """Seconds until the next slot of any task of ``schedule`` (``SCHEDULE``) begins,
    and a little more (so that the clock has crossed it), at most ``TICK_SECONDS``."""
    moment = (now or timezone.now()).timestamp()
    intervals = [i.total_seconds() for _task, i in (schedule or SCHEDULE).values()]
    nearest = min(i - moment % i for i in intervals)
    return min(nearest + 0.05, TICK_SECONDS)


def enqueue_due(now=None, schedule=None):
    """Enqueue the tasks of ``schedule`` (``SCHEDULE``) whose slot at ``now`` has not
    been enqueued by anyone; the names of those this call enqueued."""
    now = now or timezone.now()
    enqueued = []
    for name, (task, interval) in (SCHEDULE if schedule is None else schedule).items():
        try:
            with transaction.atomic():
                run = PeriodicRun.objects.create(
                    name=name, slot=slot_of(now, interval), enqueued_at=now
                )
                run.task_id = str(task.enqueue().id)
                run.save(update_fields=["task_id"])
        except IntegrityError:  # another scheduler enqueued this slot
            continue
        enqueued.append(name)
        logger.info("enqueued periodic task %s", name)
    return enqueued
