"""Who a trainer chases: the cadres of a module who are overdue or have not started, in
the trainer's part of the tree, with when each was last reminded (by email, or by a
trainer's "remind now") and what a phone call or a work group needs (name, org unit,
phone). Reads only; ``services.nudge`` writes the reminders."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    prefetch_related_objects,
)
from django.utils import timezone
from django.utils.translation import get_language

from org.models import Cadre, OrgUnit, outermost
from training.models import Assignment, Module, RollupRow
from training.progress import ModuleProgress

from .models import Nudge, SentStage

COPY_LIMIT = 1000  # lines in the list to copy; past it, narrow by org unit


def to_chase(progress, base, today=None):
    """``progress``'s cadres among ``base`` who are overdue or have not started, most
    overdue first, each with ``last_emailed``, ``last_nudged`` (the module's) and
    ``reminded_today`` (by any trainer about anything: the once-a-day limit)."""
    today = today or timezone.localdate()
    mine = {"cadre": OuterRef("pk")}
    emailed = SentStage.objects.filter(**mine, assignment__module=progress.module)
    nudged = Nudge.objects.filter(**mine, module=progress.module)
    return (
        progress.cadres(base)
        .filter(Q(overdue=True) | Q(done=0))
        .annotate(
            last_emailed=Subquery(emailed.order_by("-sent_at").values("sent_at")[:1]),
            last_nudged=Subquery(nudged.order_by("-created_at").values("created_at")[:1]),
            reminded_today=Exists(Nudge.objects.filter(**mine, on_day=today)),
        )
        .order_by("-overdue", "due_on", "org_unit__path", "name", "pk")
    )


def copy_lines(cadres):
    """The list to paste into a work group or a spreadsheet: one cadre a line, name,
    org unit and phone separated by tabs, at most ``COPY_LIMIT`` lines. One query."""
    english = not (get_language() or "").startswith("zh")
    rows = cadres.values_list("name", "org_unit__name", "org_unit__name_en", "phone")
    lines = []
    for name, org, org_en, phone in rows[:COPY_LIMIT]:
        lines.append("\t".join([name, (org_en if english and org_en else org), phone]).rstrip())
    return "\n".join(lines)


@dataclass
class ModuleToChase:
    module: Module
    reached: int
    overdue: int
    not_started: int
    # When a stored roll-up counted them (training.rollup_snapshots); None: counted now.
    counted_at: datetime | None = None


def modules_to_chase(user, today=None):
    """For each active module whose assignments reach cadres ``user`` manages: how many
    of them it reaches, how many are overdue and how many have not started. A query
    for the modules, one for the stored roll-ups, one for the assignments of the
    modules counted live, and for each of those its units and one count over the
    cadres of the user's tree.

    Where the user's org units are big (training.rollup_snapshots), the module's
    stored roll-ups at them hold these counts already, as of their last recount: a
    national trainer's overview counted each module live over a million cadres (8 s,
    bench/RESULTS.md), and read every assignment in the country to do it. The roll-up
    counts the cadres of a module with no unit to study as complete, this overview as
    not started: such a module is counted live."""
    today = today or timezone.localdate()
    roots = list(OrgUnit.objects.scope_roots(user))
    if not roots:
        return []
    modules = list(
        Module.objects.visible_to(user)
        .filter(status=Module.Status.ACTIVE)
        .flag_units_to_study()
        .order_by("title", "pk")
    )
    # A trainer of a province and of a county in it: the province's roll-up holds both.
    stored = RollupRow.objects.totals_at(outermost(roots), modules)
    rows, live = [], []
    for module in modules:
        counts = stored.get(module.pk)
        if counts is not None and module.has_units_to_study:
            if counts["reached"]:
                rows.append(ModuleToChase(module, **counts))
        else:
            live.append(module)
    # Only the assignments that can reach the user's tree (Assignment.objects.meeting):
    # a county's overview at a nation's size loaded all 26,871 of its modules' (6,000
    # to single cadres) and counted with each of them in its conditions: 1.7 s.
    meeting = Assignment.objects.meeting(*roots).select_related("org_unit")
    prefetch_related_objects(live, Prefetch("assignments", meeting))
    base = Cadre.objects.managed_by(user).in_subtree(*roots)
    for module in live:
        if not module.assignments.all():  # none can reach the user's tree
            continue
        progress = ModuleProgress(module, list(module.assignments.all()), today=today)
        counts = (
            progress.cadres(base)
            .order_by()
            .aggregate(
                reached=Count("pk"),
                # As the progress roll-up counts them (an annotation's Case inside an
                # aggregate's filter is not what the database was asked for).
                overdue=Count("pk", filter=Q(done__lt=progress.total, due_on__lt=today)),
                not_started=Count("pk", filter=Q(done=0)),
            )
        )
        if counts["reached"]:
            rows.append(ModuleToChase(module, **counts))
    rows.sort(key=lambda r: (-r.overdue, -r.not_started, r.module.title))
    return rows
