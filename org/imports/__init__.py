"""Importing org units and cadres from a CSV or .xlsx file, in three stages:

- ``read``: the file into numbered rows of {column: text}, or Refused (columns.py says
  what the columns are);
- ``check``: every row against the database and the importer's tree, into a plan and a
  list of errors by row and column;
- ``write``: the plan, only when nothing was wrong.

Checking and writing are one transaction, and one import runs at a time
(``portal/serial.py``). Errors name the row (as a spreadsheet shows it: the header is
row 1) and the column. Importing the same file again changes nothing, also twice at
once. A trainer imports only into the org units they manage; an editor
(``scope_user=None``) anywhere.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.serial import one_at_a_time

from .check import CadreCheck, OrgUnitCheck
from .columns import (
    CADRES,
    COLUMNS,
    ORG_UNITS,
    headers,
    help_context,
    max_bytes,
    max_rows,
    reader_reads_chinese,
    template_csv,
)
from .read import DEFUSEDXML, ImportResult, Refused, RowError, read_rows
from .write import write_cadres, write_org_units

__all__ = [
    "CADRES",
    "COLUMNS",
    "DEFUSEDXML",
    "ORG_UNITS",
    "ImportResult",
    "Refused",
    "RowError",
    "headers",
    "help_context",
    "max_bytes",
    "max_rows",
    "read_rows",
    "reader_reads_chinese",
    "run",
    "run_rows",
    "template_csv",
]

STAGES = {CADRES: (CadreCheck, write_cadres), ORG_UNITS: (OrgUnitCheck, write_org_units)}


def run(upload, kind, user, scope_user=None):
    """Check every row, then write all of them or none. ``user`` is who imports (the
    audit log names them); ``scope_user`` the trainer whose org units bound the import,
    None for an editor."""
    result = ImportResult(kind=kind, filename=upload.name or "")
    try:
        rows = read_rows(upload, kind, result.skipped)
    except Refused as refused:
        result.errors = refused.errors
        return result
    return run_rows(rows, result, user=user, scope_user=scope_user)


def run_rows(rows, result, *, user, scope_user=None, root=None):
    """The checking and writing of ``run``, for rows already read ([(number, {column:
    text})]: a file's, or the API's, api.roster). ``root``: an org unit whose subtree
    bounds the import instead of a trainer's (an API token's scope)."""
    result.rows = len(rows)
    check, write = STAGES[result.kind]
    try:
        with transaction.atomic():
            # One import at a time, each checked against what the one before it wrote:
            # the same file twice at once changes nothing, as twice in a row.
            one_at_a_time("org.import")
            plan = check(rows, scope_user, result.errors, root=root).check()
            if result.errors:
                return result
            write(plan, by=user, result=result)
    except IntegrityError:
        result.created = result.updated = result.unchanged = 0
        message = _("Someone changed the same rows meanwhile; nothing was imported. Try again.")
        result.errors.append(RowError(0, "", message))
    return result
