"""The stored roll-ups' table keeps its empty pages: VACUUM does not truncate it, which
would take an ACCESS EXCLUSIVE lock that a streaming replica holds until the commit is
replayed, stalling every read of a stored roll-up there (migration training 0020)."""

import pytest
from django.db import connection

from training.models import RollupRow


@pytest.mark.postgresql_only
@pytest.mark.django_db
def test_vacuum_does_not_truncate_the_stored_rollups():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reloptions FROM pg_class WHERE oid = %s::regclass",
            [RollupRow._meta.db_table],
        )
        [options] = cursor.fetchone()
    assert "vacuum_truncate=off" in (options or [])
