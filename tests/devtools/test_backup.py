"""Backup and restore round-trip a populated database: every row of every table
comes back (SQLite through its backup API, PostgreSQL through pg_dump/pg_restore)."""

import hashlib
import os

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from org.models import Cadre
from training import services
from training.models import Completion


def fingerprint():
    """{table: (row count, hash of every row)} for every table of the database."""
    result = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - table names from introspection
            rows = sorted(repr(row) for row in cursor.fetchall())
            digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
            result[table] = (len(rows), digest)
    return result


def populate():
    devnull = open(os.devnull, "w")  # noqa: SIM115
    call_command("load_exposition", stdout=devnull)
    call_command("load_demo", stdout=devnull)
    cadre = Cadre.objects.first()
    for unit in cadre.org_unit.assignments.first().module.units.all()[:3]:
        services.completion_record(cadre=cadre, unit=unit)


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip_every_row(tmp_path):
    populate()
    before = fingerprint()
    assert before["expositions_studyunit"][0] == 18
    assert before["training_completion"][0] > 0
    path = tmp_path / "portal.backup"
    call_command("backup", str(path), stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert path.stat().st_size > 0

    # Lose everything written since: a deleted user, all completions, a new cadre's user.
    get_user_model().objects.filter(username="cadre").delete()
    Completion.objects.all().delete()
    get_user_model().objects.create_user("written-after-the-backup")
    assert fingerprint() != before

    call_command("restore", str(path), "--yes", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert fingerprint() == before


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_missing_file_and_changes_nothing(tmp_path):
    populate()
    before = fingerprint()
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "nothing-here"), "--yes")
    assert fingerprint() == before


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_damaged_backup_and_changes_nothing(tmp_path):
    populate()
    before = fingerprint()
    path = tmp_path / "damaged.backup"
    call_command("backup", str(path), stdout=open(os.devnull, "w"))  # noqa: SIM115
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # a backup cut short
    with pytest.raises(CommandError):
        call_command("restore", str(path), "--yes")
    assert fingerprint() == before


def test_restore_asks_before_replacing(tmp_path, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    (tmp_path / "x").write_bytes(b"")
    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore", str(tmp_path / "x"))
