"""Starting, running, retrying and sweeping background jobs (training.models.Job).

A job is enqueued in the transaction that creates it (the database backend keeps the
task in the same database), so a worker never sees a task without its job, nor a job
whose task was lost. A job runs once per attempt: ``job_run`` takes it from QUEUED to
RUNNING under a row lock, and a second task for the same job finds it taken.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.core.management import call_command
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone, translation

from .. import progress_store
from ..models import Completion, Progress
from . import tasks, work
from .models import Job, PeriodicRun

logger = logging.getLogger(__name__)

# A running job reports progress at least this often (each certificate, each 1,000
# rows); one silent for longer lost its worker.
STALLED_AFTER = timedelta(minutes=15)
# Finished jobs (their files deleted long before) are forgotten after this.
JOBS_KEPT = timedelta(days=30)
PROGRESS_EVERY_SECONDS = 0.5
# A recount of more completions than this (about 10 µs each) runs as a job.
RECOUNT_IN_REQUEST = 20_000


def request_parameters(request):
    """What a job asked for on a page needs of the request: its language, and the
    address certificates print under their QR code when DJANGO_BASE_URL is unset."""
    return {
        "language": translation.get_language(),
        "base_url": request.build_absolute_uri("/").rstrip("/"),
    }


def job_start(*, kind, requested_by, parameters, label, reuse_running=True):
    """A new job, enqueued; or the same person's job of the same kind and parameters
    that has not finished yet (a double click, a refresh), unchanged. With
    ``reuse_running=False`` only one still waiting is reused (a recount already running
    may have read the units before the change that asks again)."""
    reusable = Job.objects.unfinished() if reuse_running else Job.objects.filter(state="queued")
    with transaction.atomic():
        existing = reusable.filter(
            requested_by=requested_by, kind=kind, parameters=parameters
        ).first()
        if existing is not None:
            return existing
        job = Job.objects.create(
            requested_by=requested_by, kind=kind, parameters=parameters, label=label[:300]
        )
        job.task_id = str(tasks.run_job.enqueue(job.pk).id)
        job.save(update_fields=["task_id"])
    return job


def recount_after_edit(*, modules, by, label, added_unit_ids=()):
    """Recount the stored progress of ``modules`` after their units changed: here, in
    the caller's transaction, when they hold at most ``RECOUNT_IN_REQUEST``
    completions (counted from the stored totals, and the added units'), else by a
    background job of ``by``'s (returned; None when done here). A recount of a module
    of 100 units took 6.5-7.7 s at province scale (bench/RESULTS.md); until its job has
    run, the module's pages say so and verify_progress leaves it out."""
    ids = sorted(m.pk for m in modules)
    if by is not None:
        stored = Progress.objects.filter(module_id__in=ids).aggregate(n=Sum("done"))["n"]
        added = Completion.objects.filter(unit_id__in=list(added_unit_ids)).count()
        small = (stored or 0) + added <= RECOUNT_IN_REQUEST
    if by is None or small:
        progress_store.recompute(ids)
        return None
    return job_start(
        kind=Job.Kind.RECOUNT,
        requested_by=by,
        parameters={"module_ids": ids},
        label=label,
        reuse_running=False,
    )


def job_retry(*, job, by):
    """Run a failed job again (only its own person may); True if it was enqueued."""
    with transaction.atomic():
        locked = Job.objects.select_for_update().filter(pk=job.pk, requested_by=by).first()
        if locked is None or locked.state != Job.State.FAILED:
            return False
        locked.state = Job.State.QUEUED
        locked.done = 0
        locked.error = ""
        locked.finished_at = None
        locked.task_id = str(tasks.run_job.enqueue(locked.pk).id)
        locked.save()
    return True


class Reporter:
    """``report(done, total=None)``: the job's progress, written at most every half
    second (and at the end), only while this attempt still owns the job."""

    def __init__(self, job):
        self.job = job
        self.total = job.total
        self.written = 0.0

    def __call__(self, done, total=None):
        if total is not None:
            self.total = total
        self.total = max(self.total, done)  # more rows than counted at the start
        now = time.monotonic()
        if now - self.written < PROGRESS_EVERY_SECONDS and done < self.total:
            return
        self.written = now
        Job.objects.filter(
            pk=self.job.pk, state=Job.State.RUNNING, attempts=self.job.attempts
        ).update(done=done, total=self.total, updated_at=timezone.now())


def _claim(job_id):
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state != Job.State.QUEUED:
            return None
        job.state = Job.State.RUNNING
        job.started_at = timezone.now()
        job.attempts += 1
        job.done = job.total = 0
        job.save()
    return job


def job_run(job_id):
    """Do job ``job_id`` if it waits to run: its kind's work, in the language it was
    asked in, then its file kept for ``settings.JOB_FILE_HOURS``. A failure is kept on
    the job (an error code its page explains) and raised again, so that the task's
    result records the traceback. True if this call ran it."""
    job = _claim(job_id)
    if job is None:
        return False
    language = job.parameters.get("language") or settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            made = work.WORK[job.kind](job, Reporter(job))
    except Exception as error:
        code = error.code if isinstance(error, work.JobError) else "failed"
        _end(job, state=Job.State.FAILED, error=code)
        logger.warning("job %s (%s) failed: %r", job.pk, job.kind, error)
        raise
    _end(job, state=Job.State.DONE, made=made)
    return True


def _end(job, *, state, error="", made=None):
    now = timezone.now()
    fields = {"state": state, "error": error, "finished_at": now, "updated_at": now}
    if state == Job.State.DONE:
        fields["expires_at"] = now + timedelta(hours=settings.JOB_FILE_HOURS)
        fields["done"] = F("total")
    stored = None
    if made is not None:
        handle, name = made
        handle.seek(0)
        stored = Job._meta.get_field("file").generate_filename(job, name)
        stored = job.file.storage.save(stored, File(handle))
        handle.close()
        fields.update(file=stored, file_name=name)
    with transaction.atomic():
        owned = Job.objects.select_for_update().filter(
            pk=job.pk, state=Job.State.RUNNING, attempts=job.attempts
        )
        if not owned.exists():  # failed as stalled, or retried meanwhile: not ours any more
            if stored:
                job.file.storage.delete(stored)
            return
        owned.update(**fields)


def housekeeping(now=None):
    """Delete the files of jobs past keeping, fail running jobs that reported nothing
    for ``STALLED_AFTER`` (their worker stopped), forget old jobs and periodic runs,
    and prune finished task results (django_tasks_db's own command, 14 days)."""
    now = now or timezone.now()
    deleted = 0
    for job in Job.objects.expired(now).exclude(file=""):
        job.file.delete(save=False)
        Job.objects.filter(pk=job.pk).update(file="")
        deleted += 1
    stalled = Job.objects.stalled(now - STALLED_AFTER).update(
        state=Job.State.FAILED, error="stopped", finished_at=now, updated_at=now
    )
    forgotten, _kinds = (
        Job.objects.filter(created_at__lt=now - JOBS_KEPT, file="")
        .exclude(state__in=[Job.State.QUEUED, Job.State.RUNNING])
        .delete()
    )
    PeriodicRun.objects.filter(enqueued_at__lt=now - timedelta(days=1)).delete()
    call_command("prune_db_task_results", verbosity=0)
    return {"files_deleted": deleted, "stalled": stalled, "forgotten": forgotten}
