"""One at a time: a transaction that must not run beside another of its kind.

The loaders (``load_exposition``, ``load_demo``) and the imports of org units and
cadres read what is there and then write what is missing. Two of them at once (two
deployments, ``make run`` in two terminals, an import sent twice) would both find a row
missing and both write it. ``one_at_a_time(name)``, called first inside
the transaction, makes the second wait until the first has committed; it then reads
what the first wrote and has nothing left to do.

PostgreSQL: a transaction-level advisory lock, released when the transaction ends (within
one database: the test processes' databases do not wait for each other).
SQLite: nothing to take. The portal opens every transaction with ``BEGIN IMMEDIATE``
(settings), which holds the database's write lock from the start, so transactions
that write are already one at a time.
"""

import hashlib

from django.db import connections


def lock_key(name):
    """A stable signed 64-bit number for ``name`` (what PostgreSQL's advisory locks take)."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def one_at_a_time(name, using="default"):
    """Wait until no other transaction holding ``name`` runs, and hold it until this
    transaction ends. Call it inside ``transaction.atomic()``, before the first read."""
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError(f"one_at_a_time({name!r}) holds its lock for a transaction: open one")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key(name)])
