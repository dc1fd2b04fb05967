"""How far a study unit reaches through training, for the unit admin's warning before a
published unit is taken away from readers (registered with expositions.usage)."""

from django.db.models import Q

from org.models import Cadre, subtree_q

from .models import Assignment, Module


def unit_reach(unit):
    """(active modules holding the unit, active cadres those modules reach). Three
    queries, whatever the number of cadres."""
    modules = Module.objects.filter(module_units__unit=unit, status=Module.Status.ACTIVE)
    assignments = list(
        Assignment.objects.filter(module__in=modules).select_related("org_unit").distinct()
    )
    if not assignments:
        return modules.count(), 0
    paths = [a.org_unit.path for a in assignments if a.org_unit_id]
    singles = [a.cadre_id for a in assignments if a.cadre_id]
    reached = subtree_q("org_unit__path", paths) | Q(pk__in=singles)
    return modules.count(), Cadre.objects.filter(active=True).filter(reached).count()
