"""Prepared statements for the few hand-written queries behind every page.

PostgreSQL plans every statement it is sent, and psycopg2 sends each as text, so the
plan is made afresh every time. For the user's roles (every page) and a cadre's
modules (every unit page, My study) planning took longer than running: 0.49 ms of
planning against 0.17 ms of running for the modules on a unit page (EXPLAIN ANALYZE on
the generated province, bench/RESULTS.md). Here each such statement is prepared once
per database connection, in the same round trip as its first use (so a page's query
count does not change), and executed by name after that, with the one generic plan
PostgreSQL made for it (``plan_cache_mode`` in portal/settings.py): left to choose,
PostgreSQL planned My study's modules afresh at every call.

On any other database (SQLite) the statement is sent as it is.

    with prepared(sql, params) as (sql, params):
        cursor.execute(sql, params)   # or Model.objects.raw(sql, params)

The SQL given must be built from the models' names only, values being parameters
(``%s``), as for ``cursor.execute``.
"""

import hashlib
import re
from contextlib import contextmanager

from django.db import connections

_PLACEHOLDER = re.compile(r"%[s%]")


@contextmanager
def prepared(sql, params, using="default"):
    """Yield the (sql, params) to send in place of ``sql`` and ``params``."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield sql, params
        return
    connection.ensure_connection()
    state = connection.__dict__.get("_portal_prepared")
    if state is None or state["raw"] is not connection.connection:
        # A new connection (the first, or after a reconnect) has nothing prepared.
        state = connection._portal_prepared = {"raw": connection.connection, "names": {}}
    key = hashlib.sha256(sql.encode()).hexdigest()[:20]
    names = state["names"]
    generation, ready = names.get(key, (0, False))
    name = f"portal_{key}_{generation}"
    arguments = ", ".join(["%s"] * len(params))
    execute = f"EXECUTE {name}({arguments})" if params else f"EXECUTE {name}"
    text = execute if ready else f"PREPARE {name} AS {_numbered(sql)}; {execute}"
    try:
        yield text, params
    except BaseException:
        # Whether the PREPARE took effect is unknown: use a fresh name next time.
        names[key] = (generation + 1, False)
        raise
    names[key] = (generation, True)


def _numbered(sql):
    """``%s`` placeholders as ``$1``, ``$2``, ...; ``%%`` stays (the driver makes it ``%``
    when it fills in the EXECUTE's parameters, sent in the same string)."""
    count = 0

    def number(match):
        nonlocal count
        if match.group() == "%%":
            return "%%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(number, sql)
