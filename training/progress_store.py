"""The stored progress totals, and the only code that writes them.

Why they are stored: at province scale (50,000 cadres, 2.5 million completions)
counting each cadre's completions took 15-17 s for the province roll-up; reading one
row per cadre takes under 0.2 s (bench/RESULTS.md).

What they hold (``verify()`` recounts exactly this from the source rows):

* ``Progress`` (module, cadre): how many of the module's units the cadre has
  completed, and when the latest; a unit counts whatever its publication state.
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
from datetime import UTC, timedelta
from decimal import Decimal
from itertools import islice

from django.db import connection, transaction
from django.db.models import F, OuterRef, Subquery, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from expositions.models import StudyUnit, hours_for_minutes, tag_search_names
from expositions.search import DERIVED_FIELDS, document

from .models import (
    Completion,
    HoursYear,
    Job,
    ModuleUnit,
    Progress,
    ProgressWeek,
    TrainingClaim,
)

ZERO = Decimal("0")

# The upserts below (INSERT ... ON CONFLICT, which the ORM cannot say) and the recounts
# that fill whole tables (INSERT ... SELECT, likewise) are formatted with these table
# names from the models' _meta and with placeholder lists only; every value goes in as
# a query parameter (hence the nosec). Everything else here is the ORM.
P = Progress._meta.db_table
W = ProgressWeek._meta.db_table
C = Completion._meta.db_table
MU = ModuleUnit._meta.db_table
H = HoursYear._meta.db_table
MODULES_OF_UNIT = f"SELECT mu.module_id FROM {MU} mu WHERE mu.unit_id = %s"  # noqa: S608  # nosec B608


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


def _greatest(a, b):
    if connection.vendor == "postgresql":
        return f"GREATEST({a}, {b})"
    return f"MAX(COALESCE({a}, {b}), {b})"


def _hours_added(cursor, cadre_id, year, online_sql, params, training=0):
    """Add to a cadre's 学时 of a year (its row made if missing)."""
    cursor.execute(
        f"INSERT INTO {H} (cadre_id, year, online, training) "  # noqa: S608  # nosec B608
        f"SELECT %s, %s, {online_sql}, %s WHERE true "
        f"ON CONFLICT (cadre_id, year) DO UPDATE "
        f"SET online = {H}.online + excluded.online, training = {H}.training + excluded.training",
        [cadre_id, year, *params, training],
    )


def _hours_taken(cadre_id, year, online, training=0):
    """Take from a cadre's 学时 of a year: its row must be there. No floor at zero: the
    CHECK constraint refuses a total below it, so a drift fails loudly instead of hiding."""
    changed = HoursYear.objects.filter(cadre_id=cadre_id, year=year).update(
        online=F("online") - online, training=F("training") - training
    )
    _exactly(changed, 1, f"study hours of cadre {cadre_id} in {year}")


def claim_counted(claim, counted):
    """A claim's approval came (``counted``) or went: its hours in the year it ended."""
    online = claim.hours if claim.kind == TrainingClaim.Kind.ONLINE else 0
    training = claim.hours if claim.kind == TrainingClaim.Kind.TRAINING else 0
    if counted:
        with connection.cursor() as cursor:
            _hours_added(cursor, claim.cadre_id, claim.year, "%s", [online], training)
    else:
        _hours_taken(claim.cadre_id, claim.year, online, training)


def completion_added(completion):
    """Count a completion just inserted, in every module holding its unit, and the
    学时 it credits (``Completion.credit_hours``) in the cadre's year."""
    last = _greatest(f"{P}.last_completed_at", "excluded.last_completed_at")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {P} (module_id, cadre_id, done, last_completed_at) "  # noqa: S608  # nosec B608
            f"SELECT m.module_id, %s, 1, %s FROM ({MODULES_OF_UNIT}) m WHERE true "
            f"ON CONFLICT (module_id, cadre_id) DO UPDATE "
            f"SET done = {P}.done + 1, last_completed_at = {last}",
            [completion.cadre_id, completion.completed_at, completion.unit_id],
        )
        year = timezone.localtime(completion.completed_at).year
        _hours_added(cursor, completion.cadre_id, year, "%s", [completion.credit_hours])
        if completion.org_unit_id is not None:
            cursor.execute(
                f"INSERT INTO {W} (module_id, org_unit_id, week, count) "  # noqa: S608  # nosec B608
                f"SELECT m.module_id, %s, %s, 1 FROM ({MODULES_OF_UNIT}) m WHERE true "
                f"ON CONFLICT (module_id, org_unit_id, week) DO UPDATE SET count = {W}.count + 1",
                [completion.org_unit_id, week_of(completion.completed_at), completion.unit_id],
            )


