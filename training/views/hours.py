"""Trainers see who is short of study hours (学时) in their scope: per org unit, how
many cadres meet a requirement, and the cadres below it with what they still need."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from org.access import trainer_required
from org.models import Cadre, OrgUnit
from portal import spreadsheets

from ..forms import HoursFilterForm
from ..hours.ledger import owing, rollup, standing, widest
from ..models import Requirement

PAGE_SIZE = 50
YEARS_BACK = 5


@trainer_required
def hours_overview(request):
    this_year = timezone.localdate().year
    years = list(range(this_year, this_year - YEARS_BACK, -1))
    requirements = list(Requirement.objects.all())
    form = HoursFilterForm(request.GET, user=request.user, years=years, requirements=requirements)
    if not form.is_valid():
        raise Http404
    if not requirements:
        return render(request, "training/hours.html", {"requirements": []})
    chosen = form.cleaned_data
    roots = list(OrgUnit.objects.scope_roots(request.user))
    node = chosen["org"] or (roots[0] if roots else None)
    if node is None:
        raise Http404
    cadres = Cadre.objects.managed_by(request.user).in_subtree(node)
    if chosen["category"]:
        cadres = cadres.filter(category=chosen["category"])
    counts = owing(cadres, requirements)
    # Unless one is asked for, the requirement most cadres here owe: a county trainer
    # opens on the every-cadre requirement, not on the county-level one that none of
    # their township cadres owes.
    requirement = chosen["requirement"] or widest(requirements, counts)
    year = chosen["year"] or this_year
    short = (
        standing(cadres, requirement, year)
        .filter(missing__gt=0)
        .select_related("org_unit", "user")
        .order_by("-missing", "name", "pk")
    )
    if chosen["format"]:
        return _export(short, requirement, node, year, chosen["format"])
    context = _tables(request, requirements, requirement, counts, node, cadres, short, year)
    context.update(years=years, year=year, roots=roots, category=chosen["category"])
    return render(request, "training/hours.html", context)


def _tables(request, requirements, requirement, counts, node, cadres, short, year):
    """The page's tables (per org unit below ``node``; the cadres still short) and the
    requirements to switch to."""
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "requirements": requirements,
        "requirement": requirement,
        # When nobody here owes the one shown: those somebody does, to switch to.
        "others": [(r, n) for r in requirements if r != requirement and (n := counts[r.pk])],
        "node": node,
        "children": OrgUnit.objects.managed_by(request.user).filter(
            path__startswith=node.path, depth=node.depth + 1
        ),
        "table": rollup(cadres, node, requirement, year),
        "short": Paginator(short, PAGE_SIZE).get_page(request.GET.get("page")),
        "query": query.urlencode(),
        "categories": Cadre.Category.choices,
    }


def _export(short, requirement, node, year, fmt):
    """The cadres still short, as CSV or as an Excel sheet with a title row."""
    header = [
        _("Name"),
        _("Username"),
        _("Org unit"),
        _("category"),
        _("Study hours earned"),
        _("Study hours required"),
        _("Study hours missing"),
    ]
    rows = (
        [
            c.name,
            c.user.username,
            str(c.org_unit),
            c.get_category_display(),
            c.earned,
            requirement.hours,
            c.missing,
        ]
        for c in short.iterator(chunk_size=2000)
    )
    name = spreadsheets.file_name(requirement.name, str(node), year, _("short"), extension=fmt)
    table = spreadsheets.Table(header, rows, hour_columns=frozenset({4, 5, 6}))
    if fmt == "xlsx":
        title = _("%(requirement)s · %(scope)s · %(year)s · exported %(time)s (%(zone)s)") % {
            "requirement": requirement.name,
            "scope": str(node),
            "year": year,
            "time": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
            "zone": spreadsheets.zone_name(),
        }
        return spreadsheets.xlsx_response(name, table, sheet=_("short"), title=title)
    return spreadsheets.csv_response(name, header, table.csv_rows())
