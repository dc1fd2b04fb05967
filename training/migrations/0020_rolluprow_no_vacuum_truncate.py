"""The stored roll-ups' table is never truncated by VACUUM (PostgreSQL only).

Each recount deletes a module's rows and writes them again, so (auto)vacuum often finds
empty pages at the table's end and truncates them, which takes an ACCESS EXCLUSIVE lock.
The lock is replayed on a streaming replica, where it holds until the transaction's
commit is replayed too: every read of a stored roll-up on the replica waited meanwhile
(the rehearsal, with its replica 5 s behind: 25 samples of 0.2 s with the lock held in
240 s, and national roll-up views of 3,301 and 5,000 ms; bench/RESULTS.md). The freed
pages are reused by the next recount anyway. A storage parameter the ORM cannot set,
and SQLite has no such thing: hence SQL, here only.
"""

from django.db import migrations

TABLE = "training_rolluprow"


def keep_pages(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} SET (vacuum_truncate = off)")


def truncate_again(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} RESET (vacuum_truncate)")


class Migration(migrations.Migration):
    dependencies = [("training", "0019_completion_updated_carries_cadre")]

    operations = [migrations.RunPython(keep_pages, truncate_again)]
