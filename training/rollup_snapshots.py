"""The stored roll-ups of the big org units (``RollupRow``), and the only code that
writes them (issue #37).

Why: a node's roll-up by org unit is one GROUP BY over every active cadre of its
subtree (``ModuleProgress.rollup``): about 190 ms for a province of 50,000 cadres,
seconds for a nation of a million, on every view of the page. For the few nodes that
large, the periodic task ``progress.recount_rollups`` (every
``settings.PROGRESS_SNAPSHOT_SECONDS``, training/jobs/periodic.py) counts the roll-up
once for everyone, and the page reads its rows back (one query) and says when they were
counted. Every other node stays counted live, exactly.

Which nodes are big: those whose subtree holds more than
``settings.PROGRESS_SNAPSHOT_CADRES`` active cadres (20,000 by default: of the generated
province's 50,000 cadres, only the province itself; a nation's root and its provinces).
The rule counts the cadres, not the cadres a module reaches, so that it is one count
for all modules, and a trainer's county (about 2,000 cadres) is always exact.

What they hold: exactly what ``ModuleProgress.rollup`` returned for the module (all its
assignments) at the node, when it was counted: the same code counts both. A page of
one assignment is counted live; only its cadre list follows the node's size.

How they are written: one count a module for all the big nodes (``count_rollups``:
one GROUP BY, each node's rows added up from the groups below it), then per (module,
node) the replacement of the rows in one transaction, so a reader sees the whole old
roll-up or the whole new one. Two
recounts that overlap (a run longer than the interval) both count; the second to write
a (module, node) meets the unique constraint and leaves the first's fresh rows. Any
other refusal of the table (a count it cannot hold) is raised: it is a bug.
"""

import logging
import time
from collections import Counter, defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Min
from django.utils import timezone

from org.models import Cadre, OrgUnit, ancestor_paths, outermost
from portal.planner import local_settings

from .models import Assignment, RollupRow
from .progress import ModuleProgress, finish_rollup, rollup_rows

logger = logging.getLogger(__name__)

COUNTS = ("cadre_count", "completed", "in_progress", "not_started", "overdue_count")
SUMS = ("cadre_count", "completed", "not_started", "overdue_count")  # counts_by_path's


