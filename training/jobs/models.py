"""Background jobs: long work asked for on a page and done by a task worker (a zip of
certificates, a large Excel export, a recount of stored totals), with what a person
needs to follow it: state, progress, the error, the file and when it goes.

Only the person who asked sees a job or its file (``Job.objects.visible_to``); a
file is kept ``settings.JOB_FILE_HOURS`` hours and then deleted by a periodic task.
The work itself is in training.jobs.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def job_file_name(job, filename):
    """A random name under MEDIA_ROOT/jobs/ (never served as static files): the name
    a person downloads it under is ``Job.file_name``."""
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"jobs/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class JobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The jobs ``user`` asked for: nobody else sees them, a trainer above them
        and an editor included."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(requested_by=user)

    def unfinished(self):
        return self.filter(state__in=[Job.State.QUEUED, Job.State.RUNNING])

    def expired(self, now=None):
        """Finished jobs whose file (if any) is past keeping."""
        return self.filter(expires_at__lte=now or timezone.now())

    def stalled(self, before):
        """Running jobs that reported nothing since ``before``: their worker stopped
        (killed, or its machine went down) in the middle."""
        return self.filter(state=Job.State.RUNNING, updated_at__lt=before)

    def pending_recount(self):
        """Modules whose stored progress waits for a recount job (ids)."""
        return {
            module_id
            for ids in self.unfinished()
            .filter(kind=Job.Kind.RECOUNT)
            .values_list("parameters__module_ids", flat=True)
            for module_id in ids or []
        }


class Job(models.Model):
    class Kind(models.TextChoices):
        CERTIFICATES = "certificates", _("Certificates (zip)")
        EXPORT = "export", _("Excel export")
        RECOUNT = "recount", _("Recount of progress totals")

    class State(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("a background job's state", "Waiting to start")
        RUNNING = "running", pgettext_lazy("a background job's state", "Running")
        DONE = "done", pgettext_lazy("a background job's state", "Done")
        FAILED = "failed", pgettext_lazy("a background job's state", "Failed")

    # What a failed job tells the person, by the code kept in ``error``, in the reader's
    # language (the traceback is in the task's result, in the admin).
    ERRORS = {
        "gone": _(
            "What this job was asked for is no longer there, or no longer among the org "
            "units you manage."
        ),
        "too_many": _(
            "More cadres finished the module here than one zip holds: choose a smaller "
            "org unit on the progress page."
        ),
        "stopped": _(
            "The job stopped before it finished: the server running it was stopped. Try again."
        ),
        "failed": _(
            "Something went wrong while doing this job. Try again; if it fails again, "
            "tell the portal's administrators its number."
        ),
    }

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="jobs",
        verbose_name=_("asked by"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # What the job works on (ids, filters, the language and address to render in):
    # enough to run it again, read by training.jobs.work.
    parameters = models.JSONField(_("parameters"), default=dict)
    # What it is, in the words of the page it was asked on ("民生保障专题学习 — 小店区").
    label = models.CharField(_("what"), max_length=300)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    # What went wrong, for the person (the traceback stays with the task's result).
    error = models.TextField(_("error"), blank=True)
    file = models.FileField(_("file"), upload_to=job_file_name, blank=True, max_length=200)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    # The task run last for it (django_tasks_db's result id), and how many were.
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Written with each step of progress: a running job not updated for long has lost
    # its worker (JobQuerySet.stalled).
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    expires_at = models.DateTimeField(_("kept until"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="job_by_person"),
            models.Index(fields=["state", "updated_at"], name="job_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(done__lte=models.F("total")), name="job_done_of_total"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.label}"

    def get_absolute_url(self):
        return reverse("training:job_detail", args=[self.pk])

    @property
    def finished(self):
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def error_message(self):
        return self.ERRORS.get(self.error, self.ERRORS["failed"])

    @property
    def percent(self):
        if self.state == self.State.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    def downloadable(self, now=None):
        """Is the file there to download (done, not yet deleted)?"""
        now = now or timezone.now()
        return (
            self.state == self.State.DONE
            and bool(self.file)
            and (self.expires_at is None or self.expires_at > now)
        )


class PeriodicRun(models.Model):
    """One enqueue of a periodic task for one slot of its interval (slot = seconds
    since the epoch // interval). Unique: two schedulers at once (two machines) both
    try, and the second one's insert fails, in the transaction that would have
    enqueued the task (training.jobs.periodic)."""

    name = models.CharField(_("task"), max_length=200)
    slot = models.BigIntegerField(_("slot"))
    enqueued_at = models.DateTimeField(_("enqueued at"), default=timezone.now)
    task_id = models.CharField(_("task"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("periodic run")
        verbose_name_plural = _("periodic runs")
        constraints = [
            models.UniqueConstraint(fields=["name", "slot"], name="one_periodic_run_per_slot")
        ]

    def __str__(self):
        return f"{self.name} #{self.slot}"
