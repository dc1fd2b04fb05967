"""Bulk writes for generated data (devtools.generate), in bounded memory.

Raw SQL, here and nowhere else in the generator, because the ORM cannot say it at a
nation's size (a million cadres, fifty million completions):

* PostgreSQL's COPY, fed one chunk of rows at a time (``bulk_create`` of fifty million
  completions would build fifty million model instances, and one INSERT per batch is
  several times slower than COPY);
* dropping a table's secondary indexes, unique and foreign-key constraints before a big
  COPY and making them again after, from the definitions PostgreSQL gives back, names
  and all, so the schema ends exactly as the migrations made it (PostgreSQL's own advice
  for populating a database: one index build after the load is far cheaper than fifty
  million index insertions, one foreign-key check by join than fifty million lookups);
* the stored 学时 ledger filled by one INSERT … SELECT … GROUP BY
  (training.progress_store.recompute_hours adds them up in Python, a dict entry per
  cadre and year: gigabytes at a million cadres). ``manage.py verify_progress`` checks
  what it writes against the same recount as every other stored total.

On SQLite (a small province in development) every write is the ORM's ``bulk_create``,
chunk by chunk.
"""

import io
from contextlib import contextmanager
from datetime import date, datetime
from itertools import islice

from django.db import connection
from django.db.models.expressions import DatabaseDefault
from django.utils import timezone

from training.models import HoursYear, TrainingClaim

CHUNK = 200_000  # rows a COPY statement takes: about 15 MB of text for completions


def chunked(rows, size=CHUNK):
    """``rows`` (any iterable) as lists of at most ``size`` rows, consumed lazily."""
    rows = iter(rows)
    while chunk := list(islice(rows, size)):
        yield chunk


def _text(value):
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        for raw, escaped in (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
            text = text.replace(raw, escaped)
    return text


def copy_lines(table, columns, lines):
    """COPY ``lines`` (each one row in COPY's text format, ending in a newline) into
    ``table``; one statement per chunk, so memory holds one chunk at most."""
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor:
        for chunk in chunked(lines):
            cursor.copy_expert(statement, io.BytesIO("".join(chunk).encode()))


def copy_rows(table, columns, rows):
    """COPY tuples whose values write themselves with ``str()``: numbers, datetimes
    (``2026-12-06 08:00:00+00:00``), plain words; no None, tab or backslash."""
    copy_lines(table, columns, ("\t".join(map(str, row)) + "\n" for row in rows))


def save_objects(model, objects, size=20_000):
    """Insert unsaved ``objects`` of ``model`` as ``bulk_create`` would (a primary key
    given or the sequence's, defaults and ``auto_now`` filled in, values prepared by
    their fields), by COPY on PostgreSQL. No signals, like ``bulk_create``."""
    for chunk in chunked(objects, size):
        if connection.vendor != "postgresql":
            model.objects.bulk_create(chunk, batch_size=5000)
            continue
        first = chunk[0]
        fields = [
            f
            for f in model._meta.concrete_fields
            if not (f.primary_key and first.pk is None)
            and not isinstance(getattr(first, f.attname), DatabaseDefault)
        ]
        lines = (
            "\t".join(
                _text(f.get_db_prep_save(f.pre_save(obj, add=True), connection)) for f in fields
            )
            + "\n"
            for obj in chunk
        )
        copy_lines(model._meta.db_table, [f.column for f in fields], lines)


def sequences_reset(*models):
    """After rows were written with their own ids: the next id of each model follows
    them (PostgreSQL; SQLite's AUTOINCREMENT follows by itself)."""
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


# The secondary indexes and constraints of a table, as PostgreSQL would write them
# again: unique and foreign-key constraints (check constraints cost little and stay),
# then indexes that back no constraint. The primary key stays.
CONSTRAINTS_OF = """
    SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
    WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY conname
"""
INDEXES_OF = """
    SELECT i.relname, pg_get_indexdef(x.indexrelid)
    FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
    WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                      WHERE c.conrelid = x.indrelid AND c.conindid = x.indexrelid)
    ORDER BY i.relname
"""


def secondary_indexes(table):
    """(constraints, indexes) of ``table``: [(name, definition)] each."""
    with connection.cursor() as cursor:
        cursor.execute(CONSTRAINTS_OF, [table])
        constraints = cursor.fetchall()
        cursor.execute(INDEXES_OF, [table])
        return constraints, cursor.fetchall()


@contextmanager
def without_indexes(table):
    """Inside: ``table`` without its secondary indexes and unique and foreign-key
    constraints (PostgreSQL; nothing changes on SQLite). After, even after an error:
    each made again from its own definition, under its own name (a unique constraint
    that the rows inside broke fails here, loudly). Outside any transaction: each
    statement commits by itself, and the index builds get the memory they need."""
    if connection.vendor != "postgresql":
        yield
        return
    constraints, indexes = secondary_indexes(table)
    with connection.cursor() as cursor:
        # Inside a transaction (a test's) the rows written so far have their deferred
        # foreign-key checks pending, and PostgreSQL alters no table they touch: check
        # them now. (Outside one, nothing is pending.)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name, _definition in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '1GB'")
            for _name, definition in indexes:
                cursor.execute(definition)
            # Unique first: the foreign keys' checks then find the referenced rows
            # by their tables' own primary keys.
            for name, definition in sorted(constraints, key=lambda c: "FOREIGN" in c[1]):
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            cursor.execute("RESET maintenance_work_mem")


# What training.progress_store.recompute_hours stores, for a ledger still empty: per
# cadre and year (Beijing time for completions, the claim's last day for claims), the
# 学时 of completions and approved online claims, and of approved training claims. The
# tables are the models' (tests/devtools/test_bulk.py checks them); values are parameters.
HOURS_FILL = """
    INSERT INTO training_hoursyear (cadre_id, year, online, training)
    SELECT cadre_id, year, SUM(online), SUM(training) FROM (
        SELECT cadre_id, EXTRACT(YEAR FROM completed_at AT TIME ZONE %s)::int AS year,
               credit_hours AS online, 0 AS training
        FROM training_completion
        UNION ALL
        SELECT cadre_id, EXTRACT(YEAR FROM end_on)::int,
               CASE WHEN kind = %s THEN hours ELSE 0 END,
               CASE WHEN kind = %s THEN hours ELSE 0 END
        FROM training_trainingclaim WHERE status = %s
    ) AS earned
    GROUP BY cadre_id, year
"""


def hours_filled():
    """Fill the empty 学时 ledger from the completions and approved claims: in one
    statement on PostgreSQL, by training.progress_store elsewhere."""
    if HoursYear.objects.exists():
        raise ValueError("The study-hours ledger is not empty.")
    if connection.vendor != "postgresql":
        from training import progress_store

        progress_store.recompute_hours(None)
        return
    kinds = TrainingClaim.Kind
    with connection.cursor() as cursor:
        cursor.execute(
            HOURS_FILL,
            [
                timezone.get_current_timezone_name(),
                kinds.ONLINE,
                kinds.TRAINING,
                TrainingClaim.Status.APPROVED,
            ],
        )
