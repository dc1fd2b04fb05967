"""The stored progress totals, and the only code that writes them.

Why they are stored: at province scale (50,000 cadres, 2.5 million completions)
counting each cadre's completions took 15-17 s for the province roll-up; reading one
row per cadre takes under 0.2 s (bench/RESULTS.md).

What they hold (``progress_verify.verify()`` recounts exactly this from the source rows):

* ``Progress`` (module, cadre): how many of the module's units the cadre has
  completed, and when the first and the latest; a unit counts whatever its
  publication state.
* ``ProgressWeek`` (module, org unit, week): completions of the module's units made
  in that org unit (where the cadre worked then) in that week (Monday, Beijing time).

Which units readers can see is decided when reading (training.progress takes away
the completions of a module's unpublished or scheduled units, a short list), so
publishing, unpublishing and rescheduling a unit write nothing here, and a unit
scheduled for later counts the moment its time comes, with nothing left to run.

Who writes, each in the transaction of the change it follows:

* ``completion_added`` / ``completion_removed``: training.services.completion_record
  and completion_undo, for the row they inserted or deleted themselves;
* ``recompute(module_ids)``: a module's units changed (services.module_set_units, the
  admin's module page), and writes made around the services (the generator, a
  restore, ``manage.py rebuild_progress``);
* ``cadre_deleted``: training.cascades, for a cadre deleted with their completions
  (a cascade from the admin's user or cadre pages; no caller of ours makes it).

And ``HoursYear`` (cadre, year): the 学时 a cadre earned in a calendar year (Beijing
time), online (units completed, approved claims of online study elsewhere) and from
approved training claims. Written by ``completion_added`` / ``completion_removed``
(with the 学时 the completion credits, ``Completion.credit_hours``, fixed when it was
made: editing a unit's 学时 changes later completions only, so no ledger or certificate
already made changes), by ``claim_counted`` (training.services.claim_decide, when a
claim's approval comes or goes), and by ``recompute_hours`` for the cadres who
completed a unit that is deleted (training.cascades) and in ``rebuild``.

A write that takes from a stored total finds every row it must change, or raises
``StoredTotalMissing`` (and its transaction rolls back).
"""

from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, DateField, F, Max, Min, OuterRef, Subquery, Sum
from django.db.models.functions import ExtractYear, TruncWeek
from django.utils import timezone

from .models import (
    Completion,
    HoursYear,
    ModuleUnit,
    Progress,
    ProgressWeek,
    TrainingClaim,
)

ZERO = Decimal("0")

