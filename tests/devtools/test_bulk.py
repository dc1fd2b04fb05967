"""devtools.bulk: rows in chunks of a bounded size, a table's indexes dropped for a load
and made again as they were, the 学时 ledger filled in SQL."""

import io
import itertools

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection

from devtools import bulk
from training.models import Completion, HoursYear, Progress, ProgressWeek, TrainingClaim

TABLE = Completion._meta.db_table


def test_chunks_hold_at_most_the_size_asked_and_are_taken_lazily():
    chunks = bulk.chunked(itertools.count(), size=1000)  # endless: taken as needed
    first = [next(chunks) for _ in range(3)]
    assert [len(c) for c in first] == [1000, 1000, 1000]
    assert first[2][-1] == 2999


def test_the_last_chunk_holds_what_is_left():
    assert [len(c) for c in bulk.chunked(range(2500), size=1000)] == [1000, 1000, 500]


def test_the_ledger_sql_names_the_models_tables():
    for model in (HoursYear, Completion, TrainingClaim):
        assert f" {model._meta.db_table} " in bulk.HOURS_FILL.replace("\n", " ")


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, "\\N"), (True, "t"), ("a\tb\\c\nd", "a\\tb\\\\c\\nd"), ("王伟", "王伟")],
)
def test_values_are_written_in_copys_text_format(value, text):
    assert bulk._text(value) == text


@pytest.mark.postgresql_only
@pytest.mark.django_db
def test_the_completions_indexes_are_gone_inside_and_back_after_as_they_were():
    before = bulk.secondary_indexes(TABLE)
    names = {name for part in before for name, _definition in part}
    assert {"unique_completion", "completion_unit_time", "completion_updated"} <= names
    with bulk.without_indexes(TABLE):
        assert bulk.secondary_indexes(TABLE) == ([], [])
    assert bulk.secondary_indexes(TABLE) == before


@pytest.mark.postgresql_only
@pytest.mark.django_db
def test_they_are_back_after_an_error_too():
    before = bulk.secondary_indexes(TABLE)
    with pytest.raises(RuntimeError), bulk.without_indexes(TABLE):
        raise RuntimeError
    assert bulk.secondary_indexes(TABLE) == before


@pytest.mark.postgresql_only
@pytest.mark.django_db
def test_a_second_completion_of_a_unit_fails_when_the_key_is_made_again(org, make_cadre, make_unit):
    cadre, unit = make_cadre(org.township_a), make_unit()
    rows = [(cadre.pk, unit.pk, "2026-12-01 08:00:00+00", cadre.org_unit_id, "1.00")] * 2
    columns = ["cadre_id", "unit_id", "completed_at", "org_unit_id", "credit_hours"]
    with pytest.raises(IntegrityError, match="unique_completion"), bulk.without_indexes(TABLE):
        bulk.copy_rows(TABLE, columns, rows)


def all_constraints(table):
    """Every constraint of ``table`` (checks and the primary key too), as PostgreSQL
    writes it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass ORDER BY conname",
            [table],
        )
        return cursor.fetchall()


@pytest.mark.postgresql_only
@pytest.mark.django_db
def test_the_generated_schema_is_the_migrated_one():
    tables = [m._meta.db_table for m in (Completion, Progress, ProgressWeek)]
    before = {table: bulk.secondary_indexes(table) for table in tables}
    constraints = {table: all_constraints(table) for table in tables}
    assert all(keys and indexes for keys, indexes in before.values())
    call_command(
        "generate_demo_data",
        stdout=io.StringIO(),
        cities=2,
        counties=4,
        townships=12,
        cadres=300,
        units=30,
        modules=5,
        max_module_units=10,
        completions=2000,
    )
    assert Completion.objects.exists() and Progress.objects.exists()
    assert ProgressWeek.objects.exists()
    for table in tables:
        assert bulk.secondary_indexes(table) == before[table]
        assert all_constraints(table) == constraints[table]
