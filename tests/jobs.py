"""Running the tasks a test enqueued, in the test's own process and transaction: each
ready task result of the database backend is claimed and run by django_tasks_db's own
worker code (``Worker.run_task``), as ``manage.py db_worker`` runs it. The worker
processes themselves are tested in tests/training/test_task_workers.py."""

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


def run_queued():
    """Run every task waiting; the task results, in the order run."""
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )
    ran = []
    while (result := DBTaskResult.objects.ready().order_by("enqueued_at").first()) is not None:
        result.claim(worker.worker_id)
        worker.run_task(result)
        result.refresh_from_db()
        ran.append(result)
    return ran