# SQL the ORM cannot say, each statement written out whole, once, and run as written by
# PostgreSQL and SQLite alike: the upserts that add to a stored total (INSERT … ON
# CONFLICT … DO UPDATE SET n = n + 1) and the recounts that fill a table from a query
# (INSERT … SELECT). Every value is a query parameter; the table names are the models'
# (tests/training/test_progress_store.py checks them against each model's db_table).
# Everything else here is the ORM.
PROGRESS_ADD = """
    INSERT INTO training_progress (module_id, cadre_id, done, first_completed_at, last_completed_at)
    SELECT mu.module_id, %s, 1, %s, %s FROM training_moduleunit mu WHERE mu.unit_id = %s
    ON CONFLICT (module_id, cadre_id) DO UPDATE SET
        done = training_progress.done + 1,
        first_completed_at = CASE
            WHEN training_progress.first_completed_at IS NULL
              OR excluded.first_completed_at < training_progress.first_completed_at
            THEN excluded.first_completed_at
            ELSE training_progress.first_completed_at
        END,
        last_completed_at = CASE
            WHEN training_progress.last_completed_at IS NULL
              OR excluded.last_completed_at > training_progress.last_completed_at
            THEN excluded.last_completed_at
            ELSE training_progress.last_completed_at
        END
"""
WEEK_ADD = """
    INSERT INTO training_progressweek (module_id, org_unit_id, week, count)
    SELECT mu.module_id, %s, %s, 1 FROM training_moduleunit mu WHERE mu.unit_id = %s
    ON CONFLICT (module_id, org_unit_id, week) DO UPDATE SET
        count = training_progressweek.count + 1
"""
# updated_at: when the row changed, for the API's incremental pulls (a parameter: the
# same clock as the ORM's auto_now, on both databases).
HOURS_ADD = """
    INSERT INTO training_hoursyear (cadre_id, year, online, training, updated_at)
    VALUES (%s, %s, %s, %s, %s)
    ON CONFLICT (cadre_id, year) DO UPDATE SET
        online = training_hoursyear.online + excluded.online,
        training = training_hoursyear.training + excluded.training,
        updated_at = excluded.updated_at
"""
# The recounts take a module id twice (both None: every module).
PROGRESS_RECOUNT = """
    INSERT INTO training_progress (module_id, cadre_id, done, first_completed_at, last_completed_at)
    SELECT mu.module_id, c.cadre_id, COUNT(*), MIN(c.completed_at), MAX(c.completed_at)
    FROM training_completion c JOIN training_moduleunit mu ON mu.unit_id = c.unit_id
    WHERE %s IS NULL OR mu.module_id = %s
    GROUP BY mu.module_id, c.cadre_id
"""
# PostgreSQL only (SQLite's weeks are counted in Python): the time zone, then the module.
WEEK_RECOUNT = """
    INSERT INTO training_progressweek (module_id, org_unit_id, week, count)
    SELECT mu.module_id, c.org_unit_id,
        (DATE_TRUNC('week', c.completed_at AT TIME ZONE %s))::date, COUNT(*)
    FROM training_completion c JOIN training_moduleunit mu ON mu.unit_id = c.unit_id
    WHERE c.org_unit_id IS NOT NULL AND (%s IS NULL OR mu.module_id = %s)
    GROUP BY 1, 2, 3
"""


class StoredTotalMissing(Exception):
    """A stored total that a write had to change was not there: a drift, which must fail
    the write (and its transaction) rather than pass unnoticed."""


def _exactly(changed, expected, what):
    if changed != expected:
        raise StoredTotalMissing(f"{what}: {changed} rows changed, {expected} expected")


def week_of(moment):
    """The Monday (local date) of the week ``moment`` falls in."""
    day = timezone.localtime(moment).date()
    return day - timedelta(days=day.weekday())


def _hours_added(cadre_id, year, online, training=0):
    """Add to a cadre's 学时 of a year (its row made if missing)."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(HOURS_ADD, [cadre_id, year, online, training, now])


def _hours_taken(cadre_id, year, online, training=0):
    """Take from a cadre's 学时 of a year: its row must be there. No floor at zero: the
    CHECK constraint refuses a total below it, so a drift fails loudly instead of hiding."""
    changed = HoursYear.objects.filter(cadre_id=cadre_id, year=year).update(
        online=F("online") - online, training=F("training") - training, updated_at=timezone.now()
    )
    _exactly(changed, 1, f"study hours of cadre {cadre_id} in {year}")


def claim_counted(claim, counted):
    """A claim's approval came (``counted``) or went: its hours in the year it ended."""
    online = claim.hours if claim.kind == TrainingClaim.Kind.ONLINE else 0
    training = claim.hours if claim.kind == TrainingClaim.Kind.TRAINING else 0
    if counted:
        _hours_added(claim.cadre_id, claim.year, online, training)
    else:
        _hours_taken(claim.cadre_id, claim.year, online, training)


def completion_added(completion):
    """Count a completion just inserted, in every module holding its unit, and the
    学时 it credits (``Completion.credit_hours``) in the cadre's year."""
    with connection.cursor() as cursor:
        cursor.execute(
            PROGRESS_ADD,
            [
                completion.cadre_id,
                completion.completed_at,
                completion.completed_at,
                completion.unit_id,
            ],
        )
        if completion.org_unit_id is not None:
            week = week_of(completion.completed_at)
            cursor.execute(WEEK_ADD, [completion.org_unit_id, week, completion.unit_id])
    year = timezone.localtime(completion.completed_at).year
    _hours_added(completion.cadre_id, year, completion.credit_hours)


