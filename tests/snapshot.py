"""Data that many tests load the same way, loaded once per test process and put back.

The browser tests each start from the demo that `make run` loads (the seed exposition
and the demo accounts): about a second of work in Python each time (Markdown, search
columns, history rows, tags), for a hundred tests on each database. ``Snapshot`` runs
the loader for real the first time, keeps every table's rows, and from then on puts
those rows back: one DELETE and one bulk write per table (``COPY`` on PostgreSQL).

It puts them back only into a database that holds nothing but what migrations make
(``MIGRATED``: content types, permissions, the role groups, the shipped requirements),
as many rows of those as when a real load started from them, on the same day (the
demo's dates count from today). Otherwise it runs the loader (a test that made rows of
its own first gets a real load on top of them), and keeps what a load from a new such
state made: a test process sees two, as migrated and as flushed after a test that
commits. Every table is replaced, so rows that ``post_migrate`` made again with other
ids (content types, permissions) come back as the snapshot had them, and the
per-process content type cache is cleared.
"""

import io

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

# Tables that migrations fill (and that post_migrate fills again after a flush).
MIGRATED = {
    "auth_group",
    "auth_group_permissions",
    "auth_permission",
    "django_content_type",
    "training_requirement",
}


def _tables():
    return sorted(t for t in connection.introspection.table_names() if t != "django_migrations")


def _counts(tables):
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {qn(t)})" for t in tables)  # noqa: S608  # table names from introspection
        )
        return tuple(cursor.fetchone())


def _columns(cursor, table):
    """The columns a row can be written with (PostgreSQL computes generated ones)."""
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema ="
            " current_schema() AND table_name = %s AND is_generated = 'NEVER'"
            " ORDER BY ordinal_position",
            [table],
        )
        return [row[0] for row in cursor.fetchall()]
    return [c.name for c in connection.introspection.get_table_description(cursor, table)]


class Snapshot:
    def __init__(self, load):
        self.load = load
        # (the day, the row counts a load started from) -> {table: (column list, rows)},
        # the rows as COPY text on PostgreSQL, tuples on SQLite.
        self.taken = {}
        self.loads = 0
        self.restores = 0

    def __call__(self):
        tables = _tables()
        counts = dict(zip(tables, _counts(tables), strict=True))
        if any(n for table, n in counts.items() if table not in MIGRATED):
            self.load()  # not a state a snapshot can stand in for
            self.loads += 1
            return
        key = (timezone.localdate(), tuple(sorted(counts.items())))
        if key in self.taken:
            self._restore(self.taken[key])
            self.restores += 1
            return
        self.load()
        self.loads += 1
        self.taken[key] = self._capture(tables)

    def _capture(self, tables):
        qn = connection.ops.quote_name
        rows = {}
        with connection.cursor() as cursor:
            for table in tables:
                columns = ", ".join(qn(c) for c in _columns(cursor, table))
                if connection.vendor == "postgresql":
                    buffer = io.StringIO()
                    cursor.copy_expert(f"COPY {qn(table)} ({columns}) TO STDOUT", buffer)
                    rows[table] = (columns, buffer.getvalue())
                else:
                    cursor.execute(f"SELECT {columns} FROM {qn(table)}")  # noqa: S608
                    rows[table] = (columns, cursor.fetchall())
        return rows

    def _restore(self, taken):
        qn = connection.ops.quote_name
        # Foreign keys are checked when the transaction commits (Django declares them
        # DEFERRABLE INITIALLY DEFERRED on both databases), so the order does not matter.
        with transaction.atomic(), connection.cursor() as cursor:
            # Only the tables migrations fill hold rows (see __call__).
            for table in sorted(MIGRATED):
                cursor.execute(f"DELETE FROM {qn(table)}")  # noqa: S608
            for table, (columns, rows) in taken.items():
                if not rows:
                    continue
                if connection.vendor == "postgresql":
                    cursor.copy_expert(
                        f"COPY {qn(table)} ({columns}) FROM STDIN", io.StringIO(rows)
                    )
                else:
                    marks = ", ".join(["%s"] * len(rows[0]))
                    cursor.executemany(
                        f"INSERT INTO {qn(table)} ({columns}) VALUES ({marks})",  # noqa: S608
                        rows,
                    )
        ContentType.objects.clear_cache()
