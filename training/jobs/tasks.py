"""The portal's tasks (portal/tasks.py: Django's task framework). Each is a thin
entry: the work is in training.jobs.services and what it calls, so a test or a
command can call it directly."""

from portal.tasks import task


@task()
def run_job(job_id: int) -> bool:
    """Run the background job ``job_id`` (a Job row): True if this task ran it."""
    from .services import job_run

    return job_run(job_id)


@task()
def housekeeping() -> dict:
    """Delete job files past keeping, fail jobs whose worker stopped, prune old rows."""
    from .services import housekeeping as sweep

    return sweep()


@task()
def send_reminders() -> dict:
    """Send the reminder digests that are due (training.reminders); what the run did."""
    from dataclasses import asdict

    from training.reminders import send_due_reminders

    return asdict(send_due_reminders())


@task()
def recount_rollups() -> dict:
    """Recount the stored roll-ups of the big org units (training.rollup_snapshots)."""
    from training import rollup_snapshots

    return rollup_snapshots.recount()