def completion_removed(completion):
    """Take away a completion just deleted (by the caller, who knows it deleted it): in
    every module holding its unit, the week it was made in and the 学时 it credited.

    Every row it takes from must be there (``StoredTotalMissing`` otherwise), and no
    floor at zero: a count that would go below it is a bug, and the column's CHECK
    constraint makes it fail loudly instead of hiding the drift."""
    modules = list(
        ModuleUnit.objects.filter(unit_id=completion.unit_id).values_list("module_id", flat=True)
    )
    theirs = Completion.objects.filter(
        cadre_id=OuterRef("cadre_id"), unit__module_units__module_id=OuterRef("module_id")
    ).values("completed_at")
    changed = Progress.objects.filter(cadre_id=completion.cadre_id, module_id__in=modules).update(
        done=F("done") - 1,
        first_completed_at=Subquery(theirs.order_by("completed_at")[:1]),
        last_completed_at=Subquery(theirs.order_by("-completed_at")[:1]),
    )
    _exactly(changed, len(modules), f"progress of cadre {completion.cadre_id}")
    year = timezone.localtime(completion.completed_at).year
    _hours_taken(completion.cadre_id, year, completion.credit_hours)
    if completion.org_unit_id is not None:
        week = week_of(completion.completed_at)
        changed = ProgressWeek.objects.filter(
            org_unit_id=completion.org_unit_id, week=week, module_id__in=modules
        ).update(count=F("count") - 1)
        _exactly(changed, len(modules), f"weekly completions of org unit {completion.org_unit_id}")


def cadre_deleted(cadre_id):
    """Before a cadre's completions go with them: take them out of the weekly counts.
    (Their Progress rows are deleted by the same cascade.)"""
    counts = Counter()
    links = {}
    for module_id, unit_id in ModuleUnit.objects.filter(
        unit__completions__cadre_id=cadre_id
    ).values_list("module_id", "unit_id"):
        links.setdefault(unit_id, []).append(module_id)
    for unit_id, org_unit_id, at in Completion.objects.filter(
        cadre_id=cadre_id, org_unit__isnull=False, unit_id__in=list(links)
    ).values_list("unit_id", "org_unit_id", "completed_at"):
        for module_id in links[unit_id]:
            counts[(module_id, org_unit_id, week_of(at))] += 1
    for (module_id, org_unit_id, week), n in counts.items():
        changed = ProgressWeek.objects.filter(
            module_id=module_id, org_unit_id=org_unit_id, week=week
        ).update(count=F("count") - n)
        _exactly(changed, 1, f"weekly completions of org unit {org_unit_id}")


# --- recounts: recompute() writes them, progress_verify.verify() compares them ----------


def progress_recount(**where):
    """{(module, cadre): (done, first completed, last completed)} counted from the
    completions (what PROGRESS_RECOUNT writes); ``where``: filters of the completions (a
    range of cadres, training.progress_verify)."""
    rows = (
        Completion.objects.filter(**where)
        .values_list("unit__module_units__module_id", "cadre_id")
        .annotate(done=Count("pk"), first=Min("completed_at"), last=Max("completed_at"))
        .order_by()
    )
    # (A unit in no module gives a row with no module: not a total.)
    return {(m, c): (n, a, b) for m, c, n, a, b in rows.iterator(chunk_size=20_000) if m}


def week_recount(module_ids=None, **where):
    """{(module, org unit, Monday): completions} counted from the completions, in local
    weeks (what WEEK_RECOUNT writes); ``where``: filters of the completions (a range of
    org units, training.progress_verify)."""
    week = TruncWeek("completed_at", output_field=DateField())
    completions = Completion.objects.filter(org_unit__isnull=False, **where)
    if module_ids is None:
        completions = completions.filter(unit__module_units__isnull=False)
    else:
        completions = completions.filter(unit__module_units__module_id__in=module_ids)
    rows = (
        completions.annotate(week=week)
        .values_list("unit__module_units__module_id", "org_unit_id", "week")
        .annotate(n=Count("pk"))
        .order_by()
    )
    # A slice's few rows at once: through a server-side cursor PostgreSQL plans for the
    # first rows (nested loops), 6 s against 1.3 s for 50 org units (bench/RESULTS.md).
    rows = rows if where else rows.iterator(chunk_size=20_000)
    return Counter({(m, o, w): n for m, o, w, n in rows})


