"""Progress reads: how far each cadre is in a module, rolled up by org unit.

Everything here is a queryset whose number of queries does not grow with the
number of cadres, units or modules. Only units readers can see count: a cadre cannot
be asked to finish a unit nobody can read. The stored totals (training.progress_store)
count every unit of a module; the completions of its hidden units (drafts, and units
scheduled for later: rarely more than a few) are taken away here, when reading, so a
unit counts from the moment its publication time passes.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from functools import cache

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    DateTimeField,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr, TruncWeek
from django.utils import timezone
from django.utils.dateparse import parse_date

from expositions.models import StudyUnit, UnitLink, published_params, published_sql
from org.models import Cadre, OrgUnit, ancestor_paths, subtree_q
from portal.prepared import prepared

from . import progress_store
from .models import Assignment, Completion, Module, ModuleUnit, Progress, ProgressWeek

COMPLETE = "complete"
IN_PROGRESS = "in_progress"
NOT_STARTED = "not_started"
OVERDUE = "overdue"
STATUSES = (NOT_STARTED, IN_PROGRESS, COMPLETE, OVERDUE)


def _count(qs):
    """A scalar subquery counting the rows of ``qs`` (0 when there are none)."""
    return Coalesce(
        Subquery(
            qs.order_by()
            .annotate(_one=Value(1))
            .values("_one")
            .annotate(n=Count("*"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def _per_week(completions):
    """{Monday: completions} of a queryset of completions (local weeks)."""
    counts = Counter()
    rows = (
        completions.annotate(week=TruncWeek("completed_at"))
        .values_list("week")
        .annotate(n=Count("pk"))
        .values_list("week", "n")
    )
    for week, n in rows:
        counts[timezone.localtime(week).date() if hasattr(week, "hour") else week] += n
    return counts


@dataclass
class ModuleProgress:
    """Progress of one module over the cadres its assignments reach.

    ``assignments`` are the assignments that count (all of the module's, or one);
    a cadre reached by several takes the earliest due date.
    """

    module: Module
    assignments: list
    today: object = None

    def __post_init__(self):
        self.today = self.today or timezone.localdate()
        # The module's units and whether readers can see each, in one query (not the
        # ids of every published unit: there may be tens of thousands).
        visible = StudyUnit.objects.published().filter(pk=OuterRef("unit_id"))
        units = (
            ModuleUnit.objects.filter(module=self.module)
            .order_by("position")
            .values_list("unit_id", Exists(visible))
        )
        self.unit_ids, self.hidden_ids = [], []
        for unit_id, is_visible in units:
            (self.unit_ids if is_visible else self.hidden_ids).append(unit_id)
        self.total = len(self.unit_ids)
        self.assignments = sorted(self.assignments, key=lambda a: (a.due_on, a.pk))

    def _reach_q(self, assignment):
        if assignment.cadre_id:
            return Q(pk=assignment.cadre_id)
        return Q(org_unit__path__startswith=assignment.org_unit.path)

    def _reach(self):
        reach = Q(pk__in=[])
        for a in self.assignments:
            reach |= self._reach_q(a)
        return reach

    def completed_before_assignment(self, node):
        """How many completions counted in ``node``'s part of the tree were made before
        the module was assigned to their cadre (by the earliest assignment reaching the
        cadre), and the earliest assignment time. They count: a unit studied once need
        not be studied again, and the progress page says so. One query."""
        if not self.assignments or not self.unit_ids:
            return 0, None
        earlier = Q(pk__in=[])
        before = Q(pk__in=[])
        for a in sorted(self.assignments, key=lambda a: (a.created_at, a.pk)):
            if a.cadre_id:
                reach = Q(cadre_id=a.cadre_id)
            else:
                reach = Q(cadre__org_unit__path__startswith=a.org_unit.path)
            before |= reach & ~earlier & Q(completed_at__lt=a.created_at)
            earlier |= reach
        count = Completion.objects.filter(
            before,
            unit_id__in=self.unit_ids,
            cadre__active=True,
            cadre__org_unit__path__startswith=node.path,
        ).count()
        return count, min(a.created_at for a in self.assignments)

    def completions_by_week(self, node, weeks=12):
        """Completions of this module's units in ``node``'s part of the tree, by the
        cadres the module reaches, per week for the last ``weeks`` weeks (oldest first,
        empty weeks included). A completion counts where the cadre worked when they
        made it. Small queries: the stored ProgressWeek rows of the org units reached
        (less the completions of the module's hidden units, when it has any), and the
        completions of cadres assigned one by one elsewhere."""
        today = self.today
        start = today - timedelta(days=today.weekday(), weeks=weeks - 1)
        since = timezone.make_aware(datetime.combine(start, time.min))
        counts = Counter()
        if self.assignments:
            prefixes = [a.org_unit.path for a in self.assignments if a.org_unit_id]
            here = Q(org_unit__path__startswith=node.path)
            recent = Completion.objects.filter(here, completed_at__gte=since)
            if prefixes:
                reached = subtree_q("org_unit__path", prefixes)
                counts.update(
                    dict(
                        ProgressWeek.objects.filter(here, reached)
                        .filter(module=self.module, week__gte=start)
                        .values_list("week")
                        .annotate(n=Sum("count"))
                        .values_list("week", "n")
                    )
                )
                if self.hidden_ids:
                    counts.subtract(_per_week(recent.filter(reached, unit_id__in=self.hidden_ids)))
            singles = [a.cadre_id for a in self.assignments if a.cadre_id]
            if singles:
                counts.update(
                    _per_week(
                        recent.filter(cadre_id__in=singles, unit_id__in=self.unit_ids).exclude(
                            subtree_q("org_unit__path", prefixes)
                        )
                    )
                )
        return [
            (start + timedelta(weeks=i), counts.get(start + timedelta(weeks=i), 0))
            for i in range(weeks)
        ]

    # Hidden units whose completions are taken away through a join each (beyond these, a
    # subquery per cadre, which the roll-up would run for every one of 50,000 cadres).
    JOINED_HIDDEN_UNITS = 8

    def _done(self):
        """What a cadre's stored count becomes when read: (joins, done, last completed).

        The stored count less the completions of the module's hidden units: each such
        completion is found by a LEFT JOIN on its (cadre, unit) key, at most one row
        each, so the roll-up stays one pass over the cadres (bench/RESULTS.md)."""
        joins = {"mine": FilteredRelation("progress", condition=Q(progress__module=self.module))}
        done = Coalesce(F("mine__done"), 0)
        last = F("mine__last_completed_at")
        if not self.hidden_ids:
            return joins, done, last
        for i, unit_id in enumerate(self.hidden_ids[: self.JOINED_HIDDEN_UNITS]):
            name = f"hidden_{i}"
            joins[name] = FilteredRelation("completions", condition=Q(completions__unit=unit_id))
            done = done - Case(When(**{f"{name}__isnull": False}, then=1), default=0)
        mine = Completion.objects.filter(cadre=OuterRef("pk"))
        rest = self.hidden_ids[self.JOINED_HIDDEN_UNITS :]
        if rest:
            done = done - _count(mine.filter(unit_id__in=rest))
        last = Subquery(
            mine.filter(unit_id__in=self.unit_ids)
            .order_by("-completed_at")
            .values("completed_at")[:1]
        )
        return joins, done, last

    def cadres(self, base=None):
        """Active cadres reached, annotated: due_on, done, last_completed_at, status, overdue."""
        base = Cadre.objects.all() if base is None else base
        if not self.assignments:
            return base.none().annotate(
                due_on=Value(None, output_field=DateField()),
                done=Value(0, output_field=IntegerField()),
                last_completed_at=Value(None, output_field=DateTimeField()),
                status=Value(NOT_STARTED, output_field=CharField()),
                overdue=Value(False, output_field=BooleanField()),
            )
        reach = self._reach()
        due = Case(
            *[When(self._reach_q(a), then=Value(a.due_on)) for a in self.assignments],
            output_field=DateField(),
        )
        # done and last_completed_at come from the stored Progress rows (one LEFT JOIN),
        # not from counting completions per cadre: see training.progress_store.
        joins, done, last = self._done()
        return (
            base.filter(active=True)
            .filter(reach)
            .select_related("org_unit")
            .annotate(**joins)
            .annotate(
                due_on=due,
                done=done,
                last_completed_at=last,
            )
            .annotate(
                status=Case(
                    When(done__gte=self.total, then=Value(COMPLETE)),
                    When(done=0, then=Value(NOT_STARTED)),
                    default=Value(IN_PROGRESS),
                    output_field=CharField(),
                ),
                overdue=Case(
                    When(Q(done__lt=self.total) & Q(due_on__lt=self.today), then=Value(True)),
                    default=Value(False),
                    output_field=BooleanField(),
                ),
            )
        )

    def filter_status(self, cadres, status):
        if status == OVERDUE:
            return cadres.filter(overdue=True)
        if status in (COMPLETE, IN_PROGRESS, NOT_STARTED):
            return cadres.filter(status=status)
        return cadres

    def rollup(self, node, cadres):
        """One row per child of ``node`` (and one for cadres placed in ``node`` itself):
        cadres, completed, in progress, not started, overdue, percent complete."""
        child_len = len(node.path) + OrgUnit.steplen
        rows = (
            cadres.order_by()
            .annotate(child_path=Substr("org_unit__path", 1, child_len))
            .values("child_path")
            .annotate(
                cadre_count=Count("pk"),
                completed=Count("pk", filter=Q(done__gte=self.total)),
                not_started=Count("pk", filter=Q(done=0)),
                overdue_count=Count("pk", filter=Q(done__lt=self.total, due_on__lt=self.today)),
            )
        )
        rows = list(rows)
        units = {
            o.path: o for o in OrgUnit.objects.filter(path__in=[r["child_path"] for r in rows])
        }
        result = []
        for r in rows:
            r["org_unit"] = units[r["child_path"]]
            r["is_self"] = r["child_path"] == node.path
            r["in_progress"] = r["cadre_count"] - r["completed"] - r["not_started"]
            r["percent"] = round(100 * r["completed"] / r["cadre_count"]) if r["cadre_count"] else 0
            result.append(r)
        result.sort(key=lambda r: (not r["is_self"], -r["overdue_count"], r["org_unit"].code))
        return result

    def totals(self, rows):
        keys = ("cadre_count", "completed", "in_progress", "not_started", "overdue_count")
        total = {k: sum(r[k] for r in rows) for k in keys}
        total["percent"] = (
            round(100 * total["completed"] / total["cadre_count"]) if total["cadre_count"] else 0
        )
        return total


def _my_modules_sql(cadre, containing, next_units):
    """SQL and parameters: the active modules reaching ``cadre`` with due_on (the
    earliest), stored_done, last_completed_at, total (units readers can see), their
    study_hours and unit_count; only those holding ``containing`` when given. With
    ``next_units``, each module's first readable unit in its order that the cadre has
    not completed, as its ``UnitLink.columns`` prefixed ``next`` (NULL when there is
    none).

    The cadre's modules are found first (``r``: assignments to the cadre, and to their
    org unit or any above it, two index lookups rather than one scan with an OR), and
    only those modules' units are read (``v``: each unit once for all three figures):
    on the generated province 2.0 ms where one grouped join over every module took
    3.0, before the next units joined it (bench/RESULTS.md, 2026-12-02)."""
    t = {
        name: model._meta.db_table
        for name, model in {
            "m": Module,
            "a": Assignment,
            "o": OrgUnit,
            "p": Progress,
            "mu": ModuleUnit,
            "su": StudyUnit,
            "c": Completion,
        }.items()
    }
    paths = ancestor_paths(cadre.org_unit.path, OrgUnit.steplen)
    holding, holding_params = "", []
    if containing is not None:
        holding = f" AND a.module_id IN (SELECT x.module_id FROM {t['mu']} x WHERE x.unit_id = %s)"  # noqa: S608, E501  # nosec B608
        holding_params = [containing.pk]
    readable = published_sql("su")
    readable_params = published_params()
    next_units_cte, next_columns, next_join, next_params = "", "", "", []
    if next_units:
        # Found per module (the first in its order: an index walk that stops at once),
        # then the unit read by its key.
        next_units_cte = (
            f"n AS (SELECT r.module_id, (SELECT mu.unit_id FROM {t['mu']} mu"  # noqa: S608  # nosec B608
            f" JOIN {t['su']} su ON su.id = mu.unit_id WHERE mu.module_id = r.module_id"
            f" AND {readable} AND NOT EXISTS (SELECT 1 FROM {t['c']} c WHERE c.cadre_id = %s"
            f" AND c.unit_id = mu.unit_id) ORDER BY mu.position LIMIT 1) AS unit_id FROM r), "
        )
        next_columns = ", " + UnitLink.columns("nu", "next")
        next_join = (
            f"LEFT JOIN n ON n.module_id = m.id LEFT JOIN {t['su']} nu ON nu.id = n.unit_id "
        )
        next_params = [*readable_params, cadre.pk]
    # Only table names and placeholder lists are formatted in; values are parameters.
    sql = (
        f"WITH r AS (SELECT module_id, MIN(due_on) AS due_on FROM ("  # noqa: S608  # nosec B608
        f"SELECT a.module_id, a.due_on FROM {t['a']} a WHERE a.cadre_id = %s{holding}"
        f" UNION ALL SELECT a.module_id, a.due_on FROM {t['a']} a WHERE a.org_unit_id IN"
        f" (SELECT o.id FROM {t['o']} o WHERE o.path IN ({', '.join(['%s'] * len(paths))}))"
        f"{holding}) ra GROUP BY module_id), {next_units_cte}"
        f"v AS (SELECT mu.module_id, COUNT(*) AS unit_count,"
        f" SUM(CASE WHEN {readable} THEN 1 ELSE 0 END) AS total,"
        f" SUM(CASE WHEN {readable} THEN su.credit_hours ELSE 0 END) AS study_hours"
        f" FROM {t['mu']} mu JOIN {t['su']} su ON su.id = mu.unit_id"
        f" WHERE mu.module_id IN (SELECT module_id FROM r) GROUP BY mu.module_id) "
        f"SELECT m.*, r.due_on, p.done AS stored_done, p.last_completed_at,"
        f" COALESCE(v.unit_count, 0) AS unit_count, COALESCE(v.total, 0) AS total,"
        f" COALESCE(v.study_hours, 0) AS study_hours{next_columns} "
        f"FROM r JOIN {t['m']} m ON m.id = r.module_id LEFT JOIN v ON v.module_id = m.id "
        f"LEFT JOIN {t['p']} p ON p.module_id = m.id AND p.cadre_id = %s "
        f"{next_join}WHERE m.status = %s"
    )
    return sql, [
        cadre.pk,
        *holding_params,
        *paths,
        *holding_params,
        *next_params,
        *readable_params,
        *readable_params,
        cadre.pk,
        Module.Status.ACTIVE,
    ]


def _date(value):
    """SQLite gives a raw query's dates as text."""
    return parse_date(value) if isinstance(value, str) else value


def completion_of(cadre, unit):
    """``cadre``'s completion of ``unit`` (its completed_at only), or None: the unit
    page's question, asked with a prepared statement (portal/prepared.py); the ORM
    took longer to build the query than the database to answer it."""
    sql = (
        f"SELECT id, completed_at FROM {Completion._meta.db_table}"  # noqa: S608  # nosec B608
        " WHERE cadre_id = %s AND unit_id = %s"
    )
    with prepared(sql, [cadre.pk, unit.pk]) as (sql, params):
        return next(iter(Completion.objects.raw(sql, params)), None)


@dataclass
class ModulePlace:
    """Where a unit stands in a module's order, among the units a reader may read:
    its position (from 1), how many there are, and the units before and after it
    (``UnitLink``s, None at an end)."""

    position: int
    count: int
    previous: UnitLink | None
    next: UnitLink | None


def place_in_module(module_id, unit, drafts):
    """``unit``'s ``ModulePlace`` in module ``module_id`` among published units (and
    drafts too when ``drafts``: an editor), or None when the module does not hold it.

    One prepared query (portal/prepared.py): two counts and two index walks on the
    module's positions. The unit page reached from a module read the module's units
    as rows through the ORM for this: 2.6 ms of a 5.6 ms page (bench/RESULTS.md)."""
    sql = _place_sql(drafts)
    params = [module_id, unit.pk]
    if not drafts:
        params = published_params() * 4 + params
    with prepared(sql, params) as (sql, params), connection.cursor() as cursor:
        cursor.execute(sql, params)
        values = cursor.fetchone()
        if values is None:
            return None
        row = dict(zip((column[0] for column in cursor.description), values, strict=True))
    return ModulePlace(
        position=row["units_before"] + 1,
        count=row["units_count"],
        previous=UnitLink.from_columns(row, "previous"),
        next=UnitLink.from_columns(row, "next"),
    )


@cache
def _place_sql(drafts):
    """``place_in_module``'s SQL: ``units_before`` and ``units_count`` (the readable
    units before the unit, and all of them), then the ``UnitLink.columns`` of the
    previous and the next unit. Readers' statements take ``published_params()`` for
    each of the four, then the module and the unit."""
    mu, su = ModuleUnit._meta.db_table, StudyUnit._meta.db_table
    readable = "" if drafts else f" AND {published_sql('s')}"
    units = f"FROM {mu} x JOIN {su} s ON s.id = x.unit_id WHERE x.module_id = h.module_id"

    def neighbour(comparison, direction):
        return (
            f"(SELECT x.unit_id {units} AND x.position {comparison} h.position{readable}"
            f" ORDER BY x.position {direction} LIMIT 1)"
        )

    # Only table and column names from the models' _meta are formatted in.
    return (
        f"SELECT (SELECT COUNT(*) {units} AND x.position < h.position{readable}) AS units_before,"  # noqa: S608, E501  # nosec B608
        f" (SELECT COUNT(*) {units}{readable}) AS units_count,"
        f" {UnitLink.columns('p', 'previous')}, {UnitLink.columns('n', 'next')} FROM {mu} h"
        f" LEFT JOIN {su} p ON p.id = {neighbour('<', 'DESC')}"
        f" LEFT JOIN {su} n ON n.id = {neighbour('>', 'ASC')}"
        " WHERE h.module_id = %s AND h.unit_id = %s"
    )


def my_modules(cadre, today=None, containing=None, next_units=True):
    """The active modules assigned to ``cadre`` (directly, via their org unit or any
    unit above it), as a list of modules with due_on (the earliest), total, done,
    last_completed_at, next_unit_id, next_unit (a ``UnitLink``: pk, slug,
    title), finished and overdue; unfinished and overdue first, then by due date.
    ``containing``: only the modules holding that unit. ``next_units``: find each
    unfinished module's next unit (My study needs it, the unit page does not).

    One query for the modules with every figure (done and last completion from the
    stored Progress rows) and their next units, and one more only when a module
    holds units readers cannot see. The first is SQL written out: it runs on every
    unit page and My study, and building it with the ORM cost more than running it
    (bench/RESULTS.md, "Where a page's time goes").
    """
    today = today or timezone.localdate()
    with prepared(*_my_modules_sql(cadre, containing, next_units)) as (sql, params):
        modules = list(Module.objects.raw(sql, params))
    for m in modules:
        m.due_on = _date(m.due_on)
        m.study_hours = Decimal(str(m.study_hours or 0))  # SQLite sums to a float
        m.last_completed_at = progress_store.aware(m.last_completed_at)
        m.hidden = m.unit_count - m.total
    hidden_done = Counter()
    with_hidden = [m.pk for m in modules if m.hidden]
    if with_hidden:  # the stored count includes units readers cannot see: take them away
        hidden_done.update(
            ModuleUnit.objects.filter(module_id__in=with_hidden, unit__completions__cadre=cadre)
            .exclude(unit__in=StudyUnit.objects.published())
            .values_list("module_id", flat=True)
        )
    for m in modules:
        m.done = (m.stored_done or 0) - hidden_done[m.pk]
        m.finished = m.total > 0 and m.done >= m.total
        m.overdue = m.done < m.total and m.due_on < today
        m.next_unit_id = m.next_unit = None
        if next_units and m.next_pk is not None:
            m.next_unit = UnitLink.from_columns(m, "next")
            m.next_unit_id = m.next_unit.pk
    modules.sort(key=lambda m: (m.finished, not m.overdue, m.due_on, m.title))
    return modules
