from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from training.jobs import services as jobs
from training.jobs.models import Job


class Command(BaseCommand):
    help = (
        "List the background jobs that failed (newest first: number, kind, who asked, "
        "when, the error code and the task, whose traceback the admin shows under Task "
        "results), or run some again with --retry NUMBER ..."
    )

    def add_arguments(self, parser):
        parser.add_argument("--retry", type=int, nargs="+", metavar="NUMBER", default=[])

    def handle(self, *args, retry=(), **options):
        if retry:
            for pk in retry:
                job = Job.objects.filter(pk=pk).select_related("requested_by").first()
                if job is None:
                    raise CommandError(f"No job {pk}.")
                if not jobs.job_retry(job=job, by=job.requested_by):
                    raise CommandError(f"Job {pk} has not failed ({job.state}).")
                self.stdout.write(f"job {pk} will run again")
            return
        failed = Job.objects.filter(state=Job.State.FAILED).select_related("requested_by")
        for job in failed[:100]:
            when = timezone.localtime(job.finished_at or job.created_at)
            self.stdout.write(
                f"{job.pk}\t{job.kind}\t{job.requested_by.username}\t{when:%Y-%m-%d %H:%M}"
                f"\t{job.error}\ttask {job.task_id}\t{job.label}"
            )
        if not failed.exists():
            self.stdout.write("No failed job.")
