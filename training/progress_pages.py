"""What one of the trainer's progress views shows, without the request: a module (or one
assignment of it), a node of the org tree inside the trainer's scope, the filters, and
the tables it exports. The progress pages (training.views.progress) and the background
export (training.jobs) build the same page from the same parameters."""

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from org.models import Cadre, OrgUnit, subtree_q
from portal import spreadsheets
from portal.params import parse_id

from . import exports, rollup_snapshots
from .forms import ProgressFilterForm
from .models import Assignment, Completion, Module
from .progress import COMPLETE, IN_PROGRESS, NOT_STARTED, OVERDUE, ModuleProgress

EXPORT_TABLES = ("cadres", "orgs", "completions")


class ProgressPage:
    """A module (or one assignment of it), a node of the org tree inside ``user``'s
    scope (``params["org"]``, or their one root), and the filters of ``params``."""

    def __init__(self, user, params, module, assignments, roots, whole_module=True, scope=None):
        """``assignments``: a list, or a queryset read once the node is known (only
        those meeting it); ``roots``: the org units the page starts from; ``scope``: the
        roots of what ``user`` manages, when the caller has read them already."""
        self.user = user
        self.whole_module = whole_module
        self._cadres = None
        self.big = False
        self.params = params
        self.module = module
        self.filters = ProgressFilterForm(params)
        self.filters.is_valid()
        if scope is None:
            managed = OrgUnit.objects.managed_by(user)
        else:
            managed = OrgUnit.objects.in_subtree(*scope)
        org_id = params.get("org")
        if org_id:
            if parse_id(org_id) is None:
                raise Http404
            self.node = get_object_or_404(managed, pk=parse_id(org_id))
        elif len(roots) == 1:
            self.node = roots[0]
        else:
            self.node = None
        self.roots = roots
        self.breadcrumbs, self.org_choices = [], []
        if isinstance(assignments, QuerySet) and self.node is not None:
            assignments = assignments.meeting(self.node)
        self.progress = ModuleProgress(module, list(assignments), whole=whole_module)
        if self.node is not None:
            self.progress = self.progress.within(self.node)
            self._read_around(managed)

    def _read_around(self, managed):
        """The node's breadcrumbs (its ancestors inside the scope, and itself) and the
        org-unit filter's choices, in one query. The filter offers the way up and one
        step down, all inside the scope: the roots, the node's ancestors, the node and
        its children. (The whole scope of a province trainer is 1,532 options: too many
        to render or to pick from.)"""
        node, roots = self.node, self.roots
        top = [r for r in roots if node.path.startswith(r.path)]
        floor = len(top[0].path) if top else len(node.path)
        paths = [p for p in node.ancestor_paths() if len(p) >= floor]
        near = Q(pk__in=[r.pk for r in roots]) | Q(path__in=paths)
        near |= Q(path__startswith=node.path, depth=node.depth + 1)
        self.org_choices = list(
            managed.filter(subtree_q("path", [r.path for r in roots])).filter(near).order_by("path")
        )
        self.breadcrumbs = [o for o in self.org_choices if o.path in paths]

    def cadres(self):
        """The node's cadres, annotated (``ModuleProgress.cadres``): built once a page,
        for the roll-up and the list alike (each reads a clone of it)."""
        if self._cadres is None:
            self._cadres = self.progress.cadres(Cadre.objects.in_subtree(self.node))
        return self._cadres

    def filtered_cadres(self):
        cadres = self.progress.filter_status(
            self.cadres(), self.filters.cleaned_data.get("status", "")
        )
        q = self.filters.cleaned_data.get("q", "").strip()
        if q:
            cadres = cadres.filter(Q(name__icontains=q) | Q(user__username__iexact=q))
        return cadres.order_by("-overdue", "due_on", "done", "name", "pk")

    def rollup(self):
        """The roll-up counted now (exports, and every node but the big ones)."""
        # The node and its children, the roll-up's rows, are among the filter's choices.
        rows = self.progress.rollup(self.node, self.cadres(), known=self.org_choices)
        return rows, self.progress.totals(rows)

    def shown_rollup(self):
        """The roll-up the page shows and when it was counted (None: now). At a big node
        (training.rollup_snapshots) the stored one, when it exists: the module's, on
        the module's page; an assignment's page counts its own. Sets ``self.big``."""
        stored = rollup_snapshots.stored_rollup(self.module, self.node)
        self.big = stored is not None
        if stored is not None and self.whole_module:
            rows, counted_at = stored
            return rows, self.progress.totals(rows), counted_at
        return *self.rollup(), None

    def list_withheld(self):
        """Whether the cadre list waits for a name or a smaller org unit: at a big node
        it would sort every cadre of the subtree on each view (a million, nationally).
        A name searched for narrows it; the exports stay whole."""
        return self.big and not self.filters.cleaned_data.get("q", "").strip()

    # The roll-up's total for each status filter: how many cadres the list holds.
    TOTAL_OF_STATUS = {
        "": "cadre_count",
        COMPLETE: "completed",
        IN_PROGRESS: "in_progress",
        NOT_STARTED: "not_started",
        OVERDUE: "overdue_count",
    }

    def cadre_pages(self, totals, per_page):
        """The filtered cadres, ``per_page`` a page. Unless a name is searched for, the
        roll-up's totals already say how many there are: one count over the node's
        cadres fewer (7-25 ms for a county, 16-22 ms for the province)."""
        paginator = Paginator(self.filtered_cadres(), per_page)
        status = self.filters.cleaned_data.get("status", "")
        if not self.filters.cleaned_data.get("q", "").strip():
            paginator.count = totals[self.TOTAL_OF_STATUS[status]]
        return paginator

    def finished_cadres(self):
        """The cadres of the node (in the user's scope) who finished the module, in the
        order of the certificates' zip: by org unit, then name."""
        base = Cadre.objects.managed_by(self.user).in_subtree(self.node)
        return self.progress.filter_status(self.progress.cadres(base), COMPLETE).order_by(
            "org_unit__path", "name", "pk"
        )


