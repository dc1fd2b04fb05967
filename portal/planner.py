"""PostgreSQL settings for one transaction (``SET LOCAL``), and nothing elsewhere.

Behind PgBouncer in transaction mode a server connection passes from client to client
between transactions: a session's ``SET`` would stay on it for whoever gets it next.
A setting made for the transaction ends with it. SQLite has no planner to set, and its
transactions take the write lock (the portal opens them with ``BEGIN IMMEDIATE``), so
there no transaction is opened for a read.
"""

from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def local_settings(**settings):
    """On PostgreSQL, a transaction (the open one, if any: no savepoint) in which each
    ``name=value`` of ``settings`` holds, made in one round trip by ``set_config(name,
    value, true)``, which is ``SET LOCAL`` with parameters. The ORM has no word for a
    planner setting, hence the SQL."""
    if connection.vendor != "postgresql":
        yield
        return
    calls = ", ".join(["set_config(%s, %s, true)"] * len(settings))
    params = [str(part) for item in settings.items() for part in item]
    with transaction.atomic(savepoint=False):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {calls}", params)
        yield
