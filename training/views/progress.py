"""The trainer's progress pages: roll-up by org unit, drill-down to cadres and to one
cadre's unit-by-unit record, and their exports."""

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from org.access import trainer_required
from org.models import Cadre, OrgUnit, subtree_q
from portal.params import parse_id

from .. import exports
from ..forms import ProgressFilterForm
from ..models import Assignment, Completion, Module, ModuleUnit, Reflection
from ..progress import ModuleProgress, my_modules

CADRE_PAGE_SIZE = 50
REFLECTIONS_SHOWN = 100
EXPORT_TABLES = ("cadres", "orgs", "completions")


class ProgressPage:
    """What one progress view shows: a module (or one assignment of it), a node of the
    org tree inside the trainer's scope, and the filters."""

    def __init__(self, request, module, assignments, roots):
        self.request = request
        self.module = module
        self.progress = ModuleProgress(module, assignments)
        self.filters = ProgressFilterForm(request.GET)
        self.filters.is_valid()
        managed = OrgUnit.objects.managed_by(request.user)
        org_id = request.GET.get("org")
        if org_id:
            if parse_id(org_id) is None:
                raise Http404
            self.node = get_object_or_404(managed, pk=parse_id(org_id))
        elif len(roots) == 1:
            self.node = roots[0]
        else:
            self.node = None
        self.roots = roots
        self.breadcrumbs = []
        if self.node is not None:
            top = [r for r in roots if self.node.path.startswith(r.path)]
            floor = len(top[0].path) if top else len(self.node.path)
            paths = [p for p in self.node.ancestor_paths() if len(p) >= floor]
            self.breadcrumbs = list(OrgUnit.objects.filter(path__in=paths).order_by("depth"))
        # The org-unit filter offers the way up and one step down, all inside the scope:
        # the roots, the node's ancestors, the node and its children. (The whole scope
        # of a province trainer is 1,532 options: too many to render or to pick from.)
        near = Q(pk__in=[r.pk for r in roots]) | Q(pk__in=[b.pk for b in self.breadcrumbs])
        if self.node is not None:
            near |= Q(path__startswith=self.node.path, depth=self.node.depth + 1)
        self.org_choices = (
            managed.filter(subtree_q("path", [r.path for r in roots]))
            .filter(near)
            .only("pk", "name", "name_en", "depth", "path")
            .order_by("path")
        )

    def cadres(self):
        base = Cadre.objects.in_subtree(self.node)
        return self.progress.cadres(base)

    def filtered_cadres(self):
        cadres = self.progress.filter_status(
            self.cadres(), self.filters.cleaned_data.get("status", "")
        )
        q = self.filters.cleaned_data.get("q", "").strip()
        if q:
            cadres = cadres.filter(Q(name__icontains=q) | Q(user__username__iexact=q))
        return cadres.order_by("-overdue", "due_on", "done", "name", "pk")

    def rollup(self):
        rows = self.progress.rollup(self.node, self.cadres())
        return rows, self.progress.totals(rows)


def _roots(user):
    return list(OrgUnit.objects.scope_roots(user))


def _module_page(request, pk):
    module = get_object_or_404(Module.objects.visible_to(request.user), pk=pk)
    assignments = list(module.assignments.select_related("org_unit"))
    return ProgressPage(request, module, assignments, _roots(request.user)), None


def _assignment_page(request, pk):
    assignment = get_object_or_404(
        Assignment.objects.visible_to(request.user).select_related(
            "module", "org_unit", "cadre__org_unit"
        ),
        pk=pk,
    )
    target_unit = assignment.org_unit or assignment.cadre.org_unit
    managed = OrgUnit.objects.managed_by(request.user)
    roots = [target_unit] if managed.filter(pk=target_unit.pk).exists() else _roots(request.user)
    return ProgressPage(request, assignment.module, [assignment], roots), assignment


