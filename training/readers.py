"""What training adds to the reading pages of expositions (named in
``settings.READER_PROVIDERS``, called through ``expositions.providers``): the cadre's
completion panel and the module pager on a unit page, and which listed units the
reader has completed. Each is one function with the queries it makes in plain view."""

from django.db.models import QuerySet
from django.urls import reverse

from expositions.models import sees_drafts
from org.access import cadre_of, is_trainer
from portal.params import parse_id

from . import evidence
from .evidence_forms import ReflectionForm, SelfCheckForm
from .models import Completion, Module
from .my_study import completion_of, my_modules, place_in_module


def module_param(request):
    """The module a unit page was reached from (``?module=<pk>``), as an int, or None."""
    return parse_id(request.GET.get("module"))


def unit_page(request, unit):
    """For a unit page: ``completion_panel``, the cadre's completion of ``unit`` and the
    modules of theirs it moves (None for anyone but a cadre, or for a unit not
    published), and ``in_module``, the module pager when the page was reached from a
    module the reader may follow (None otherwise: the theme's order applies).

    A cadre's page asks three questions: the cadre's modules holding the unit (one
    query, shared by both parts), the completion, and the unit's place in the module
    when reached from one; and, when a module asks for evidence of study
    (training.evidence), the unit's questions and whether the self-check is passed,
    or the cadre's reflection, with the forms that give them."""
    cadre = cadre_of(request)
    if cadre is not None and unit.is_published:
        modules = my_modules(cadre, containing=unit, next_units=False)
        panel = {
            "from_module": module_param(request),
            "completion": completion_of(cadre, unit),
            "modules": modules,
            **evidence.panel(cadre, unit, modules),
        }
        panel.update(_evidence_forms(panel))
    else:
        modules, panel = [], None
    return {"completion_panel": panel, "in_module": _in_module(request, cadre, unit, modules)}


def _evidence_forms(panel):
    """The self-check to answer (asked, not passed, the unit not complete yet) and the
    reflection form (asked, and the reflection not written or still open to change)."""
    forms = {}
    if panel["asked"].self_check and not panel["passed"] and panel["completion"] is None:
        forms["self_check"] = SelfCheckForm(panel["questions"]).rows()
    reflection = panel["reflection"]
    if panel["asked"].reflection and (reflection is None or reflection.editable):
        initial = {"text": reflection.text} if reflection is not None else None
        forms["reflection_form"] = ReflectionForm(initial=initial, auto_id="reflection-%s")
    return forms


def _in_module(request, cadre, unit, modules):
    pk = module_param(request)
    if pk is None:
        return None
    if cadre is not None:
        module = next((m for m in modules if m.pk == pk), None)
    elif is_trainer(request.user):
        module = (
            Module.objects.visible_to(request.user).filter(pk=pk, module_units__unit=unit).first()
        )
    else:
        return None
    if module is None:
        return None
    place = place_in_module(module.pk, unit, drafts=sees_drafts(request.user))
    if place is None:
        return None
    name = "training:my_module" if cadre is not None else "training:module_detail"
    return {
        "module": module,
        "url": reverse(name, kwargs={"pk": module.pk}),
        "position": place.position,
        "count": place.count,
        "previous": place.previous,
        "next": place.next,
    }


def done_units(request, units):
    """The pks of ``units`` (a queryset or a list) the signed-in cadre has completed, in
    one query; an empty set for anyone else."""
    cadre = cadre_of(request)
    if cadre is None:
        return set()
    pks = units.order_by().values("pk") if isinstance(units, QuerySet) else [u.pk for u in units]
    return set(
        Completion.objects.filter(cadre=cadre, unit__in=pks).values_list("unit_id", flat=True)
    )
