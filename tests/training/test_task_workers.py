"""The task workers as production runs them (issue #34): real `manage.py run_worker`
processes on one PostgreSQL database, each task run once; periodic tasks enqueued
once per slot however many schedulers run; failed jobs listed and run again."""

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.servers import ROOT, manage
from training.jobs import periodic
from training.jobs.models import Job, PeriodicRun

TASKS = 40

ENQUEUE = f"""
from tests.task_probe import record
for number in range({TASKS}):
    record.enqueue(number)
"""

RESULTS = """
from django_tasks_db.models import DBTaskResult
for result in DBTaskResult.objects.all():
    print(result.status, len(result.worker_ids))
"""


def _start(env, *args):
    return subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, stderr=subprocess.PIPE
    )


@pytest.mark.postgresql_only
@pytest.mark.long
def test_two_workers_at_once_run_each_task_once(database, tmp_path):
    log = tmp_path / "runs.log"
    env = {**database, "TASK_RUN_LOG": str(log)}
    manage(env, "shell", "-c", ENQUEUE)
    workers = [_start(env, "run_worker", "--batch", "--worker-id", f"w{i}") for i in (1, 2)]
    for worker in workers:
        _out, errors = worker.communicate(timeout=120)
        assert worker.returncode == 0, errors
    runs = [line.split() for line in log.read_text().splitlines()]
    assert sorted(int(number) for number, _pid in runs) == list(range(TASKS))
    assert len({pid for _number, pid in runs}) == 2  # both workers took tasks
    results = manage(env, "shell", "-v0", "-c", RESULTS).split("\n")
    assert sorted(filter(None, results)) == ["SUCCESSFUL 1"] * TASKS


@pytest.mark.postgresql_only
@pytest.mark.long
def test_two_schedulers_at_once_enqueue_a_periodic_task_once(database):
    schedulers = [_start(database, "run_periodic", "--once") for _ in range(2)]
    for scheduler in schedulers:
        _out, errors = scheduler.communicate(timeout=60)
        assert scheduler.returncode == 0, errors
    count = "from django_tasks_db.models import DBTaskResult as R; print(R.objects.count())"
    slots = "from training.jobs.models import PeriodicRun as P; print(P.objects.count())"
    enqueued = int(manage(database, "shell", "-v0", "-c", count))
    assert enqueued == int(manage(database, "shell", "-v0", "-c", slots))
    assert enqueued == len(periodic.SCHEDULE)  # (two if the slot turned in between)


@pytest.mark.django_db
def test_a_periodic_task_is_enqueued_once_per_slot():
    now = timezone.now()
    one = {"jobs.housekeeping": periodic.SCHEDULE["jobs.housekeeping"]}
    assert periodic.enqueue_due(now, one) == ["jobs.housekeeping"]
    assert periodic.enqueue_due(now + timedelta(seconds=1), one) in ([], ["jobs.housekeeping"])
    PeriodicRun.objects.all().delete()
    DBTaskResult.objects.all().delete()
    periodic.enqueue_due(now, one)
    assert periodic.enqueue_due(now, one) == []
    assert periodic.enqueue_due(now + timedelta(minutes=10), one) == ["jobs.housekeeping"]
    assert DBTaskResult.objects.count() == PeriodicRun.objects.count() == 2


@pytest.mark.django_db
def test_failed_jobs_are_listed_and_run_again(capsys, make_user):
    user = make_user("trainer")
    job = Job.objects.create(requested_by=user, kind="recount", label="x", state="failed")
    job.parameters = {"module_ids": []}
    job.error = "failed"
    job.save()
    call_command("failed_jobs")
    assert f"{job.pk}\trecount\ttrainer" in capsys.readouterr().out
    call_command("failed_jobs", retry=[job.pk])
    job.refresh_from_db()
    assert job.state == "queued" and DBTaskResult.objects.get().status == "READY"
    call_command("failed_jobs")
    assert "No failed job." in capsys.readouterr().out


def test_a_scheduler_wakes_when_the_next_slot_begins():
    every_45 = {"progress.recount_rollups": (None, timedelta(seconds=45))}
    slot_start = datetime.fromtimestamp(45 * 40_000_000, tz=UTC)
    assert periodic.seconds_to_next(slot_start + timedelta(seconds=40), every_45) == (
        pytest.approx(5.05)
    )
    assert periodic.seconds_to_next(slot_start, every_45) == periodic.TICK_SECONDS
    # Of several tasks, the nearest slot; never longer than a tick.
    hourly = {"reminders.send_due": (None, timedelta(hours=1))}
    assert periodic.seconds_to_next(slot_start, hourly) == periodic.TICK_SECONDS
    both = every_45 | hourly
    assert periodic.seconds_to_next(slot_start + timedelta(seconds=44), both) == (
        pytest.approx(1.05)
    )
