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


# MERGE (issue #34, reminders): the digest as a periodic task, once
# training.reminders exists (its helper's branch), with its line in periodic.SCHEDULE:
#
# @task()
# def send_reminders() -> dict:
#     """Send the reminder digests that are due (training.reminders)."""
#     from training.reminders import send_due_reminders
#
#     return send_due_reminders()