def big_nodes(threshold=None):
    """The org units whose subtree holds more than ``threshold``
    (``settings.PROGRESS_SNAPSHOT_CADRES``) active cadres. Two queries: the active
    cadres per org unit, added up each unit's ancestors here, and the big units."""
    threshold = settings.PROGRESS_SNAPSHOT_CADRES if threshold is None else threshold
    per_unit = (
        Cadre.objects.filter(active=True)
        .values_list("org_unit__path")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = Counter()
    for path, n in per_unit:
        for prefix in ancestor_paths(path, OrgUnit.steplen):
            counts[prefix] += n
    return list(OrgUnit.objects.filter(path__in=[p for p, n in counts.items() if n > threshold]))


def _assigned_modules():
    """{module: [its assignments]} of every module that has assignments."""
    modules = defaultdict(list)
    for a in Assignment.objects.select_related("module", "org_unit").order_by("pk"):
        modules[a.module].append(a)
    return modules


def count_rollups(progress, nodes):
    """{node: its roll-up rows} of ``progress`` at each of ``nodes``, from one GROUP BY
    over the cadres of their subtrees: by path cut one step below the deepest node, each
    node's rows added up from the groups below it (the counts are sums). A nation of a
    million cadres and its 31 provinces are one pass a module, not 32."""
    nodes = list(nodes)
    if not nodes:
        return {}
    length = max(len(n.path) for n in nodes) + OrgUnit.steplen
    tops = outermost(nodes)
    # PostgreSQL counts in this backend alone, without parallel workers: a nation's
    # recount then takes one core of the primary at a time, and the pages people wait
    # on keep the others. It costs wall time and saves CPU: the generated nation's
    # whole recount, 10 s and 8.1-8.2 CPU-seconds of the database against 8.1 s and
    # 9.5 with two workers (bench/RESULTS.md, "The county view under latency").
    with local_settings(max_parallel_workers_per_gather=0):
        groups = progress.counts_by_path(progress.cadres(Cadre.objects.in_subtree(*tops)), length)
    summed = {}
    for node in nodes:
        child_len, rows = len(node.path) + OrgUnit.steplen, {}
        for group in groups:
            if group["child_path"].startswith(node.path):
                key = group["child_path"][:child_len]
                row = rows.setdefault(key, {"child_path": key, **dict.fromkeys(SUMS, 0)})
                for k in SUMS:
                    row[k] += group[k]
        summed[node] = list(rows.values())
    paths = {r["child_path"] for rows in summed.values() for r in rows}
    known = list(OrgUnit.objects.filter(path__in=paths))
    return {node: finish_rollup(node, rows, known) for node, rows in summed.items()}


def write_node(module, node, rows, counted_at):
    """Replace the stored roll-up of ``module`` at ``node`` with ``rows``, in one
    transaction: a reader sees the whole old roll-up or the whole new one."""
    with transaction.atomic():
        RollupRow.objects.filter(module=module, node=node).delete()
        RollupRow.objects.bulk_create(
            RollupRow(
                module=module,
                node=node,
                org_unit=r["org_unit"],
                counted_at=counted_at,
                **{k: r[k] for k in COUNTS},
            )
            for r in rows
        )


def recount_node(progress, node):
    """Count ``progress``'s roll-up at ``node`` and store it; the rows counted."""
    counted_at = timezone.now()
    rows = count_rollups(progress, [node])[node]
    write_node(progress.module, node, rows, counted_at)
    return rows


def recount(threshold=None):
    """Recount the stored roll-up of every module with assignments at every big node
    (one count a module, ``count_rollups``), and delete those of nodes no longer big and
    modules no longer assigned. What it did: {"rollups": (module, node) pairs written,
    "seconds": time taken}."""
    started = time.perf_counter()
    nodes = big_nodes(threshold)
    modules = _assigned_modules()
    written = 0
    for module, assignments in modules.items():
        began = timezone.now()
        counted = count_rollups(ModuleProgress(module, assignments), nodes)
        for node in nodes:
            try:
                write_node(module, node, counted[node], began)
            except IntegrityError:
                # Expected only when an overlapping recount wrote this roll-up since we
                # began; any other refusal (a count the table cannot hold) is a bug.
                if not RollupRow.objects.filter(
                    module=module, node=node, counted_at__gte=began
                ).exists():
                    raise
                logger.info("roll-up of module %s at %s written by another recount", module, node)
                continue
            written += 1
    RollupRow.objects.exclude(
        module_id__in=[m.pk for m in modules], node_id__in=[n.pk for n in nodes]
    ).delete()
    return {"rollups": written, "seconds": round(time.perf_counter() - started, 3)}


def stored_rollup(module, node):
    """The stored roll-up of ``module`` at ``node`` as the page shows it (rows in
    ``ModuleProgress.rollup``'s form) and when it was counted; None when there is none
    (the node is not big, or its first recount has not run). One query."""
    stored = list(RollupRow.objects.of(module, node))
    if not stored:
        return None
    rows = [
        {
            "org_unit": r.org_unit,
            "child_path": r.org_unit.path,
            **{k: getattr(r, k) for k in COUNTS},
        }
        for r in stored
    ]
    return rollup_rows(node, rows), min(r.counted_at for r in stored)


def _key(rows):
    return sorted((r["org_unit"].pk, *(r[k] for k in COUNTS)) for r in rows)


def verify(limit=20):
    """The stored roll-ups that do not read back as they were counted; sentences.

    A stored roll-up is up to ``PROGRESS_SNAPSHOT_SECONDS`` old by design, so it cannot
    be compared with a count made now: a completion since is a difference, not a drift.
    What can go wrong is the way from the count to the page, so each stored (module,
    node) is recounted, written and read back as the page reads it, and compared with
    the count, in a transaction rolled back afterwards (this changes nothing). How old
    they are is ``stale()``'s question."""
    found = []
    pairs = defaultdict(list)
    for module_id, node_id in RollupRow.objects.values_list("module_id", "node_id").distinct():
        pairs[module_id].append(node_id)
    with transaction.atomic():
        by_pk = {m.pk: (m, a) for m, a in _assigned_modules().items()}
        for module_id, node_ids in sorted(pairs.items()):
            if module_id not in by_pk:  # no longer assigned: the next recount deletes it
                continue
            module, assignments = by_pk[module_id]
            nodes = list(OrgUnit.objects.filter(pk__in=node_ids))
            counted = count_rollups(ModuleProgress(module, assignments), nodes)
            for node in nodes:
                write_node(module, node, counted[node], timezone.now())
                shown = stored_rollup(module, node)
                if _key(counted[node]) != _key(shown[0] if shown else []):
                    found.append(
                        f"stored roll-up of module {module_id} at {node.code} reads back wrong"
                    )
        transaction.set_rollback(True)
    return found[:limit]


def stale(max_age=None):
    """A sentence when the oldest stored roll-up is older than ``max_age`` (five
    intervals by default: the periodic task has stopped), else None."""
    max_age = max_age or timedelta(seconds=5 * settings.PROGRESS_SNAPSHOT_SECONDS)
    oldest = RollupRow.objects.aggregate(oldest=Min("counted_at"))["oldest"]
    if oldest is not None and oldest < timezone.now() - max_age:
        return (
            f"stored roll-ups last counted at {timezone.localtime(oldest):%Y-%m-%d %H:%M:%S}, "
            f"more than {int(max_age.total_seconds())} s ago: is the task worker running?"
        )
    return None
