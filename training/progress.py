"""Progress reads: how far each cadre is in a module, rolled up by org unit.

Everything here is a queryset whose number of queries does not grow with the
number of cadres, units or modules. Only published units count: a cadre cannot
be asked to finish a unit nobody can read.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr, TruncWeek
from django.utils import timezone

from expositions.models import StudyUnit

from .models import Assignment, Cadre, Completion, Module, ModuleUnit, OrgUnit, ancestor_paths

COMPLETE = "complete"
IN_PROGRESS = "in_progress"
NOT_STARTED = "not_started"
OVERDUE = "overdue"
STATUSES = (NOT_STARTED, IN_PROGRESS, COMPLETE, OVERDUE)


def published_unit_ids(module_ids):
    return ModuleUnit.objects.filter(module__in=module_ids, unit__in=StudyUnit.objects.published())


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
        self.unit_ids = list(
            published_unit_ids([self.module.pk])
            .order_by("position")
            .values_list("unit_id", flat=True)
        )
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

    def completions_by_week(self, base, weeks=12):
        """Completions of this module's units by the reached cadres of ``base``, per week,
        for the last ``weeks`` weeks (oldest first, empty weeks included). One query."""
        today = self.today
        start = today - timedelta(days=today.weekday(), weeks=weeks - 1)
        if not self.assignments:
            counts = {}
        else:
            reached = base.filter(active=True).filter(self._reach()).values("pk")
            counts = dict(
                Completion.objects.filter(
                    unit_id__in=self.unit_ids, cadre__in=reached, completed_at__date__gte=start
                )
                .annotate(week=TruncWeek("completed_at"))
                .values_list("week")
                .annotate(n=Count("pk"))
                .values_list("week", "n")
            )
            counts = {
                timezone.localtime(k).date() if hasattr(k, "hour") else k: v
                for k, v in counts.items()
            }
        return [
            (start + timedelta(weeks=i), counts.get(start + timedelta(weeks=i), 0))
            for i in range(weeks)
        ]

    def cadres(self, base=None):
        """Active cadres reached, annotated: due_on, done, last_completed_at, status, overdue."""
        base = Cadre.objects.all() if base is None else base
        if not self.assignments:
            return base.none().annotate(
                due_on=Value(None, output_field=DateField()),
                done=Value(0),
                last_completed_at=Value(None),
                status=Value(NOT_STARTED),
                overdue=Value(False),
            )
        reach = self._reach()
        due = Case(
            *[When(self._reach_q(a), then=Value(a.due_on)) for a in self.assignments],
            output_field=DateField(),
        )
        mine = Completion.objects.filter(cadre=OuterRef("pk"), unit_id__in=self.unit_ids)
        return (
            base.filter(active=True)
            .filter(reach)
            .select_related("org_unit")
            .annotate(
                due_on=due,
                done=_count(mine),
                last_completed_at=Subquery(
                    mine.order_by("-completed_at").values("completed_at")[:1]
                ),
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


def my_modules(cadre, today=None):
    """The modules assigned to ``cadre`` (directly, via their org unit or any unit above
    it), each annotated with due_on (earliest), total, done, last_completed_at and
    next_unit_id; ordered overdue first, then by due date. One query."""
    today = today or timezone.localdate()
    paths = ancestor_paths(cadre.org_unit.path, OrgUnit.steplen)
    reaching = Assignment.objects.filter(Q(cadre=cadre) | Q(org_unit__path__in=paths))
    live_units = ModuleUnit.objects.filter(
        module=OuterRef("pk"), unit__in=StudyUnit.objects.published()
    )
    # (module, unit) is unique, so joining through module_units cannot double-count.
    my_done = Completion.objects.filter(
        cadre=cadre,
        unit__module_units__module=OuterRef("pk"),
        unit__in=StudyUnit.objects.published(),
    )
    done_ids = Completion.objects.filter(cadre=cadre).values("unit")
    return (
        Module.objects.filter(status=Module.Status.ACTIVE, pk__in=reaching.values("module"))
        .annotate(
            due_on=Subquery(
                reaching.filter(module=OuterRef("pk")).order_by("due_on").values("due_on")[:1]
            ),
            total=_count(live_units),
            done=_count(my_done),
            last_completed_at=Subquery(
                my_done.order_by("-completed_at").values("completed_at")[:1]
            ),
            next_unit_id=Subquery(
                live_units.exclude(unit__in=done_ids).order_by("position").values("unit")[:1]
            ),
        )
        .annotate(
            finished=Case(
                When(Q(total__gt=0) & Q(done__gte=F("total")), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            overdue=Case(
                When(Q(done__lt=F("total")) & Q(due_on__lt=today), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .order_by("finished", "-overdue", "due_on", "title")
    )


def study_hours(modules, year):
    """Study hours (学时) of the finished modules whose last unit was done in ``year``."""
    return sum(
        (
            m.study_hours
            for m in modules
            if m.finished and m.last_completed_at and m.last_completed_at.year == year
        ),
        Decimal("0"),
    )
