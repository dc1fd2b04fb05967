"""The cadre's own reads: My study (``my_modules``), a unit's place in a module and the
cadre's completion of a unit (the unit page's panel). A few plain queries each, whose
number does not grow with the modules or units; the trainer's roll-ups are in
training.progress."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from expositions.models import UnitLink

from .models import Completion, Module, ModuleUnit, Progress


def completion_of(cadre, unit):
    """``cadre``'s completion of ``unit`` (its completed_at only), or None: the unit
    page's question."""
    return Completion.objects.filter(cadre=cadre, unit=unit).only("completed_at").first()


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
    One query (``ModuleUnit.objects.links_in_order``)."""
    links = ModuleUnit.objects.links_in_order(module_id, drafts=drafts)
    index = next((i for i, link in enumerate(links) if link.pk == unit.pk), None)
    if index is None:
        return None
    return ModulePlace(
        position=index + 1,
        count=len(links),
        previous=links[index - 1] if index > 0 else None,
        next=links[index + 1] if index + 1 < len(links) else None,
    )


def my_modules(cadre, today=None, containing=None, next_units=True):
    """The active modules assigned to ``cadre`` (directly, via their org unit or any
    unit above it), as a list of modules with due_on (the earliest), total (units
    readers can see), study_hours (theirs), done, last_completed_at, next_unit_id,
    next_unit (a ``UnitLink``: pk, slug, title), finished and overdue; unfinished and
    overdue first, then by due date. ``containing``: only the modules holding that
    unit. ``next_units``: find each unfinished module's next unit (My study needs it,
    the unit page does not).

    Three plain queries, put together here: the modules with their due dates
    (``Module.objects.for_cadre``), the cadre's stored Progress rows (done, last
    completion), and the modules' units with whether readers can see each and whether
    the cadre completed it (``ModuleUnit.objects.entries_for``). One query building
    all of it out of subqueries cost several times as much to build and to plan on
    every page (bench/RESULTS.md, 2026-12-06).
    """
    today = today or timezone.localdate()
    modules = list(Module.objects.for_cadre(cadre, containing=containing))
    ids = [m.pk for m in modules]
    stored = {p.module_id: p for p in Progress.objects.filter(cadre=cadre, module_id__in=ids)}
    entries = defaultdict(list)
    for row in ModuleUnit.objects.entries_for(cadre, ids, links=next_units):
        entries[row[0]].append(row)
    for m in modules:
        rows = entries[m.pk]
        readable_rows = [row for row in rows if row[3]]
        m.unit_count, m.total = len(rows), len(readable_rows)
        m.hidden = m.unit_count - m.total
        m.study_hours = sum((row[2] for row in readable_rows), Decimal(0))
        progress = stored.get(m.pk)
        m.last_completed_at = progress.last_completed_at if progress else None
        # The stored count includes the units readers cannot see: take those away.
        hidden_done = sum(1 for row in rows if row[4] and not row[3])
        m.done = (progress.done if progress else 0) - hidden_done
        m.finished = m.total > 0 and m.done >= m.total
        m.overdue = m.done < m.total and m.due_on < today
        upcoming = next((row for row in readable_rows if not row[4]), None)
        m.next_unit = UnitLink(upcoming[1], *upcoming[5:]) if next_units and upcoming else None
        m.next_unit_id = m.next_unit.pk if m.next_unit else None
    modules.sort(key=lambda m: (m.finished, not m.overdue, m.due_on, m.title))
    return modules