def recompute(module_ids=None):
    """Recompute both tables for these modules (all modules when None) from the
    completions, in one transaction."""
    if module_ids is not None:
        module_ids = list(module_ids)
        if not module_ids:
            return
    with transaction.atomic():
        stored = (Progress.objects, ProgressWeek.objects)
        if module_ids is not None:
            stored = [rows.filter(module_id__in=module_ids) for rows in stored]
        for rows in stored:
            rows.all().delete()
        with connection.cursor() as cursor:
            for module_id in [None] if module_ids is None else module_ids:
                cursor.execute(PROGRESS_RECOUNT, [module_id, module_id])
                if connection.vendor == "postgresql":
                    zone = timezone.get_current_timezone_name()
                    cursor.execute(WEEK_RECOUNT, [zone, module_id, module_id])
        if connection.vendor != "postgresql":  # SQLite: no DATE_TRUNC, so through the ORM
            ProgressWeek.objects.bulk_create(
                ProgressWeek(module_id=m, org_unit_id=o, week=w, count=n)
                for (m, o, w), n in week_recount(module_ids).items()
            )


def hours_recount(cadre_ids=None, **where):
    """{(cadre, year): (online, training)} from the completions and approved claims;
    ``where``: filters of both (a range of cadres, training.progress_verify)."""
    hours = defaultdict(lambda: [ZERO, ZERO])
    completions = Completion.objects.filter(**where)
    claims = TrainingClaim.objects.approved().filter(**where)
    if cadre_ids is not None:
        completions = completions.filter(cadre_id__in=cadre_ids)
        claims = claims.filter(cadre_id__in=cadre_ids)
    if connection.vendor == "postgresql":
        year = ExtractYear("completed_at", tzinfo=timezone.get_current_timezone())
        rows = (
            completions.annotate(y=year)
            .values_list("cadre_id", "y")
            .annotate(h=Sum("credit_hours"))
            .order_by()
        )
        for cadre_id, y, h in rows.iterator(chunk_size=20_000):
            hours[cadre_id, y][0] += h or ZERO
    else:  # SQLite (development scale): local years are simplest to get right in Python
        rows = completions.values_list("cadre_id", "completed_at", "credit_hours")
        for cadre_id, at, h in rows.iterator(chunk_size=5000):
            hours[cadre_id, timezone.localtime(at).year][0] += h or ZERO
    rows = (
        claims.annotate(y=ExtractYear("end_on"))
        .values_list("cadre_id", "y", "kind")
        .annotate(h=Sum("hours"))
        .order_by()
    )
    for cadre_id, y, kind, h in rows:
        hours[cadre_id, y][0 if kind == TrainingClaim.Kind.ONLINE else 1] += h
    return {key: tuple(value) for key, value in hours.items()}


def recompute_hours(cadre_ids=None):
    """Recompute the stored 学时 of these cadres (all when None) from the source rows.
    Rows that already hold their recount are kept as they are (their id and updated_at:
    the API's clients see no change where there is none); the others are replaced."""
    if cadre_ids is not None:
        cadre_ids = list(cadre_ids)
        if not cadre_ids:
            return
    with transaction.atomic():
        stored = HoursYear.objects.all()
        if cadre_ids is not None:
            stored = stored.filter(cadre_id__in=cadre_ids)
        expected = hours_recount(cadre_ids)
        kept, stale = set(), []
        rows = stored.values_list("pk", "cadre_id", "year", "online", "training")
        for pk, c, y, online, training in rows.iterator(chunk_size=20_000):
            if expected.get((c, y)) == (online, training):
                kept.add((c, y))
            else:
                stale.append(pk)
        for start in range(0, len(stale), 5000):
            HoursYear.objects.filter(pk__in=stale[start : start + 5000]).delete()
        HoursYear.objects.bulk_create(
            (
                HoursYear(cadre_id=c, year=y, online=online, training=training)
                for (c, y), (online, training) in expected.items()
                if (c, y) not in kept
            ),
            batch_size=5000,
        )


def rebuild():
    """Recompute everything (``manage.py rebuild_progress``)."""
    recompute(None)
    recompute_hours(None)