def _roots(user):
    return list(OrgUnit.objects.scope_roots(user))


def module_page(user, params, pk):
    """The page of module ``pk`` as ``user`` may see it (404 otherwise)."""
    module = get_object_or_404(Module.objects.visible_to(user), pk=pk)
    assignments = module.assignments.select_related("org_unit").flag_module_singles(module)
    roots = _roots(user)
    return ProgressPage(user, params, module, assignments, roots, scope=roots), None


def assignment_page(user, params, pk):
    """The page of assignment ``pk`` as ``user`` may see it (404 otherwise), and the
    assignment."""
    assignment = get_object_or_404(
        Assignment.objects.visible_to(user).select_related("module", "org_unit", "cadre__org_unit"),
        pk=pk,
    )
    target_unit = assignment.org_unit or assignment.cadre.org_unit
    managed = OrgUnit.objects.managed_by(user)
    roots = [target_unit] if managed.filter(pk=target_unit.pk).exists() else _roots(user)
    page = ProgressPage(user, params, assignment.module, [assignment], roots, whole_module=False)
    return page, assignment


def page_for(user, params, kind, pk):
    return (module_page if kind == "module" else assignment_page)(user, params, pk)


# --- exports ---------------------------------------------------------------------------


def export_rows(page, table):
    """How many rows the export of ``table`` holds (one query): what decides whether
    an Excel file is written in the request or by a background job."""
    if table == "orgs":
        return 0  # one row per child of the node: always small
    if table == "completions":
        cadres = page.filtered_cadres().order_by().values("pk")
        return Completion.objects.filter(
            cadre__in=cadres, unit_id__in=page.progress.unit_ids
        ).count()
    return page.filtered_cadres().count()


def export_table(page, table):
    """The rows of ``table`` (``portal.spreadsheets.Table``)."""
    if table == "orgs":
        rows, totals = page.rollup()
        return exports.org_rows(rows, totals)
    if table == "completions":
        return exports.completion_rows(page.filtered_cadres(), page.progress.unit_ids)
    return exports.cadre_rows(page.filtered_cadres(), page.progress.total)


def table_label(table):
    return {
        "cadres": _("Cadres"),
        "orgs": _("By org unit"),
        "completions": _("Completions"),
    }[table]


def export_name(page, table, extension):
    """``基层治理专题学习-小店区-2026-12-01.xlsx``: the module, the org unit, the table
    (unless it is the cadres, the default) and the day, in Beijing time."""
    parts = [page.module.title, str(page.node)]
    if table != "cadres":
        parts.append(table_label(table))
    parts.append(timezone.localdate().isoformat())
    return spreadsheets.file_name(*parts, extension=extension)


def export_title(page, table, assignment):
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
        "table": table_label(table),
        "scope": scope,
        "time": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "zone": spreadsheets.zone_name(),
    }
