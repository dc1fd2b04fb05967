"""Trainers see who is short of study hours (学时) in their scope: per org unit, how
many cadres meet a requirement, and the cadres below it with what they still need."""

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from org.access import trainer_required
from org.models import Cadre, OrgUnit
from portal import spreadsheets
from portal.replica import reads_may_lag

from ..hours.ledger import rollup
from ..hours_pages import Shortfall
from ..jobs import services as jobs
from ..jobs import work
from ..jobs.models import Job

PAGE_SIZE = 50


@trainer_required
@reads_may_lag
def hours_overview(request):
    page = Shortfall(request.user, request.GET)
    if not page.requirements:
        return render(request, "training/hours.html", {"requirements": []})
    fmt = page.chosen["format"]
    if fmt == "xlsx" and page.short.count() > work.EXCEL_IN_REQUEST_ROWS:
        job = jobs.job_start(
            kind=Job.Kind.EXPORT,
            requested_by=request.user,
            parameters={
                "source": "hours",
                "query": request.GET.urlencode(),
                **jobs.request_parameters(request),
            },
            label=f"{page.label()} — Excel",
        )
        return redirect(job)
    if fmt:
        name, table, title = page.export(fmt)
        if fmt == "xlsx":
            return spreadsheets.xlsx_response(name, table, sheet=_("short"), title=title)
        return spreadsheets.csv_response(name, table.header, table.csv_rows())
    context = _tables(request, page)
    context.update(years=page.years, year=page.year, roots=page.roots)
    context["category"] = page.chosen["category"]
    return render(request, "training/hours.html", context)


def _tables(request, page):
    """The page's tables (per org unit below the node; the cadres still short) and the
    requirements to switch to."""
    query = request.GET.copy()
    query.pop("page", None)
    requirement, node = page.requirement, page.node
    return {
        "requirements": page.requirements,
        "requirement": requirement,
        # When nobody here owes the one shown: those somebody does, to switch to.
        "others": [
            (r, n) for r in page.requirements if r != requirement and (n := page.counts[r.pk])
        ],
        "node": node,
        "children": OrgUnit.objects.managed_by(request.user).filter(
            path__startswith=node.path, depth=node.depth + 1
        ),
        "table": rollup(page.cadres, node, requirement, page.year),
        "short": Paginator(page.short, PAGE_SIZE).get_page(request.GET.get("page")),
        "query": query.urlencode(),
        "categories": Cadre.Category.choices,
    }
