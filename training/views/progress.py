"""The trainer's progress pages: roll-up by org unit, drill-down to cadres and to one
cadre's unit-by-unit record, and their exports."""

from django.db import connection
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from org.access import trainer_required
from org.models import Cadre
from portal import spreadsheets
from portal.params import parse_id
from portal.replica import reads_may_lag

from .. import exports, progress_pages
from ..jobs import services as jobs
from ..jobs import work
from ..jobs.models import Job
from ..models import Completion, ModuleUnit, Reflection
from ..my_study import my_modules

CADRE_PAGE_SIZE = 50
REFLECTIONS_SHOWN = 100


def _module_page(request, pk):
    return progress_pages.module_page(request.user, request.GET, pk)


def _assignment_page(request, pk):
    return progress_pages.assignment_page(request.user, request.GET, pk)


def _render_progress(request, page, assignment):
    context = {
        "page": page,
        "module": page.module,
        "assignment": assignment,
        "filters": page.filters,
        "node": page.node,
        # The module's units changed and its totals wait for their recount job.
        "recounting": page.module.pk in Job.objects.pending_recount(),
    }
    if page.node is not None:
        rows, totals, counted_at = page.shown_rollup()
        context.update(rows=rows, totals=totals, counted_at=counted_at)
        context["weeks"] = page.progress.completions_by_week(page.node)
        context["studied_before"], context["first_assigned"] = (
            page.progress.studied_before_assignment(page.node)
        )
        context["list_withheld"] = page.list_withheld()
        if not context["list_withheld"]:
            pages = page.cadre_pages(totals, CADRE_PAGE_SIZE)
            context["cadres"] = pages.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context["query"] = query.urlencode()
    return render(request, "training/progress.html", context)


@trainer_required
@reads_may_lag
def module_progress(request, pk):
    page, _none = _module_page(request, pk)
    return _render_progress(request, page, None)


@trainer_required
@reads_may_lag
def assignment_progress(request, pk):
    page, assignment = _assignment_page(request, pk)
    return _render_progress(request, page, assignment)


@trainer_required
@reads_may_lag
def progress_export(request, kind, pk, fmt):
    """A table of the progress page as CSV (streamed) or Excel: written in the request
    up to ``work.EXCEL_IN_REQUEST_ROWS`` rows, by a background job beyond (the person is
    sent to the job's page)."""
    page, assignment = progress_pages.page_for(request.user, request.GET, kind, pk)
    table = request.GET.get("table", "cadres")
    if page.node is None or table not in progress_pages.EXPORT_TABLES:
        raise Http404
    name = progress_pages.export_name(page, table, fmt)
    if fmt == "csv" and table == "completions" and connection.vendor == "postgresql":
        return exports.completions_csv_postgresql(
            name, page.filtered_cadres(), page.progress.unit_ids
        )
    if fmt == "xlsx" and progress_pages.export_rows(page, table) > work.EXCEL_IN_REQUEST_ROWS:
        return redirect(_export_job(request, page, kind, pk, table))
    data = progress_pages.export_table(page, table)
    if fmt == "xlsx":
        title = progress_pages.export_title(page, table, assignment)
        return spreadsheets.xlsx_response(
            name, data, sheet=progress_pages.table_label(table), title=title
        )
    return spreadsheets.csv_response(name, data.header, data.csv_rows())


def _export_job(request, page, kind, pk, table):
    query = request.GET.copy()
    query.pop("table", None)
    return jobs.job_start(
        kind=Job.Kind.EXPORT,
        requested_by=request.user,
        parameters={
            "source": kind,
            "pk": pk,
            "table": table,
            "query": query.urlencode(),
            **jobs.request_parameters(request),
        },
        label=" — ".join(
            [page.module.title, str(page.node), progress_pages.table_label(table), "Excel"]
        ),
    )


@trainer_required
@reads_may_lag
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
