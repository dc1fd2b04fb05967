"""Progress keeps each cadre's first completion of a module (training 0021): the rows
that exist when it is applied get theirs from the completions."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from training import services
from training.models import Completion, Progress

BEFORE = [("training", "0020_rolluprow_no_vacuum_truncate")]
AFTER = [("training", "0021_progress_first_completed_at")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_existing_progress_rows_get_their_first_completion(org, make_cadre, make_unit, make_module):
    units = [make_unit() for _ in range(3)]
    first = make_module(units=units[:2])
    second = make_module(units=units[1:])  # units[1] is in both
    studied, idle = make_cadre(org.township_a), make_cadre(org.township_a)
    start = timezone.now() - timedelta(days=10)
    for days, unit in enumerate(units):
        services.completion_record(cadre=studied, unit=unit)
        Completion.objects.filter(cadre=studied, unit=unit).update(
            completed_at=start + timedelta(days=days)
        )
    _migrate(BEFORE)  # the column goes, and with it what the services wrote in it
    _migrate(AFTER)
    firsts = dict(
        Progress.objects.filter(cadre=studied).values_list("module_id", "first_completed_at")
    )
    assert firsts == {first.pk: start, second.pk: start + timedelta(days=1)}
    assert not Progress.objects.filter(cadre=idle).exists()
