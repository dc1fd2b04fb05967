"""Progress reads: how far each cadre is in a module, rolled up by org unit.

Everything here is a queryset whose number of queries does not grow with the
number of cadres, units or modules. Only units readers can see count: a cadre cannot
be asked to finish a unit nobody can read. The stored totals (training.progress_store)
count every unit of a module; the completions of its hidden units (drafts, and units
scheduled for later: rarely more than a few) are taken away here, when reading, so a
unit counts from the moment its publication time passes.
"""

import copy
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta

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

from expositions.models import StudyUnit
from org.models import Cadre, OrgUnit, subtree_q

from .models import (
    Assignment,
    Completion,
    Module,
    ModuleUnit,
    Progress,
    ProgressWeek,
    count_of,
)

COMPLETE = "complete"
IN_PROGRESS = "in_progress"
NOT_STARTED = "not_started"
OVERDUE = "overdue"
STATUSES = (NOT_STARTED, IN_PROGRESS, COMPLETE, OVERDUE)


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
    # All of the module's assignments: many to single cadres are then read by subquery.
    whole: bool = False
    # The org unit this progress is for (``within``): only its subtree's cadres are read.
    node: object = None

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

    def within(self, node):
        """This progress for ``node``'s part of the tree: only the assignments that can
        reach cadres there (to single cadres, to subtrees above the node or in it), so a
        county's page of a module given to 643 townships builds its queries from a dozen
        (0.3 s of Python at a nation's size). The same counts for the cadres of the
        node's subtree, the only ones it is for; no query."""
        part = copy.copy(self)
        part.assignments = [a for a in self.assignments if a.cadre_id or node.meets(a.org_unit)]
        part.node = node
        return part

    @staticmethod
    def covering(node, assignments):
        """Those of ``assignments`` to ``node`` or an org unit above it: each reaches
        every cadre of the node's subtree."""
        return [a for a in assignments if not a.cadre_id and node.path.startswith(a.org_unit.path)]

    def _covers(self, assignments):
        """Whether one of ``assignments`` covers the node of ``within``."""
        return self.node is not None and bool(self.covering(self.node, assignments))

    SINGLES_LISTED = 100
    ANY_DUE = object()

    def _singles(self, assignments, due=ANY_DUE):
        """The cadres ``assignments`` reach one by one: listed, or when many and
        ``whole``, a subquery of the module's assignments (of due date ``due``)."""
        singles = [a.cadre_id for a in assignments if a.cadre_id]
        if not self.whole or len(singles) <= self.SINGLES_LISTED:
            return singles
        return self._all_singles(due)

    def _all_singles(self, due=ANY_DUE):
        rows = Assignment.objects.filter(module=self.module, cadre__isnull=False)
        return (rows if due is self.ANY_DUE else rows.filter(due_on=due)).values("cadre_id")

    def _reach_q(self, assignments, due=ANY_DUE):
        """Q for the cadres ``assignments`` reach: those assigned one by one in one
        ``IN`` (a module given to 6,000 cadres one by one is one condition, not 6,000
        ORs: 14-16 s a roll-up at a nation's size before), and those placed in the org
        units of the assigned subtrees in another (the prefixes compared once per org
        unit, not once per cadre: 643 townships' were 4.6 s a national roll-up).
        Within a node (``within``) that one of them covers: the node's subtree, a test of
        the cadre's own org unit, not a subquery reading every org unit assigned."""
        if self._covers(assignments):
            return Q(org_unit__path__startswith=self.node.path)
        prefixes = [a.org_unit.path for a in assignments if not a.cadre_id]
        reach = Q(pk__in=self._singles(assignments, due))
        if prefixes:
            units = OrgUnit.objects.filter(subtree_q("path", prefixes)).values("pk")
            reach |= Q(org_unit__in=units)
        return reach

    def _due(self):
        """The cadre's due date: that of the earliest assignment reaching them, one
        condition per due date (the assignments are sorted by it). Within a node, the
        first due date whose assignments cover it is every remaining cadre's: no
        condition for it, nor for any later one."""
        by_due = defaultdict(list)
        for a in self.assignments:
            by_due[a.due_on].append(a)
        whens = []
        for d, group in by_due.items():
            if self._covers(group):
                default = Value(d, output_field=DateField())
                return Case(*whens, default=default) if whens else default
            whens.append(When(self._reach_q(group, d), then=Value(d)))
        return Case(*whens, output_field=DateField())

    def studied_before_assignment(self, node):
        """Whether any completion counted in ``node``'s part of the tree was made before
        the module was assigned to its cadre (by the earliest assignment reaching the
        cadre), and the earliest assignment time. Such completions count: a unit studied
        once need not be studied again, and the progress page says so. One query.

        A cadre studied before when their first completion of the module's units came
        before every assignment reaching them: no assignment reaching the cadre was made
        at or before it. That is a condition per subtree assignment meeting the node and
        one subquery for single cadres' (not one per pair: 11 s).

        Read from the stored Progress rows (their ``first_completed_at``), one row per
        cadre of the node, not from a range of the completions of the whole tree made
        before the assignment (12,500 in the generated province): 15 → 5.4 ms for a
        county there (bench/RESULTS.md). Those rows count every unit of the module:
        while one is hidden (``hidden_ids``), a cadre whose first completion came early
        enough is asked for one of a unit readers can see, made before their
        assignment."""
        if not self.assignments or not self.unit_ids:
            return False, None
        part = self.within(node).assignments
        covering = [a.created_at for a in self.covering(node, part)]
        # Under an assignment to the node or above, every cadre here is reached and only
        # what came before it can count: no test of reach, a shorter range.
        before = min([max(a.created_at for a in self.assignments), *covering])
        found = Progress.objects.filter(
            module=self.module,
            first_completed_at__lt=before,
            cadre__active=True,
            cadre__org_unit__path__startswith=node.path,
        )
        if not covering:
            found = found.filter(self._reached_q(part))
        if self.hidden_ids:
            early = Completion.objects.filter(
                cadre_id=OuterRef("cadre_id"), unit_id__in=self.unit_ids, completed_at__lt=before
            )
            found = found.filter(Exists(early.exclude(self._already_q(part, "completed_at"))))
        else:
            found = found.exclude(self._already_q(part, "first_completed_at"))
        return found.exists(), min(a.created_at for a in self.assignments)

    def _own_assignments(self):
        """The assignments of the row's cadre (``OuterRef("cadre_id")``) that count; None
        when none is to a single cadre. A probe, not 6,000 conditions (0.9 s)."""
        singles = [a.pk for a in self.assignments if a.cadre_id]
        if not singles:
            return None
        own = Assignment.objects.filter(cadre_id=OuterRef("cadre_id"))
        return own.filter(module=self.module) if self.whole else own.filter(pk__in=singles)

    def _reached_q(self, part):
        """Q for rows (with a cadre) of the cadres ``part``'s assignments reach."""
        own = self._own_assignments()
        reached = Q(pk__in=[]) if own is None else Q(Exists(own))
        for a in part:
            if not a.cadre_id:
                reached |= Q(cadre__org_unit__path__startswith=a.org_unit.path)
        return reached

    def _already_q(self, part, at):
        """Q for rows whose time ``at`` came at or after an assignment reaching their
        cadre (one of ``part``'s, or one of the cadre's own)."""
        own = self._own_assignments()
        already = (
            Q(pk__in=[]) if own is None else Q(Exists(own.filter(created_at__lte=OuterRef(at))))
        )
        for a in part:
            if not a.cadre_id:
                reach = Q(cadre__org_unit__path__startswith=a.org_unit.path)
                already |= reach & Q(**{f"{at}__gte": a.created_at})
        return already

    def completions_by_week(self, node, weeks=12):
        """Completions of this module's units in ``node``'s part of the tree, by the
        cadres the module reaches, per week for the last ``weeks`` weeks (oldest first,
        empty weeks included). A completion counts where the cadre worked when they
        made it. Small queries: the stored ProgressWeek rows of the org units reached
        (less the completions of the module's hidden units, when it has any), and the
        completions of cadres assigned one by one elsewhere (none, when an assignment
        to ``node`` or above covers every completion here)."""
        today = self.today
        start = today - timedelta(days=today.weekday(), weeks=weeks - 1)
        since = timezone.make_aware(datetime.combine(start, time.min))
        counts = Counter()
        if self.assignments:
            prefixes = [a.org_unit.path for a in self.assignments if a.org_unit_id]
            here = Q(org_unit__path__startswith=node.path)
            recent = Completion.objects.filter(here, completed_at__gte=since)
            covered = bool(self.covering(node, self.assignments))
            if prefixes:
                reached = Q() if covered else subtree_q("org_unit__path", prefixes)
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
            # Whole: the module's single cadres by subquery, those moved away included
            # (``module_has_singles``: AssignmentQuerySet.flag_module_singles).
            singles = [a.cadre_id for a in self.assignments if a.cadre_id]
            everywhere = self.whole and any(
                getattr(a, "module_has_singles", 0) for a in self.assignments
            )
            if (singles or everywhere) and not covered:
                singles = self._all_singles() if everywhere else singles
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
            done = done - count_of(mine.filter(unit_id__in=rest))
        last = Subquery(
            mine.filter(unit_id__in=self.unit_ids)
            .order_by("-completed_at")
            .values("completed_at")[:1]
        )
        if not rest:
            # The stored last completion stands unless it is a hidden unit's: only then
            # look for the last visible one (a subquery per such cadre, not per cadre).
            joined = [f"hidden_{i}" for i in range(len(self.hidden_ids))]
            hidden_last = Q()
            for name in joined:
                hidden_last |= Q(**{f"{name}__completed_at": F("mine__last_completed_at")})
            last = Case(When(hidden_last, then=last), default=F("mine__last_completed_at"))
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
        reach, due = self._reach_q(self.assignments), self._due()
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

    def counts_by_path(self, cadres, length):
        """The roll-up's counts of ``cadres`` grouped by their org unit's path cut to
        ``length`` characters: dicts of child_path, cadre_count, completed, not_started,
        overdue_count (all sums, so groups add up to any shorter prefix). One query."""
        rows = (
            cadres.order_by()
            .annotate(child_path=Substr("org_unit__path", 1, length))
            .values("child_path")
            .annotate(
                cadre_count=Count("pk"),
                completed=Count("pk", filter=Q(done__gte=self.total)),
                # done >= total counts as complete first (as .cadres' status): with no
                # unit to study, not as not started too.
                not_started=Count("pk", filter=Q(done=0, done__lt=self.total)),
                overdue_count=Count("pk", filter=Q(done__lt=self.total, due_on__lt=self.today)),
            )
        )
        return list(rows)

    def rollup(self, node, cadres, known=()):
        """One row per child of ``node`` (and one for cadres placed in ``node`` itself):
        cadres, completed, in progress, not started, overdue, percent complete.
        ``known``: org units read already (the rows' org units are read if missing)."""
        rows = self.counts_by_path(cadres, len(node.path) + OrgUnit.steplen)
        return finish_rollup(node, rows, known)

    def totals(self, rows):
        keys = ("cadre_count", "completed", "in_progress", "not_started", "overdue_count")
        total = {k: sum(r[k] for r in rows) for k in keys}
        total["percent"] = (
            round(100 * total["completed"] / total["cadre_count"]) if total["cadre_count"] else 0
        )
        return total