def completion_removed(completion):
    """Take away a completion just deleted (by the caller, who knows it deleted it): in
    every module holding its unit, the week it was made in and the 学时 it credited.

    Every row it takes from must be there (``StoredTotalMissing`` otherwise), and no
    floor at zero: a count that would go below it is a bug, and the column's CHECK
    constraint makes it fail loudly instead of hiding the drift."""
    modules = list(
        ModuleUnit.objects.filter(unit_id=completion.unit_id).values_list("module_id", flat=True)
    )
    latest = (
        Completion.objects.filter(
            cadre_id=OuterRef("cadre_id"), unit__module_units__module_id=OuterRef("module_id")
        )
        .order_by("-completed_at")
        .values("completed_at")[:1]
    )
    changed = Progress.objects.filter(cadre_id=completion.cadre_id, module_id__in=modules).update(
        done=F("done") - 1, last_completed_at=Subquery(latest)
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


# --- recounts: recompute() writes them, verify() compares them -------------------------


def _in_modules(module_ids, column):
    """An SQL condition (and its parameters) for rows of these modules; none for all."""
    if module_ids is None:
        return "", []
    return f" AND {column} IN ({', '.join(['%s'] * len(module_ids))})", list(module_ids)


def _progress_recount(module_ids):
    where, params = _in_modules(module_ids, "mu.module_id")
    sql = (
        f"SELECT mu.module_id, c.cadre_id, COUNT(*), MAX(c.completed_at) FROM {C} c "  # noqa: S608  # nosec B608
        f"JOIN {MU} mu ON mu.unit_id = c.unit_id WHERE 1 = 1{where} "
        f"GROUP BY mu.module_id, c.cadre_id"
    )
    return sql, params


def _week_recount_sql(module_ids):
    """PostgreSQL: the weekly counts in SQL (local weeks)."""
    where, params = _in_modules(module_ids, "mu.module_id")
    week = "(DATE_TRUNC('week', c.completed_at AT TIME ZONE %s))::date"
    sql = (
        f"SELECT mu.module_id, c.org_unit_id, {week}, COUNT(*) FROM {C} c "  # noqa: S608  # nosec B608
        f"JOIN {MU} mu ON mu.unit_id = c.unit_id "
        f"WHERE c.org_unit_id IS NOT NULL{where} GROUP BY 1, 2, 3"
    )
    return sql, [timezone.get_current_timezone_name(), *params]


def _week_recount_python(module_ids):
    """SQLite (development scale): local weeks are simplest to get right in Python."""
    links = ModuleUnit.objects.all()
    if module_ids is not None:
        links = links.filter(module_id__in=module_ids)
    modules_of = {}
    for module_id, unit_id in links.values_list("module_id", "unit_id"):
        modules_of.setdefault(unit_id, []).append(module_id)
    counts = Counter()
    completions = Completion.objects.filter(
        unit_id__in=list(modules_of), org_unit__isnull=False
    ).values_list("unit_id", "org_unit_id", "completed_at")
    for unit_id, org_unit_id, at in completions.iterator():
        for module_id in modules_of[unit_id]:
            counts[(module_id, org_unit_id, week_of(at))] += 1
    return counts


def recompute(module_ids=None):
    """Recompute both tables for these modules (all modules when None) from the
    completions, in one transaction."""
    if module_ids is not None:
        module_ids = list(module_ids)
        if not module_ids:
            return
    delete_where, delete_params = _in_modules(module_ids, "module_id")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {P} WHERE 1 = 1{delete_where}", delete_params)  # noqa: S608  # nosec B608
        sql, params = _progress_recount(module_ids)
        cursor.execute(
            f"INSERT INTO {P} (module_id, cadre_id, done, last_completed_at) {sql}",  # noqa: S608  # nosec B608
            params,
        )
        cursor.execute(f"DELETE FROM {W} WHERE 1 = 1{delete_where}", delete_params)  # noqa: S608  # nosec B608
        if connection.vendor == "postgresql":
            sql, params = _week_recount_sql(module_ids)
            cursor.execute(f"INSERT INTO {W} (module_id, org_unit_id, week, count) {sql}", params)  # noqa: S608  # nosec B608
        else:
            ProgressWeek.objects.bulk_create(
                ProgressWeek(module_id=m, org_unit_id=o, week=w, count=n)
                for (m, o, w), n in _week_recount_python(module_ids).items()
            )


def _hours_recount(cadre_ids=None):
    """{(cadre, year): (online, training)} from the completions and approved claims."""
    hours = defaultdict(lambda: [ZERO, ZERO])
    completions = Completion.objects.all()
    claims = TrainingClaim.objects.approved()
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
    """Recompute the stored 学时 of these cadres (all when None) from the source rows."""
    if cadre_ids is not None:
        cadre_ids = list(cadre_ids)
        if not cadre_ids:
            return
    with transaction.atomic():
        stored = HoursYear.objects.all()
        if cadre_ids is not None:
            stored = stored.filter(cadre_id__in=cadre_ids)
        stored.delete()
        HoursYear.objects.bulk_create(
            (
                HoursYear(cadre_id=c, year=y, online=online, training=training)
                for (c, y), (online, training) in _hours_recount(cadre_ids).items()
            ),
            batch_size=5000,
        )


def rebuild():
    """Recompute everything (``manage.py rebuild_progress``)."""
    recompute(None)
    recompute_hours(None)


def stored_hours():
    return {
        (c, y): (online, training)
        for c, y, online, training in HoursYear.objects.values_list(
            "cadre_id", "year", "online", "training"
        ).iterator(chunk_size=20_000)
        if online or training
    }


def stored_progress():
    return {
        (m, c): (d, at)
        for m, c, d, at in Progress.objects.exclude(done=0).values_list(
            "module_id", "cadre_id", "done", "last_completed_at"
        )
    }


def stored_weeks():
    return Counter(
        {
            (m, o, w): n
            for m, o, w, n in ProgressWeek.objects.exclude(count=0).values_list(
                "module_id", "org_unit_id", "week", "count"
            )
        }
    )


def _differences(name, stored, expected, limit):
    for key in sorted(set(stored) | set(expected), key=str):
        if stored.get(key) != expected.get(key):
            yield f"{name} {key}: stored {stored.get(key)}, recount {expected.get(key)}"
            limit -= 1
            if not limit:
                return


def verify(limit=20, skip_modules=None):
    """Recount every stored total from its source rows; the first ``limit``
    differences as sentences (an empty list when everything agrees). The progress of
    ``skip_modules`` (by default those whose recount job has not run yet,
    ``Job.objects.pending_recount``) is left out."""
    if skip_modules is None:
        skip_modules = Job.objects.pending_recount()
    sql, params = _progress_recount(None)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        progress = {(m, c): (n, aware(at)) for m, c, n, at in cursor.fetchall()}
        if connection.vendor == "postgresql":
            sql, params = _week_recount_sql(None)
            cursor.execute(sql, params)
            weeks = Counter({(m, o, w): n for m, o, w, n in cursor.fetchall()})
        else:
            weeks = _week_recount_python(None)
    stored = {k: (d, aware(at)) for k, (d, at) in stored_progress().items()}
    stored_week_counts = stored_weeks()
    if skip_modules:
        progress, stored, weeks, stored_week_counts = (
            {k: v for k, v in totals.items() if k[0] not in skip_modules}
            for totals in (progress, stored, weeks, stored_week_counts)
        )
    found = list(_differences("progress (module, cadre)", stored, progress, limit))
    found += _differences(
        "weekly completions (module, org unit, week)", stored_week_counts, weeks, limit
    )
    expected_hours = {k: v for k, v in _hours_recount().items() if any(v)}
    found += _differences(
        "study hours (cadre, year) (online, training)", stored_hours(), expected_hours, limit
    )
    found += islice(_search_differences(), limit)
    found += islice(_hour_differences(), limit)
    return found[:limit]


def aware(value):
    """Raw SQL gives SQLite's datetimes as text (UTC): read them as the ORM does."""
    if isinstance(value, str):
        value = parse_datetime(value)
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value, UTC)
    return value


def _hour_differences():
    """Each unit's credited 学时 against its recount: the hours an editor set, or the
    reading-length rule."""
    rows = StudyUnit.objects.order_by("pk").values_list(
        "pk", "slug", "study_hours", "reading_minutes", "credit_hours"
    )
    for pk, slug, hours, minutes, credited in rows.iterator(chunk_size=2000):
        expected = hours if hours is not None else hours_for_minutes(minutes)
        if credited != expected:
            yield (
                f"credited study hours of unit {pk} ({slug}): stored {credited}, recount {expected}"
            )


def _search_differences():
    units = StudyUnit.objects.prefetch_related("tags").order_by("pk")
    for unit in units.iterator(chunk_size=500):
        expected = document(unit, tag_search_names(unit.tags.all()))
        for name in DERIVED_FIELDS:
            if getattr(unit, name) != expected[name]:
                yield f"search column {name} of unit {unit.pk} ({unit.slug}) is out of date"
                break