def _render_progress(request, page, assignment):
    context = {
        "page": page,
        "module": page.module,
        "assignment": assignment,
        "filters": page.filters,
        "node": page.node,
    }
    if page.node is not None:
        rows, totals = page.rollup()
        context.update(rows=rows, totals=totals)
        context["weeks"] = page.progress.completions_by_week(page.node)
        context["done_before"], context["first_assigned"] = (
            page.progress.completed_before_assignment(page.node)
        )
        context["cadres"] = Paginator(page.filtered_cadres(), CADRE_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    query = request.GET.copy()
    query.pop("page", None)
    context["query"] = query.urlencode()
    return render(request, "training/progress.html", context)


@trainer_required
def module_progress(request, pk):
    page, _none = _module_page(request, pk)
    return _render_progress(request, page, None)


@trainer_required
def assignment_progress(request, pk):
    page, assignment = _assignment_page(request, pk)
    return _render_progress(request, page, assignment)


@trainer_required
def progress_export(request, kind, pk, fmt):
    page, assignment = (_module_page if kind == "module" else _assignment_page)(request, pk)
    if page.node is None:
        raise Http404
    table = request.GET.get("table", "cadres")
    if table not in EXPORT_TABLES:
        raise Http404
    if table == "orgs":
        rows, totals = page.rollup()
        data = exports.org_rows(rows, totals)
    elif table == "completions":
        if fmt == "csv" and connection.vendor == "postgresql":
            return exports.completions_csv_postgresql(
                _export_name(page, table, "csv"), page.filtered_cadres(), page.progress.unit_ids
            )
        data = exports.completion_rows(page.filtered_cadres(), page.progress.unit_ids)
    else:
        data = exports.cadre_rows(page.filtered_cadres(), page.progress.total)
    name = _export_name(page, table, fmt)
    if fmt == "xlsx":
        return exports.xlsx_response(
            name, data, sheet=_table_label(table), title=_export_title(page, table, assignment)
        )
    return exports.csv_response(name, data.header, data.csv_rows())


def _table_label(table):
    return {
        "cadres": _("Cadres"),
        "orgs": _("By org unit"),
        "completions": _("Completions"),
    }[table]


def _export_name(page, table, extension):
    """``基层治理专题学习-小店区-2026-12-01.xlsx``: the module, the org unit, the table
    (unless it is the cadres, the default) and the day, in Beijing time."""
    parts = [page.module.title, str(page.node)]
    if table != "cadres":
        parts.append(_table_label(table))
    parts.append(timezone.localdate().isoformat())
    return exports.file_name(*parts, extension=extension)


def _export_title(page, table, assignment):
    scope = str(page.node)
    if assignment is not None:
        scope = _("%(scope)s, assignment to %(target)s") % {
            "scope": scope,
            "target": assignment.target,
        }
    status = page.filters.cleaned_data.get("status")
    if status:
        scope += " · " + str(dict(page.filters.fields["status"].choices)[status])
    return _("%(module)s — %(table)s · %(scope)s · exported %(time)s (%(zone)s)") % {
        "module": page.module.title,
        "table": _table_label(table),
        "scope": scope,
        "time": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "zone": exports.zone_name(),
    }


@trainer_required
def cadre_record(request, pk):
    cadre = get_object_or_404(
        Cadre.objects.managed_by(request.user).select_related("org_unit", "user"),
        pk=pk,
    )
    modules = list(my_modules(cadre))
    module = None
    module_id = parse_id(request.GET.get("module"))
    if module_id is not None:
        module = next((m for m in modules if m.pk == module_id), None)
    if module is None and modules:
        module = modules[0]
    rows = []
    if module is not None:
        done = dict(
            Completion.objects.filter(cadre=cadre, unit__module_units__module=module).values_list(
                "unit_id", "completed_at"
            )
        )
        for mu in (
            ModuleUnit.objects.filter(module=module).select_related("unit").order_by("position")
        ):
            rows.append(
                {"unit": mu.unit, "position": mu.position, "completed_at": done.get(mu.unit_id)}
            )
    reflections = Reflection.objects.filter(cadre=cadre).newest_first()[:REFLECTIONS_SHOWN]
    return render(
        request,
        "training/cadre_record.html",
        {"cadre": cadre, "modules": modules, "module": module, "rows": rows}
        | {"reflections": reflections},
    )
