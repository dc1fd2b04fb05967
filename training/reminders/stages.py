"""Deciding who is owed which reminder: the stage each (cadre, assignment) has reached,
for every cadre with an email address, a slice of cadres at a time.

A cadre reached by several assignments of one module follows the one with the earliest
due date (as everywhere in the portal); stages are kept per (cadre, assignment), so an
earlier assignment made later starts its own stages. Stages:

- ``assigned``: the assignment reached them (sent once, at the first run after);
- ``due7``: 7 days or fewer before the due date; ``due1``: the day before or the day;
- ``overdue0``, ``overdue1``, ...: each week while overdue (from the day after the due
  date, then every 7 days);
- nothing once the module is finished (every unit readers can see completed).

Only the latest stage reached is sent: a cadre assigned 3 days before the due date gets
one mail saying it is new and due in 3 days, not an "assigned" and a "due in 7 days".
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from org.models import Cadre, OrgUnit, ancestor_paths
from training.models import Completion, Module, Progress
from training.progress import ModuleProgress

from .models import EmailOptOut, Nudge, SentStage

ASSIGNED = "assigned"
DUE_IN_7 = "due7"
DUE_IN_1 = "due1"
OVERDUE = "overdue"

NEW, DUE_SOON, LATE, NUDGED = "new", "due_soon", "overdue", "nudged"
NUDGE_DAYS = 7  # a trainer's "remind now" not emailed within this many days is dropped
SLICE = 5000  # cadres decided together: what bounds the memory of a run


def stage_on(due_on, today):
    """The stage an unfinished assignment due ``due_on`` has reached on ``today``."""
    days = (due_on - today).days
    if days < 0:
        return f"{OVERDUE}{(-days - 1) // 7}"
    if days <= 1:
        return DUE_IN_1
    if days <= 7:
        return DUE_IN_7
    return ASSIGNED


def section_of(stage):
    if stage.startswith(OVERDUE):
        return LATE
    return NEW if stage == ASSIGNED else DUE_SOON


@dataclass
class Item:
    """One module in a digest: why it is there (``section``), its due date, and the
    stage rows sending it writes."""

    module: Module
    assignment_id: int
    due_on: date
    section: str
    stages: list
    is_new: bool = False
    nudge_id: int | None = None  # a trainer's "remind now" this item carries
    nudged_by: str = ""


@dataclass
class Digest:
    """What one cadre is owed now: the items, and the trainers' reminders it carries."""

    cadre_id: int
    items: list = field(default_factory=list)
    nudge_ids: list = field(default_factory=list)


def eligible_cadres():
    """Cadres who get email reminders: active, with an active account holding an email
    address, who have not turned them off."""
    off = EmailOptOut.objects.filter(cadre=OuterRef("pk"))
    return (
        Cadre.objects.filter(active=True, user__is_active=True)
        .exclude(user__email="")
        .exclude(Exists(off))
    )


class Governing:
    """Which of a module's assignments sets a cadre's due date: the earliest due (then
    the first made) of those reaching them, found without a query: their own, and the
    one of each org unit on their path (a lookup per level, not a scan of them all)."""

    def __init__(self, assignments):
        self.by_cadre, self.by_path = {}, {}
        for a in assignments:  # sorted by (due_on, pk) by ModuleProgress: first wins
            if a.cadre_id:
                self.by_cadre.setdefault(a.cadre_id, a)
            else:
                self.by_path.setdefault(a.org_unit.path, a)
        self.steplen = OrgUnit.steplen

    def of(self, cadre_id, path):
        """The governing assignment of the cadre, or None when none reaches them."""
        found = [self.by_cadre.get(cadre_id)]
        found += [self.by_path.get(p) for p in ancestor_paths(path, self.steplen)]
        found = [a for a in found if a is not None]
        return min(found, key=lambda a: (a.due_on, a.pk)) if found else None


def active_modules(today):
    """(ModuleProgress, Governing) of each active module with assignments and units
    readers can see: a query for the modules and two for each."""
    modules = Module.objects.filter(status=Module.Status.ACTIVE, assignments__isnull=False)
    for module in modules.distinct().order_by("pk"):
        assignments = list(module.assignments.select_related("org_unit"))
        progress = ModuleProgress(module, assignments, today=today)
        if progress.total:
            yield progress, Governing(progress.assignments)


