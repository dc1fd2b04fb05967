"""``verify()``: every stored total recounted from its source rows (training.progress_store
writes them and holds the recounts), and the first differences named
(``manage.py verify_progress``).

In slices, so that the memory it needs does not grow with the tables: progress and
学时 a range of cadres at a time, weekly counts a range of org units at a time; each
slice's recount and stored rows are read, compared and dropped before the next. Held
whole, both sides took 1.4 GB at 100,000 cadres (bench/RESULTS.md), about 14 GB at a
nation's million. The differences are ordered as they always were, by the text of
their key, over all the slices: only the first ``limit`` of each kind are kept.
"""

import heapq
from itertools import chain, islice

from expositions.models import StudyUnit, hours_for_minutes, tag_search_names
from expositions.search import DERIVED_FIELDS, document
from org.models import Cadre, OrgUnit

from . import rollup_snapshots
from .jobs.models import Job
from .models import HoursYear, Progress, ProgressWeek
from .progress_store import hours_recount, progress_recount, week_recount

# Cadres a slice of the progress and 学时 comparisons (a cadre has a row per module
# started and per year), org units a slice of the weekly one (a row per module and
# week with completions there).
SLICE_CADRES = 5_000
SLICE_ORG_UNITS = 50


def slices(model, field, size):
    """Filters (``{field}__gte``, ``{field}__lt``) that split the ids of ``model`` into
    ranges of ``size`` rows each, in order: the first has no lower bound and the last no
    upper one, so that together they take in every value of ``field``."""
    if size < 1:
        raise ValueError(f"a slice of {size} rows")
    ids = model._base_manager.order_by("pk").values_list("pk", flat=True)
    lower = None
    while True:
        rest = ids if lower is None else ids.filter(pk__gte=lower)
        upper = next(iter(rest[size : size + 1]), None)
        where = {}
        if lower is not None:
            where[f"{field}__gte"] = lower
        if upper is not None:
            where[f"{field}__lt"] = upper
        yield where
        if upper is None:
            return
        lower = upper


def stored_progress(**where):
    rows = (
        Progress.objects.filter(**where)
        .exclude(done=0)
        .values_list("module_id", "cadre_id", "done", "first_completed_at", "last_completed_at")
    )
    return {(m, c): (d, a, b) for m, c, d, a, b in rows.iterator(chunk_size=20_000)}


def stored_weeks(**where):
    rows = (
        ProgressWeek.objects.filter(**where)
        .exclude(count=0)
        .values_list("module_id", "org_unit_id", "week", "count")
    )
    return {(m, o, w): n for m, o, w, n in rows.iterator(chunk_size=20_000)}


def stored_hours(**where):
    rows = HoursYear.objects.filter(**where).values_list("cadre_id", "year", "online", "training")
    return {
        (c, y): (online, training)
        for c, y, online, training in rows.iterator(chunk_size=20_000)
        if online or training
    }


def _hours_recount(**where):
    """The recount of the 学时 rows verify() compares: those with hours."""
    return {key: value for key, value in hours_recount(**where).items() if any(value)}


def _differences(name, stored, expected, skip_modules=()):
    """(the key's text, the sentence) of every key whose stored total is not its
    recount; keys leading with a module of ``skip_modules`` left out."""
    for key in set(stored) | set(expected):
        if skip_modules and key[0] in skip_modules:
            continue
        if stored.get(key) != expected.get(key):
            sentence = f"{name} {key}: stored {stored.get(key)}, recount {expected.get(key)}"
            yield str(key), sentence


def _compared(name, where_slices, stored, recount, limit, skip_modules=()):
    """The first ``limit`` differences (by the key's text) between ``stored(**where)``
    and ``recount(**where)`` over every slice: one slice's rows in memory at a time."""
    found = []
    for where in where_slices:
        # One expression: the slice's dicts are dropped as soon as it is compared.
        found = heapq.nsmallest(
            limit, chain(found, _differences(name, stored(**where), recount(**where), skip_modules))
        )
    return [sentence for _, sentence in found]


def verify(limit=20, skip_modules=None, slice_cadres=SLICE_CADRES, slice_org_units=SLICE_ORG_UNITS):
    """Recount every stored total from its source rows; the first ``limit``
    differences as sentences (an empty list when everything agrees). The progress of
    ``skip_modules`` (by default those whose recount job has not run yet,
    ``Job.objects.pending_recount``) is left out. ``slice_cadres``, ``slice_org_units``:
    how many of each a slice takes in (memory against the number of queries)."""
    if skip_modules is None:
        skip_modules = Job.objects.pending_recount()
    skip_modules = set(skip_modules or ())
    found = _compared(
        "progress (module, cadre)",
        slices(Cadre, "cadre_id", slice_cadres),
        stored_progress,
        progress_recount,
        limit,
        skip_modules,
    )
    found += _compared(
        "weekly completions (module, org unit, week)",
        slices(OrgUnit, "org_unit_id", slice_org_units),
        stored_weeks,
        week_recount,
        limit,
        skip_modules,
    )
    found += _compared(
        "study hours (cadre, year) (online, training)",
        slices(Cadre, "cadre_id", slice_cadres),
        stored_hours,
        _hours_recount,
        limit,
    )
    found += islice(_search_differences(), limit)
    found += islice(_hour_differences(), limit)
    # The stored roll-ups are minutes old by design: see rollup_snapshots.verify.
    found += rollup_snapshots.verify(limit)
    return found[:limit]


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
