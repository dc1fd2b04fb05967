"""The test helper that loads the demo once per test process and puts it back."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from tests.conftest import _load_demo
from tests.snapshot import Snapshot, _tables


def _contents():
    """Every table's rows, in a comparable order."""
    qn = connection.ops.quote_name
    found = {}
    with connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(f"SELECT * FROM {qn(table)}")  # noqa: S608
            found[table] = sorted(map(repr, cursor.fetchall()))
    return found


@pytest.mark.django_db
def test_what_is_put_back_is_what_the_load_made():
    snapshot = Snapshot(_load_demo)
    with transaction.atomic():
        snapshot()
        loaded = _contents()
        transaction.set_rollback(True)
    assert get_user_model().objects.count() == 0
    snapshot()
    assert (snapshot.loads, snapshot.restores) == (1, 1)
    assert _contents() == loaded
    assert sum(len(rows) for rows in loaded.values()) > 500


@pytest.mark.django_db
def test_a_test_s_own_rows_get_a_real_load_on_top():
    snapshot = Snapshot(_load_demo)
    with transaction.atomic():
        snapshot()
        transaction.set_rollback(True)
    mine = get_user_model().objects.create(username="made-first")
    snapshot()
    assert (snapshot.loads, snapshot.restores) == (2, 0)
    assert get_user_model().objects.filter(pk=mine.pk).exists()
    assert get_user_model().objects.filter(username="cadre").exists()
