"""Back up and restore the whole database: pg_dump/pg_restore on PostgreSQL, the
SQLite online-backup API on SQLite. Used by `manage.py backup` and `manage.py restore`.

subprocess runs only pg_dump and pg_restore, by absolute path, with list arguments.
"""

import os
import shutil
import sqlite3
import subprocess  # nosec B404
from pathlib import Path

from django.core.management.base import CommandError
from django.db import connections


def _pg_env_and_args(settings_dict):
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    args = [
        "--host",
        settings_dict.get("HOST") or "localhost",
        "--port",
        str(settings_dict.get("PORT") or 5432),
        "--username",
        settings_dict.get("USER") or "postgres",
    ]
    return env, args


def _tool(name):
    path = shutil.which(name)
    if path is None:
        raise CommandError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return path


def backup(path, using="default"):
    """Write a consistent copy of the database to ``path``."""
    connection = connections[using]
    path = Path(path)
    if connection.vendor == "postgresql":
        env, args = _pg_env_and_args(connection.settings_dict)
        command = [_tool("pg_dump"), *args, "--format=custom", "--no-owner", "--file", str(path)]
        _run([*command, connection.settings_dict["NAME"]], env)
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)  # consistent even while others write
        finally:
            target.close()
    else:
        raise CommandError(f"No backup for {connection.vendor}.")
    return path


def restore(path, using="default"):
    """Replace the database's contents with the backup at ``path``, in one transaction."""
    connection = connections[using]
    path = Path(path)
    if not path.is_file():
        raise CommandError(f"{path} does not exist.")
    if connection.vendor == "postgresql":
        env, args = _pg_env_and_args(connection.settings_dict)
        connection.close()  # hold no locks on the tables pg_restore replaces
        command = [
            _tool("pg_restore"),
            *args,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            connection.settings_dict["NAME"],
        ]
        _run([*command, str(path)], env)
    elif connection.vendor == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            try:
                sound = source.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            except sqlite3.DatabaseError:
                sound = False
            if not sound:
                raise CommandError(f"{path} is not a sound SQLite database; nothing changed.")
            connection.ensure_connection()
            source.backup(connection.connection)  # all pages in one step, under one lock
        finally:
            source.close()
    else:
        raise CommandError(f"No restore for {connection.vendor}.")


def _run(command, env):
    # The command is ours (pg_dump/pg_restore by absolute path), the arguments a list.
    result = subprocess.run(  # noqa: S603  # nosec B603
        command, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise CommandError(result.stderr.strip() or f"{command[0]} failed")
