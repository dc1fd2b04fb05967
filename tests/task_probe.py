"""A task for tests of the workers themselves (tests/training/test_task_workers.py):
it notes which process ran which number, in the file named by TASK_RUN_LOG."""

import os
import time

from portal.tasks import task


@task()
def record(number: int) -> int:
    time.sleep(0.05)  # long enough that two workers overlap
    with open(os.environ["TASK_RUN_LOG"], "a", encoding="utf-8") as log:
        log.write(f"{number} {os.getpid()}\n")  # one short append: written whole
    return number