def finish_rollup(node, rows, known=()):
    """``counts_by_path``'s rows at ``node`` as the page shows them: each given its org
    unit (from ``known``, else read in one query) and its in-progress count."""
    units = {o.path: o for o in known}
    missing = [r["child_path"] for r in rows if r["child_path"] not in units]
    if missing:
        units.update((o.path, o) for o in OrgUnit.objects.filter(path__in=missing))
    for r in rows:
        r["org_unit"] = units[r["child_path"]]
        r["in_progress"] = r["cadre_count"] - r["completed"] - r["not_started"]
    return rollup_rows(node, rows)


def rollup_rows(node, rows):
    """The roll-up's rows as the page shows them, from dicts holding org_unit,
    cadre_count, completed, in_progress, not_started and overdue_count (counted now by
    ``ModuleProgress.rollup``, or stored by training.rollup_snapshots): each marked
    is_self (the cadres placed in ``node`` itself) and given its percent complete; the
    node's own row first, then the most overdue."""
    for r in rows:
        r["is_self"] = r["org_unit"].path == node.path
        r["percent"] = round(100 * r["completed"] / r["cadre_count"]) if r["cadre_count"] else 0
    rows.sort(key=lambda r: (not r["is_self"], -r["overdue_count"], r["org_unit"].code))
    return rows