def _decide(cadre_id, rows, today, sent, nudges):
    """A cadre's digest from their (module progress, assignment, due date) rows, the
    stages already sent and their trainers' reminders not yet emailed; None when
    nothing is owed."""
    digest = Digest(cadre_id)
    by_module = {}
    for progress, assignment in rows:
        due_on = assignment.due_on
        stage = stage_on(due_on, today)
        done = sent.get((cadre_id, assignment.pk), set())
        item = Item(progress.module, assignment.pk, due_on, section_of(stage), [])
        by_module[progress.module.pk] = item
        if stage in done:
            continue
        item.is_new = ASSIGNED not in done
        item.stages = [stage] if not item.is_new or stage == ASSIGNED else [ASSIGNED, stage]
        digest.items.append(item)
    for nudge_id, module_id, by in nudges.get(cadre_id, []):
        item = by_module.get(module_id)
        if item is None:  # finished meanwhile, or no longer assigned: nothing to remind
            continue
        if not item.stages:  # not owed a stage today: the trainer's reminder alone
            item.section = NUDGED
            digest.items.append(item)
        if item.nudge_id is None:
            item.nudge_id, item.nudged_by = nudge_id, by
        digest.nudge_ids.append(nudge_id)
    return digest if digest.items else None


def _trainer_name(user):
    return (user.get_full_name() or user.get_username()) if user else ""


def _reached(part, low, modules):
    """{cadre id: [(ModuleProgress, governing assignment)]} of the unfinished modules
    reaching each cadre of ``part`` ((id, org-unit path) of a slice starting at id
    ``low``): their stored progress (one query), less their completions of units
    readers cannot see (one query, when a module has any), as the progress pages
    count it (``ModuleProgress``); who a module reaches is read off its assignments."""
    high = low + SLICE
    progress_rows = Progress.objects.filter(
        cadre_id__gte=low, cadre_id__lt=high, module_id__in=[p.module.pk for p, _g in modules]
    ).values_list("cadre_id", "module_id", "done")
    stored = {(c, m): done for c, m, done in progress_rows}
    hidden = {}  # unit id -> the modules holding it unseen by readers
    for progress, _governing in modules:
        for unit_id in progress.hidden_ids:
            hidden.setdefault(unit_id, []).append(progress.module.pk)
    if hidden:
        done_hidden = Completion.objects.filter(
            cadre_id__gte=low, cadre_id__lt=high, unit_id__in=list(hidden)
        ).values_list("cadre_id", "unit_id")
        for cadre_id, unit_id in done_hidden:
            for module_id in hidden[unit_id]:
                stored[cadre_id, module_id] = stored.get((cadre_id, module_id), 0) - 1
    rows = {}
    for pk, path in part:
        for progress, governing in modules:
            assignment = governing.of(pk, path)
            if assignment is None or stored.get((pk, progress.module.pk), 0) >= progress.total:
                continue  # not reached, or finished: nothing, ever
            rows.setdefault(pk, []).append((progress, assignment))
    return rows


def plan(today=None, cadre_ids=None):
    """Yield the ``Digest`` of every cadre owed one on ``today``, a slice of cadres at
    a time (memory bounded by the slice, not the province). ``cadre_ids``: only these.

    For each slice: the cadres, their stored progress (and completions of hidden
    units), the stages already sent and the trainers' reminders not yet emailed, a
    query each, whatever the number of modules (``_reached``)."""
    today = today or timezone.localdate()
    modules = list(active_modules(today))
    cadres = eligible_cadres()
    if cadre_ids is not None:
        cadres = cadres.filter(pk__in=list(cadre_ids))
    bounds = cadres.order_by("pk").values_list("pk", flat=True)
    first, last = bounds.first(), bounds.last()
    if first is None or not modules:
        return
    for low in range(first, last + 1, SLICE):
        part = cadres.filter(pk__gte=low, pk__lt=low + SLICE)
        rows = _reached(part.values_list("pk", "org_unit__path"), low, modules)
        if not rows:
            continue
        sent = {}
        stage_rows = SentStage.objects.filter(cadre_id__gte=low, cadre_id__lt=low + SLICE)
        for key in stage_rows.values_list("cadre_id", "assignment_id", "stage"):
            sent.setdefault(key[:2], set()).add(key[2])
        nudges = {}
        pending = (
            Nudge.objects.filter(cadre_id__in=list(rows), emailed_at__isnull=True)
            .filter(on_day__gte=today - timedelta(NUDGE_DAYS))
            .select_related("by")
            .order_by("on_day", "pk")
        )
        for n in pending:
            nudges.setdefault(n.cadre_id, []).append((n.pk, n.module_id, _trainer_name(n.by)))
        for cadre_id in sorted(rows):
            digest = _decide(cadre_id, rows[cadre_id], today, sent, nudges)
            if digest is not None:
                yield digest
